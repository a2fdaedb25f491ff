package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

// routesDashboard is the manager dashboard and the lists its figures link
// to that no other page shows (the occupancy report and a month's
// invoices).
func (s *site) routesDashboard() []route {
	return []route{
		{"GET /dashboard", enrolled, s.handleDashboard},
		{"GET /reports/occupancy", enrolled, s.handleOccupancy},
		{"GET /reports/occupancy.csv", enrolled, s.handleOccupancyCSV},
		{"GET /reports/collections", enrolled, s.handleCollections},
	}
}

// dashboardData is the manager dashboard: occupancy, this month's
// collections, AR aging, and the panels of dashboardSlots the member's
// permissions call for.
type dashboardData struct {
	Today       realty.Date
	Occupancy   leasing.Occupancy
	Collections ledger.Collections
	Aging       ledger.AgingRow
	Panels      []dashboardPanel
}

// handleDashboard shows the manager dashboard as of today (UTC):
// leasing.Service.Dashboard (lease.read, property.read, invoice.read), and
// each slot of dashboardSlots whose permission the member holds. A member
// without those permissions is refused (403).
func (s *site) handleDashboard(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	ctx := r.Context()
	d := &dashboardData{Today: realty.DateOf(time.Now().UTC())}
	figures, err := s.Services.Leasing.Dashboard(ctx, actor, d.Today, s.Services.Property.UnitStates, property.UnitsMarkSQL)
	d.Occupancy, d.Collections, d.Aging = figures.Occupancy, figures.Collections, figures.Aging
	if err == nil {
		d.Panels, err = s.slotPanels(ctx, actor)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", s.newView(r, "Dashboard", d))
}

// chart is what static/dashboard.js draws on a canvas: a Chart.js bar or
// doughnut chart whose bar i, clicked, opens Links[i].
type chart struct {
	Type   string        `json:"type"`
	Labels []string      `json:"labels"`
	Series []chartSeries `json:"series"`
	Links  []string      `json:"links"`
}

// chartSeries is one named row of values of a chart.
type chartSeries struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// JSON is the chart as the canvas's data-chart attribute carries it.
func (c chart) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// OccupancyChart is the units by status, each bar linking to the
// occupancy report of that status.
func (d dashboardData) OccupancyChart() chart {
	c := chart{Type: "doughnut", Series: []chartSeries{{Name: "Units"}}}
	for _, st := range d.Occupancy.ByStatus {
		c.Labels = append(c.Labels, label(st.Status))
		c.Series[0].Values = append(c.Series[0].Values, float64(st.Count))
		c.Links = append(c.Links, "/reports/occupancy?status="+st.Status)
	}
	return c
}

// CollectionsChart is this month's billed, collected and outstanding
// amounts, linking to the month's invoices and to AR aging.
func (d dashboardData) CollectionsChart() chart {
	month := "/reports/collections?month=" + d.Collections.Month.String()[:7]
	return chart{Type: "bar", Labels: []string{"Billed", "Collected", "Outstanding"},
		Series: []chartSeries{{Name: d.Collections.Month.Time().Format("January 2006"),
			Values: []float64{d.Collections.Billed.InexactFloat64(), d.Collections.Collected.InexactFloat64(), d.Collections.Outstanding.InexactFloat64()}}},
		Links: []string{month, month, "/aging"}}
}

// AgingChart is AR aging's buckets, each linking to AR aging.
func (d dashboardData) AgingChart() chart {
	a := d.Aging
	return chart{Type: "bar", Labels: []string{"Current", "1–30", "31–60", "61–90", "Over 90"},
		Series: []chartSeries{{Name: "Owed", Values: []float64{a.Current.InexactFloat64(), a.Days1.InexactFloat64(),
			a.Days31.InexactFloat64(), a.Days61.InexactFloat64(), a.Days90.InexactFloat64()}}},
		Links: []string{"/aging", "/aging", "/aging", "/aging", "/aging"}}
}

// CollectedPercent is the share of this month's billing collected, in
// whole percent (0 when nothing was billed).
func (d dashboardData) CollectedPercent() int {
	if d.Collections.Billed.IsZero() {
		return 0
	}
	return int(d.Collections.Collected.Mul(decimal.NewFromInt(100)).Div(d.Collections.Billed.Decimal).IntPart())
}

// VacancyPercent is the vacancy rate in percent, one decimal.
func (d dashboardData) VacancyPercent() string { return percent(d.Occupancy.VacancyRate) }

// percent is a rate in percent with one decimal.
func percent(rate float64) string { return decimal.NewFromFloat(rate * 100).StringFixed(1) }

// AverageDaysVacant is the vacant units' mean days vacant, whole days.
func (d dashboardData) AverageDaysVacant() int { return int(d.Occupancy.AverageDaysVacant + 0.5) }
