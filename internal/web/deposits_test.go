package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/leasing"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// movedOut is a lease with a 1,000.00 deposit billed and held, moved out,
// with a move-in and a move-out inspection that found the oven damaged.
type movedOut struct {
	lease, moveOut realty.ID
}

func newMovedOut(t *testing.T, h *harness, o fixture.Org) movedOut {
	t.Helper()
	ctx := context.Background()
	pm := o.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{AddressLine1: "9 Deposit Row", City: "Denver"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "4B"})
	if err != nil {
		t.Fatal(err)
	}
	first, last := "Dana", "Departing"
	ten, err := h.env.Leasing.CreateTenant(ctx, pm, leasing.TenantInput{FirstName: &first, LastName: &last})
	if err != nil {
		t.Fatal(err)
	}
	end := realty.Date{Year: 2027, Month: 10, Day: 31}
	l, err := h.env.Leasing.CreateLease(ctx, pm, leasing.LeaseInput{UnitID: u.ID, Tenants: []leasing.LeaseTenant{{TenantID: ten.ID, Primary: true}},
		StartDate: realty.Date{Year: 2026, Month: 11, Day: 1}, EndDate: &end, Rent: decimal.RequireFromString("900"),
		Deposit: decimal.RequireFromString("1000")})
	if err == nil {
		_, err = h.env.Leasing.Activate(ctx, pm, l.ID)
	}
	if err == nil {
		_, err = h.env.Leasing.RunBilling(ctx, pm, realty.Date{Year: 2026, Month: 11, Day: 1})
	}
	if err == nil {
		_, err = h.env.Leasing.MoveOut(ctx, pm, l.ID, realty.Date{Year: 2026, Month: 11, Day: 30})
	}
	if err != nil {
		t.Fatal(err)
	}
	svc := h.env.Maintenance
	tpl, err := svc.CreateTemplate(ctx, pm, maintenance.TemplateInput{Name: "Studio", Rooms: []maintenance.Room{{Room: "Kitchen", Items: []string{"Oven", "Sink"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var out movedOut
	out.lease = l.ID
	for _, c := range []struct{ kind, oven string }{{"move_in", "good"}, {"move_out", "damaged"}} {
		d, err := svc.CreateInspection(ctx, pm, maintenance.InspectionInput{Kind: c.kind, UnitID: &u.ID, LeaseID: &l.ID, TemplateID: &tpl.ID})
		if err == nil {
			_, err = svc.StartInspection(ctx, pm, d.Inspection.ID)
		}
		var ups []maintenance.ItemUpdate
		for _, it := range d.Items {
			r := "good"
			if it.Item == "Oven" {
				r = c.oven
			}
			ups = append(ups, maintenance.ItemUpdate{ID: it.ID, Rating: &r})
		}
		if err == nil {
			_, err = svc.UpdateItems(ctx, pm, d.Inspection.ID, ups)
		}
		if err == nil {
			_, err = svc.CompleteInspection(ctx, pm, d.Inspection.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		out.moveOut = d.Inspection.ID
	}
	return out
}

// TestDepositDispositionPage: the lease and the comparison link to the
// disposition form; citing the worsened oven pre-fills a line with its
// reason; a bad amount comes back in place naming the line's amount and
// writes nothing; the good form disposes of the deposit in one posting
// (deposits held cleared, the refund and deductions on the lease's page)
// and the books check clean.
func TestDepositDispositionPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	o := h.env.Organization(t, "acme")
	m := newMovedOut(t, h, o)
	session := h.login(o.Personas["property_manager"].Email, "acme")
	page := "/leases/" + m.lease.String() + "/deposit"
	expect(t, h.get("/leases/"+m.lease.String(), session), http.StatusOK, `id="dispose-deposit"`, `href="`+page+`"`)
	expect(t, h.get("/inspections/"+m.moveOut.String()+"/comparison", session), http.StatusOK, `href="`+page+`?cite=0"`)

	reason := "Kitchen — Oven: good at move-in, damaged at move-out"
	cited := h.get(page+"?cite=0", session)
	expect(t, cited, http.StatusOK, `id="deposit-held">$1,000`, `id="disposition-form"`, `value="`+html.EscapeString(reason)+`"`, "<small>cited</small>")
	key := between(cited.body, `name="key" value="`, `"`)

	for _, bad := range []struct{ amount, want string }{{"12.345", "must be in whole cents"}, {"abc", "is not a number"}, {"", "is required"}} {
		r := h.post(page, url.Values{"key": {key}, "reason": {reason, "Cleaning"}, "amount": {"80.00", bad.amount}, "account_id": {"", ""},
			"date": {"2026-12-01"}}, session)
		expect(t, r, http.StatusUnprocessableEntity, bad.want, `value="Cleaning"`, `aria-invalid="true"`)
		if !strings.Contains(between(r.body, `value="Cleaning"`, `</tr>`), bad.want) {
			t.Errorf("amount %q: the error is not on the second line: %.1500s", bad.amount, r.body)
		}
		dep, err := h.env.Leasing.LeaseDeposit(ctx, o.Personas["property_manager"].Actor, m.lease)
		if err != nil || dep.Disposition != nil || dep.Held.StringFixed(2) != "1000.00" {
			t.Fatalf("after the refused amount %q: %+v %v, want nothing written", bad.amount, dep, err)
		}
	}

	r := h.post(page, url.Values{"key": {key}, "reason": {reason, "Cleaning", ""}, "amount": {"250.00", "80", ""}, "account_id": {"", "", ""},
		"date": {"2026-12-01"}}, session)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/leases/"+m.lease.String()+"?notice=deposit-disposed" {
		t.Fatalf("dispose: %d %s %.600s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	lease := h.get(r.Header.Get("Location"), session)
	expect(t, lease, http.StatusOK, "The deposit is disposed of", `id="disposition-refunded">$670`, `id="disposition-deducted">$330`,
		html.EscapeString(reason)+": $250")
	if strings.Contains(lease.body, `id="dispose-deposit"`) {
		t.Error("the lease still offers the disposition")
	}
	dep, err := h.env.Leasing.LeaseDeposit(ctx, o.Personas["property_manager"].Actor, m.lease)
	if err != nil || dep.Disposition == nil || !dep.Held.IsZero() || dep.Disposition.Refunded.StringFixed(2) != "670.00" ||
		len(dep.Disposition.Deductions) != 2 || dep.Disposition.Deductions[0].Reason != reason {
		t.Fatalf("deposit after: %+v %v; want nothing held, 670.00 refunded, the cited reason first", dep, err)
	}
	findings, err := h.env.Ledger.Check(ctx, realty.System(o.Organization.ID))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.OK() {
			t.Errorf("ledger check: %s: %v", f.Name, f.Rows)
		}
	}
	again := h.post(page, url.Values{"key": {key}, "reason": {reason, "Cleaning", ""}, "amount": {"250.00", "80", ""}, "account_id": {"", "", ""},
		"date": {"2026-12-01"}}, session)
	if again.StatusCode != http.StatusSeeOther {
		t.Errorf("the same form sent again: %d, want the first answer's redirect", again.StatusCode)
	}
	expect(t, h.get(page, session), http.StatusOK, `id="disposition"`)
}

// between is the text of s after the first start up to end.
func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}
