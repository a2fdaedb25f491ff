package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

// occupancyData is the occupancy report and the statuses to filter by.
type occupancyData struct {
	leasing.Occupancy
	Status   string
	Statuses []string
}

// VacancyPercent is the vacancy rate in percent, one decimal.
func (d occupancyData) VacancyPercent() string { return percent(d.VacancyRate) }

// occupancy reads the occupancy report of the query's status (every unit
// when none) as of today (UTC) through leasing.Service.Occupancy.
func (s *site) occupancy(r *http.Request) (*occupancyData, error) {
	d := &occupancyData{Status: r.URL.Query().Get("status"), Statuses: property.UnitStatuses}
	var err error
	d.Occupancy, err = s.Services.Leasing.Occupancy(r.Context(), principalOf(r).Actor, realty.DateOf(time.Now().UTC()), d.Status,
		s.Services.Property.UnitStates, property.UnitsMarkSQL)
	return d, err
}

// handleOccupancy shows the occupancy report: units by status, the
// vacancy rate and each unit (of the status asked for) with its days
// vacant (lease.read and property.read).
func (s *site) handleOccupancy(w http.ResponseWriter, r *http.Request) {
	d, err := s.occupancy(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "occupancy", s.newView(r, "Occupancy", d))
}

// handleOccupancyCSV writes the occupancy report's units as CSV: property,
// unit, status, market rent, vacant since and days vacant.
func (s *site) handleOccupancyCSV(w http.ResponseWriter, r *http.Request) {
	d, err := s.occupancy(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="occupancy-`+d.AsOf.String()+`.csv"`)
	out := csv.NewWriter(w)
	_ = out.Write([]string{"property", "unit", "status", "market_rent", "vacant_since", "days_vacant"})
	for _, u := range d.Rows {
		rec := []string{u.PropertyName, u.UnitNumber, u.Status, "", "", ""}
		if u.MarketRent != nil {
			rec[3] = u.MarketRent.StringFixed(2)
		}
		if u.VacantSince != nil {
			rec[4], rec[5] = u.VacantSince.String(), strconv.Itoa(*u.DaysVacant)
		}
		_ = out.Write(rec)
	}
	out.Flush()
}

// collectionsData is a month's collections and a page of its invoices.
type collectionsData struct {
	Collections ledger.Collections
	Invoices    ledger.InvoicePage
	Month       string
}

// handleCollections lists the invoices behind a month's collections (the
// month of the query, YYYY-MM, this month by default) with its totals
// (ledger.Service.Collections and MonthInvoices: invoice.read); 422 naming
// month when it is malformed.
func (s *site) handleCollections(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	q := r.URL.Query()
	month := realty.DateOf(time.Now().UTC())
	if err := actor.Require("invoice.read"); err != nil {
		s.fail(w, r, err)
		return
	}
	if m := q.Get("month"); m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			s.fail(w, r, realty.FieldError("month", "is not a month (YYYY-MM)"))
			return
		}
		month = realty.DateOf(t)
	}
	d := &collectionsData{Month: month.String()[:7]}
	var err error
	d.Collections, err = s.Services.Ledger.Collections(r.Context(), actor, month)
	if err == nil {
		d.Invoices, err = s.Services.Ledger.MonthInvoices(r.Context(), actor, month, q.Get("cursor"), 100)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "collections", s.newView(r, "Collections", d))
}
