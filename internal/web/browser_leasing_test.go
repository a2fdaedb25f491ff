package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

// rentals is a property with three units and, for the resident persona's
// tenant and another tenant, an active lease each with an issued invoice;
// the resident's tenant has paid part of theirs.
type rentals struct {
	property           property.Property
	units              []property.Unit
	ownLease, other    realty.ID
	ownTenant          realty.ID
	ownInvoice, otherN string
}

func newRentals(t *testing.T, h *harness, o fixture.Org) rentals {
	t.Helper()
	ctx := context.Background()
	pm := o.Personas["property_manager"].Actor
	var r rentals
	var err error
	if r.property, err = h.env.Property.Create(ctx, pm, property.Input{Name: "Elm Court", AddressLine1: "12 Elm Street", City: "Springfield"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"101", "102", "103"} {
		u, err := h.env.Property.CreateUnit(ctx, pm, r.property.ID, property.UnitInput{UnitNumber: n})
		if err != nil {
			t.Fatal(err)
		}
		r.units = append(r.units, u)
	}
	res := o.Personas["resident"]
	lease := func(unit property.Unit, first, last string, member *realty.ID, rent string) (realty.ID, string) {
		ten, err := h.env.Leasing.CreateTenant(ctx, pm, leasing.TenantInput{FirstName: &first, LastName: &last, MemberID: member})
		if err != nil {
			t.Fatal(err)
		}
		end := realty.Date{Year: 2027, Month: 6, Day: 30}
		l, err := h.env.Leasing.CreateLease(ctx, pm, leasing.LeaseInput{UnitID: unit.ID, Tenants: []leasing.LeaseTenant{{TenantID: ten.ID}},
			StartDate: realty.Date{Year: 2026, Month: 7, Day: 1}, EndDate: &end, Rent: decimal.RequireFromString(rent)})
		if err == nil {
			_, err = h.env.Leasing.Activate(ctx, pm, l.ID)
		}
		var inv ledger.Invoice
		if err == nil {
			inv, err = h.env.Ledger.CreateInvoice(ctx, pm, ledger.InvoiceInput{TenantID: ten.ID, LeaseID: &l.ID,
				DueDate: realty.Date{Year: 2026, Month: 12, Day: 1}, Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: l.Rent}}})
		}
		if err == nil {
			inv, err = h.env.Ledger.IssueInvoice(ctx, pm, inv.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		return l.ID, *inv.Number
	}
	r.ownLease, r.ownInvoice = lease(r.units[1], "Rosa", "Resident", &res.MemberID, "800")
	r.other, r.otherN = lease(r.units[2], "Otto", "Other", nil, "950")
	own, err := h.env.Leasing.Tenancy(ctx, mustActor(t, h, o, "resident"))
	if err != nil || own.Tenant == nil {
		t.Fatalf("resident tenancy: %+v %v", own, err)
	}
	r.ownTenant = own.Tenant.ID
	if _, err := h.env.Ledger.RecordPayment(ctx, pm, ledger.PaymentInput{TenantID: own.Tenant.ID, Method: "check",
		Amount: decimal.RequireFromString("300"), Auto: true}); err != nil {
		t.Fatal(err)
	}
	return r
}

// mustActor is the persona's actor as a request would build it (with the
// resident fence).
func mustActor(t *testing.T, h *harness, o fixture.Org, role string) realty.Actor {
	t.Helper()
	a, err := h.env.Org.ActorFor(context.Background(), o.Organization.ID, o.Personas[role].User.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestBrowserLeasing drives Chromium as a property manager: a new tenant,
// a lease drafted from the rent roll's vacant unit and activated (the unit
// becomes occupied), the tenant charged an invoice, a payment recorded
// (the balance drops by it; sending the form twice records one payment).
// Then as the resident: their lease, open invoice, payment and balance,
// none of another tenant's, and another tenant's lease is not found.
func TestBrowserLeasing(t *testing.T) {
	needChromium(t)
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	r := newRentals(t, h, acme)
	ctx := context.Background()
	b := startBrowserFor(t, 90*time.Second)
	csp := watchCSP(t, b)
	signIn(t, b, h.url, acme.Personas["property_manager"].Email)

	csp.at("new tenant")
	step(t, b, "create a tenant", chromedp.Click(chromedp.CSS(`nav a[href="/tenants/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#tenant-form`)),
		chromedp.SendKeys(chromedp.CSS(`#tenant-form input[name="first_name"]`), "Zoe"),
		chromedp.SendKeys(chromedp.CSS(`#tenant-form input[name="last_name"]`), "Zephyr"),
		chromedp.Click(chromedp.CSS(`#tenant-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#tenant-name`)))
	seeText(t, b, `#tenant-name`, "Zoe Zephyr")
	found, err := h.env.Leasing.Tenants(ctx, acme.Personas["property_manager"].Actor, leasing.TenantFilter{Query: "Zephyr"})
	if err != nil || len(found.Items) != 1 {
		t.Fatalf("tenants named Zephyr: %+v %v", found, err)
	}
	zoe := found.Items[0].ID

	csp.at("rent roll and lease")
	step(t, b, "draft a lease of the vacant unit", chromedp.Navigate(h.url+"/rent-roll?property="+r.property.ID.String()),
		chromedp.WaitVisible(chromedp.CSS(`#rent-roll`)),
		chromedp.Click(chromedp.CSS(`tr[data-unit="`+r.units[0].ID.String()+`"] a.new-lease`)),
		chromedp.WaitVisible(chromedp.CSS(`#lease-form`)),
		chromedp.SetValue(chromedp.CSS(`#lease-form select[name="tenant_id"]`), zoe.String()),
		chromedp.SetValue(chromedp.CSS(`#lease-form input[name="start_date"]`), "2026-11-01"),
		chromedp.SetValue(chromedp.CSS(`#lease-form input[name="end_date"]`), "2027-10-31"),
		chromedp.SendKeys(chromedp.CSS(`#lease-form input[name="rent"]`), "1200"),
		chromedp.Click(chromedp.CSS(`#lease-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#lease-status`)))
	seeText(t, b, `#lease-status`, "Draft")
	step(t, b, "activate it", chromedp.Click(chromedp.CSS(`#activate-form button`)), chromedp.WaitVisible(chromedp.CSS(`#terminate-form`)))
	seeText(t, b, `#lease-status`, "Active")
	if u, err := h.env.Property.Unit(ctx, acme.Personas["property_manager"].Actor, r.units[0].ID); err != nil || u.Status != "occupied" {
		t.Errorf("unit after activation: %s %v, want occupied", u.Status, err)
	}

	csp.at("tenant ledger")
	step(t, b, "charge the tenant", chromedp.Navigate(h.url+"/tenants/"+zoe.String()),
		chromedp.WaitVisible(chromedp.CSS(`#invoice-form`)),
		chromedp.SendKeys(chromedp.CSS(`#invoice-form input[name="description"]`), "November rent"),
		chromedp.SendKeys(chromedp.CSS(`#invoice-form input[name="amount"]`), "1200"),
		chromedp.Click(chromedp.CSS(`#invoice-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	seeText(t, b, `#tenant-balance`, "$1,200")
	step(t, b, "record a payment", chromedp.SendKeys(chromedp.CSS(`#payment-form input[name="amount"]`), "500"),
		chromedp.Click(chromedp.CSS(`#payment-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	seeText(t, b, `#tenant-balance`, "$700")
	seeText(t, b, `#invoice-rows`, "Partial")
	step(t, b, "send the same payment form twice", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.querySelector('#payment-form');
		f.querySelector('input[name="amount"]').value = '100';
		const again = f.cloneNode(true);
		document.body.appendChild(again);
		fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(again))}).then(() => f.submit());
	})()`), chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	seeText(t, b, `#tenant-balance`, "$600")
	inv, err := h.env.Ledger.Invoices(ctx, acme.Personas["accountant"].Actor, ledger.InvoiceFilter{TenantID: &zoe})
	if err != nil || len(inv.Items) != 1 || !inv.Items[0].Balance.Equal(decimal.RequireFromString("600")) {
		t.Errorf("the tenant's invoices: %+v %v, want one with 600.00 left", inv.Items, err)
	}

	csp.at("resident portal")
	step(t, b, "sign out", chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/logout"]').submit()`),
		chromedp.WaitVisible(chromedp.CSS(`#login`)))
	signIn(t, b, h.url, acme.Personas["resident"].Email)
	step(t, b, "open the portal", chromedp.Click(chromedp.CSS(`#your-home`)), chromedp.WaitVisible(chromedp.CSS(`#resident-balance`)))
	seeText(t, b, `#resident-balance`, "$500")
	seeText(t, b, `#resident-invoices`, r.ownInvoice)
	seeText(t, b, `#resident-payments`, "$300")
	body, err := chromedp.Run(b, chromedp.TextContent(chromedp.CSS(`main`)))
	if err != nil || strings.Contains(body, r.otherN) || strings.Contains(body, "950") || strings.Contains(body, "Zephyr") {
		t.Errorf("the resident's page shows another tenant's invoice or lease (%v): %.500s", err, body)
	}
	step(t, b, "open the lease", chromedp.Click(chromedp.CSS(`#resident-leases a`)), chromedp.WaitVisible(chromedp.CSS(`#resident-lease-rent`)))
	seeText(t, b, `#resident-lease-rent`, "$800")
	step(t, b, "open another tenant's lease", chromedp.Navigate(h.url+"/resident/leases/"+r.other.String()), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	seeText(t, b, `h1`, "Not Found")
	csp.check(t)

	session := h.login(acme.Personas["resident"].Email, "acme")
	if got := h.get("/resident/leases/"+r.other.String(), session); got.StatusCode != http.StatusNotFound {
		t.Errorf("another tenant's lease as the resident: %d, want 404", got.StatusCode)
	}
	if got := h.get("/resident/leases/"+r.ownLease.String(), session); got.StatusCode != http.StatusOK {
		t.Errorf("own lease as the resident: %d, want 200", got.StatusCode)
	}
	if got := h.get("/tenants/"+zoe.String(), session); got.StatusCode != http.StatusForbidden {
		t.Errorf("a staff tenant page as the resident: %d, want 403", got.StatusCode)
	}
}
