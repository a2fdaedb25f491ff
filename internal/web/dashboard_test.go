package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

// managed is a property of three units, two of them leased, each lease
// with an invoice due today; the first tenant paid 300 of theirs.
func managed(t *testing.T, h *harness, o fixture.Org) property.Property {
	t.Helper()
	ctx := context.Background()
	pm := o.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{Name: "Birch Yard", AddressLine1: "3 Birch Road", City: "Springfield"})
	if err != nil {
		t.Fatal(err)
	}
	today := realty.DateOf(time.Now().UTC())
	for i, rent := range []string{"800", "950", ""} {
		u, err := h.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "B" + string(rune('1'+i))})
		if err != nil || rent == "" {
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		first, last := "Tenant", "Number "+rent
		ten, err := h.env.Leasing.CreateTenant(ctx, pm, leasing.TenantInput{FirstName: &first, LastName: &last})
		if err != nil {
			t.Fatal(err)
		}
		l, err := h.env.Leasing.CreateLease(ctx, pm, leasing.LeaseInput{UnitID: u.ID, Tenants: []leasing.LeaseTenant{{TenantID: ten.ID}},
			StartDate: today.AddDays(-40), Rent: decimal.RequireFromString(rent), LeaseType: "month_to_month"})
		if err == nil {
			_, err = h.env.Leasing.Activate(ctx, pm, l.ID)
		}
		var inv ledger.Invoice
		if err == nil {
			inv, err = h.env.Ledger.CreateInvoice(ctx, pm, ledger.InvoiceInput{TenantID: ten.ID, LeaseID: &l.ID, DueDate: today,
				Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: l.Rent}}})
		}
		if err == nil {
			_, err = h.env.Ledger.IssueInvoice(ctx, pm, inv.ID)
		}
		if err == nil && i == 0 {
			_, err = h.env.Ledger.RecordPayment(ctx, pm, ledger.PaymentInput{TenantID: ten.ID, Method: "check",
				Amount: decimal.RequireFromString("300"), Auto: true})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestDashboard: the property manager's dashboard shows three units, one
// vacant (33.3 %), 1,750.00 billed this month, 300.00 collected and
// 1,450.00 owed; every link of its figures opens a page (200); the
// occupancy report lists the vacant unit alone when asked, and its CSV
// holds every unit with the vacant one's days vacant.
func TestDashboard(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	managed(t, h, o)
	pm := h.login(o.Personas["property_manager"].Email, "acme")
	expect(t, h.get("/", pm), http.StatusOK, `id="to-dashboard"><a href="/dashboard"`)
	r := h.get("/dashboard", pm)
	expect(t, r, http.StatusOK, `id="dash-units"><strong>3</strong>`, `id="dash-vacancy"><strong>33.3 %</strong>`,
		`id="dash-billed">$1,750`, `id="dash-collected-amount">$300`, `id="dash-outstanding">$1,450`, `id="dash-owed">$1,450`,
		`data-chart="{`, `/static/vendor/chartjs/chart.umd.min.js`)
	links := regexp.MustCompile(`href="(/(?:reports|aging|rent-roll)[^"]*)"`).FindAllStringSubmatch(r.body, -1)
	if len(links) < 10 {
		t.Fatalf("the dashboard links %d figures to their lists, want at least 10", len(links))
	}
	for _, l := range links {
		path := strings.ReplaceAll(l[1], "&amp;", "&")
		if got := h.get(path, pm); got.StatusCode != http.StatusOK {
			t.Errorf("the dashboard links to %s: %d", path, got.StatusCode)
		}
	}
	vacant := h.get("/reports/occupancy?status=vacant", pm)
	expect(t, vacant, http.StatusOK, `<td>B3</td>`)
	if strings.Contains(vacant.body, `<td>B1</td>`) {
		t.Error("the vacant units' report lists a leased unit")
	}
	expect(t, h.get("/reports/collections", pm), http.StatusOK, `id="col-billed">$1,750`, `id="col-collected">$300`)
	rows, err := csv.NewReader(strings.NewReader(h.get("/reports/occupancy.csv", pm).body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][5] != "days_vacant" || rows[3][1] != "B3" || rows[3][2] != "vacant" || rows[3][5] != "0" || rows[1][2] != "occupied" {
		t.Errorf("occupancy CSV %q, want a header and B1, B2 occupied, B3 vacant for 0 days", rows)
	}
}
