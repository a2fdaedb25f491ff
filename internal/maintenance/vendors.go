package maintenance

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Trades are the vendors' trades.
var Trades = []string{"plumbing", "electrical", "hvac", "general", "cleaning", "landscaping",
	"appliance", "roofing", "painting", "pest_control", "locksmith"}

var tradeList = strings.Join(Trades, ", ")

// InsuranceWarning is how long before a vendor's insurance lapses its
// status turns to expiring.
const InsuranceWarning = 30 * 24 * time.Hour

// Vendor is a company or person the organization sends work to. TaxID is
// present only for holders of vendor.tax_id; others see TaxIDMasked.
type Vendor struct {
	ID              realty.ID    `db:"id" json:"id"`
	Name            string       `db:"name" json:"name"`
	Trade           string       `db:"trade" json:"trade"`
	ContactName     *string      `db:"contact_name" json:"contact_name,omitempty"`
	Email           *string      `db:"email" json:"email,omitempty"`
	Phone           *string      `db:"phone" json:"phone,omitempty"`
	InsuranceExpiry *realty.Date `db:"insurance_expiry" json:"insurance_expiry,omitempty"`
	InsuranceStatus string       `db:"-" json:"insurance_status" enum:"ok,expiring,lapsed,unknown" doc:"expiring within 30 days of the expiry, lapsed after it"`
	TaxID           *string      `db:"tax_id" json:"tax_id,omitempty" doc:"only with vendor.tax_id"`
	TaxIDMasked     *string      `db:"-" json:"tax_id_masked,omitempty" doc:"the last two characters, for everyone else"`
	Rating          *int         `db:"rating" json:"rating,omitempty"`
	Preferred       bool         `db:"preferred" json:"preferred"`
	Active          bool         `db:"active" json:"active"`
	Notes           *string      `db:"notes" json:"notes,omitempty"`
	CreatedAt       time.Time    `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time    `db:"updated_at" json:"updated_at"`
}

const vendorColumns = `id, name, trade, contact_name, email, phone, insurance_expiry, tax_id, rating, preferred, active, notes,
	created_at, updated_at`

// view masks what the actor may not see and derives the insurance status
// as of today.
func (v Vendor) view(actor realty.Actor, today realty.Date) Vendor {
	if v.TaxID != nil && !actor.Can("vendor.tax_id") {
		m := "••••"
		if t := *v.TaxID; len(t) >= 2 {
			m += t[len(t)-2:]
		}
		v.TaxID, v.TaxIDMasked = nil, &m
	}
	v.InsuranceStatus = insuranceStatus(v.InsuranceExpiry, today)
	return v
}

// insuranceStatus is lapsed after the expiry day, expiring from 30 days
// before it, ok before that, unknown without a date.
func insuranceStatus(expiry *realty.Date, today realty.Date) string {
	if expiry == nil {
		return "unknown"
	}
	t, e := today.Time(), expiry.Time()
	switch {
	case t.After(e):
		return "lapsed"
	case !t.Before(e.Add(-InsuranceWarning)):
		return "expiring"
	}
	return "ok"
}

// VendorInput is what creating or replacing a vendor takes. TaxID is
// written only by holders of vendor.tax_id (Forbidden otherwise); on
// replace, a nil TaxID keeps the stored one.
type VendorInput struct {
	Name            string
	Trade           string
	ContactName     *string
	Email           *string
	Phone           *string
	InsuranceExpiry *realty.Date
	TaxID           *string
	Rating          *int
	Preferred       bool
	Active          bool
	Notes           *string
}

func (in VendorInput) check(actor realty.Actor) error {
	if in.TaxID != nil && !actor.Can("vendor.tax_id") {
		return &realty.Error{Kind: realty.Forbidden, Message: "missing permission vendor.tax_id", Fields: map[string]string{"tax_id": "needs vendor.tax_id"}}
	}
	if strings.TrimSpace(in.Name) == "" {
		return realty.FieldError("name", "is required")
	}
	return nil
}

// CreateVendor adds a vendor. Forbidden without maintenance.manage (and
// vendor.tax_id for a tax id); Invalid naming the field; Conflict naming
// preferred when another vendor is preferred for the trade.
func (s *Service) CreateVendor(ctx context.Context, actor realty.Actor, in VendorInput) (Vendor, error) {
	if err := actor.Require("maintenance.manage"); err != nil {
		return Vendor{}, err
	}
	if err := in.check(actor); err != nil {
		return Vendor{}, err
	}
	var out Vendor
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO maintenance.vendors (organization_id, id, name, trade, contact_name, email, phone,
			insurance_expiry, tax_id, rating, preferred, active, notes)
			VALUES ($1, $2, btrim($3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING `+vendorColumns,
			actor.OrgID, realty.NewID(), in.Name, in.Trade, in.ContactName, in.Email, in.Phone, in.InsuranceExpiry,
			in.TaxID, in.Rating, in.Preferred, in.Active, in.Notes)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Vendor])
		return err
	})
	if err != nil {
		return Vendor{}, err
	}
	return out.view(actor, s.today()), nil
}

// UpdateVendor replaces a vendor's fields. Errors as CreateVendor, and
// NotFound for a vendor of no one the actor can see.
func (s *Service) UpdateVendor(ctx context.Context, actor realty.Actor, id realty.ID, in VendorInput) (Vendor, error) {
	if err := actor.Require("maintenance.manage"); err != nil {
		return Vendor{}, err
	}
	if err := in.check(actor); err != nil {
		return Vendor{}, err
	}
	var out Vendor
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE maintenance.vendors SET name = btrim($3), trade = $4, contact_name = $5, email = $6,
			phone = $7, insurance_expiry = $8, tax_id = coalesce($9, tax_id), rating = $10, preferred = $11, active = $12, notes = $13
			WHERE organization_id = $1 AND id = $2 RETURNING `+vendorColumns,
			actor.OrgID, id, in.Name, in.Trade, in.ContactName, in.Email, in.Phone, in.InsuranceExpiry,
			in.TaxID, in.Rating, in.Preferred, in.Active, in.Notes)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Vendor])
		return notFound(err, "vendor")
	})
	if err != nil {
		return Vendor{}, err
	}
	return out.view(actor, s.today()), nil
}

// Vendor returns one vendor. Forbidden without maintenance.read; NotFound.
func (s *Service) Vendor(ctx context.Context, actor realty.Actor, id realty.ID) (Vendor, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return Vendor{}, err
	}
	var out Vendor
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Vendor])
		return notFound(err, "vendor")
	}, `SELECT `+vendorColumns+` FROM maintenance.vendors WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return Vendor{}, err
	}
	return out.view(actor, s.today()), nil
}

// VendorFilter narrows the vendor list; zero fields do not filter.
type VendorFilter struct {
	Trade      string
	ActiveOnly bool
}

// Vendors lists the organization's vendors by name. Forbidden without
// maintenance.read.
func (s *Service) Vendors(ctx context.Context, actor realty.Actor, f VendorFilter) ([]Vendor, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return nil, err
	}
	items, err := postgres.ReadAll[Vendor](ctx, s.pool, actor, `SELECT `+vendorColumns+` FROM maintenance.vendors
		WHERE organization_id = $1 AND ($2 = '' OR trade = $2) AND (NOT $3 OR active)
		ORDER BY name, id LIMIT 1000`, actor.OrgID, f.Trade, f.ActiveOnly)
	if err != nil {
		return nil, err
	}
	today := s.today()
	out := make([]Vendor, len(items))
	for i, v := range items {
		out[i] = v.view(actor, today)
	}
	return out, nil
}

// today is the service clock's calendar day (UTC).
func (s *Service) today() realty.Date {
	return realty.DateOf(s.now().UTC())
}

// notFound turns no rows into NotFound for what.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return &realty.Error{Kind: realty.NotFound, Message: what + " not found"}
	}
	return err
}
