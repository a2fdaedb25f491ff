package leasing

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// Billing is a billing run for one organization and month: the rent
// invoices of the period and the late fees assessed as of a day. From a
// preview it is what a run would write; from a run, what it wrote.
type Billing struct {
	Period   realty.Date   `json:"period" doc:"first day of the month billed"`
	AsOf     realty.Date   `json:"as_of" doc:"the day late fees are assessed for: today in the organization's time zone"`
	Invoices []ledger.Bill `json:"invoices" doc:"one per lease whose term overlaps the period, not yet billed for it"`
	LateFees []ledger.Bill `json:"late_fees" doc:"one per overdue rent invoice and late-fee rule, not yet charged"`
	Skipped  int           `json:"skipped" doc:"invoices and late fees already issued by an earlier run"`
	Total    ledger.Money  `json:"total" doc:"sum of the invoices and late fees listed"`
}

// ParsePeriod reads a month, "2026-12", as its first day. Invalid naming
// period otherwise.
func ParsePeriod(s string) (realty.Date, error) {
	d, err := realty.ParseDate(s + "-01")
	if err != nil || len(s) != 7 {
		return realty.Date{}, realty.FieldError("period", "must be a month, YYYY-MM")
	}
	return d, nil
}

// PreviewBilling is what RunBilling would write for period now, writing
// nothing. Forbidden without invoice.read.
func (s *Service) PreviewBilling(ctx context.Context, actor realty.Actor, period realty.Date) (Billing, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Billing{}, err
	}
	var out Billing
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var bills []ledger.Bill
		var err error
		out, bills, err = s.plan(ctx, tx, actor, period)
		if err != nil {
			return err
		}
		ids := make([]realty.ID, len(bills))
		for i, b := range bills {
			ids[i] = b.LeaseID
		}
		billed, err := s.books.BilledTx(ctx, tx, actor, period, ids)
		if err != nil {
			return err
		}
		for _, b := range bills {
			if billed[b.LeaseID] {
				out.Skipped++
				continue
			}
			out.Invoices = append(out.Invoices, b)
		}
		return nil
	})
	out.Total = total(out.Invoices, out.LateFees)
	return out, err
}

// RunBilling runs the billing for period in one transaction (retried on
// serialization failures and deadlocks): first the late fees due as of
// today on overdue rent invoices, then one invoice per lease whose term
// overlaps the period, each issued and posted. Natural keys make it
// exactly once: a rerun, a retry or a run racing this one writes nothing
// that is already written, and a run killed midway commits nothing.
// Forbidden without invoice.manage; Conflict when today's accounting
// period is closed.
func (s *Service) RunBilling(ctx context.Context, actor realty.Actor, period realty.Date) (Billing, error) {
	var out Billing
	err := postgres.Retry(ctx, func() error {
		return s.tx(ctx, actor, func(tx pgx.Tx) error {
			var err error
			out, err = s.RunBillingTx(ctx, tx, actor, period)
			return err
		})
	})
	return out, err
}

// RunBillingTx is RunBilling in the caller's transaction (an idempotent
// request's).
func (s *Service) RunBillingTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, period realty.Date) (Billing, error) {
	if err := actor.Require("invoice.manage"); err != nil {
		return Billing{}, err
	}
	out, bills, err := s.plan(ctx, tx, actor, period)
	if err != nil {
		return Billing{}, err
	}
	fees, err := s.books.IssueBillsTx(ctx, tx, actor, out.LateFees)
	if err != nil {
		return Billing{}, err
	}
	invoices, err := s.books.IssueBillsTx(ctx, tx, actor, bills)
	if err != nil {
		return Billing{}, err
	}
	out.LateFees, out.Invoices = fees.Issued, invoices.Issued
	out.Skipped = fees.Skipped + invoices.Skipped
	out.Total = total(out.Invoices, out.LateFees)
	return out, nil
}

func total(lists ...[]ledger.Bill) ledger.Money {
	sum := decimal.Zero
	for _, l := range lists {
		for _, b := range l {
			for _, x := range b.Lines {
				sum = sum.Add(x.Amount.Decimal)
			}
		}
	}
	return ledger.M(sum)
}

// plan computes a run: the late fees not yet charged (out.LateFees) and
// every lease's bill for the period (returned; some may be billed).
func (s *Service) plan(ctx context.Context, tx pgx.Tx, actor realty.Actor, period realty.Date) (Billing, []ledger.Bill, error) {
	if period.Day != 1 || period.Year < 2000 || period.Year > 2999 {
		return Billing{}, nil, realty.FieldError("period", "must be a month from 2000-01 to 2999-12")
	}
	today, err := s.books.Today(ctx, tx, actor)
	if err != nil {
		return Billing{}, nil, err
	}
	out := Billing{Period: period, AsOf: today, Invoices: []ledger.Bill{}}
	if out.LateFees, err = s.lateFees(ctx, tx, actor, today); err != nil {
		return Billing{}, nil, err
	}
	leases, err := billableLeases(ctx, tx, actor, period)
	if err != nil {
		return Billing{}, nil, err
	}
	var bills []ledger.Bill
	for _, l := range leases {
		if b, ok := billFor(l, period); ok {
			bills = append(bills, b)
		}
	}
	return out, bills, nil
}

// billable is a lease's billing terms.
type billable struct {
	ID         realty.ID       `db:"id"`
	PropertyID realty.ID       `db:"property_id"`
	UnitID     realty.ID       `db:"unit_id"`
	TenantID   *realty.ID      `db:"tenant_id"`
	StartDate  realty.Date     `db:"start_date"`
	EndDate    *realty.Date    `db:"end_date"`
	Rent       decimal.Decimal `db:"rent"`
	RentDueDay int             `db:"rent_due_day"`
	Deposit    decimal.Decimal `db:"deposit"`
	Charges    []Charge        `db:"charges"`
}

// billableLeases are the leases whose term overlaps the month of period:
// active ones, and those that ended (expired, terminated, renewed) within
// or after it, so a run for a past month still bills their last days.
func billableLeases(ctx context.Context, tx pgx.Tx, actor realty.Actor, period realty.Date) ([]billable, error) {
	last := DueDate(period, 31)
	rows, err := tx.Query(ctx, `SELECT l.id, l.property_id, l.unit_id, l.start_date, l.end_date, l.rent, l.rent_due_day, l.deposit,
			(SELECT lt.tenant_id FROM leasing.lease_tenants lt WHERE lt.organization_id = l.organization_id AND lt.lease_id = l.id
				AND lt.is_primary) AS tenant_id,
			coalesce((SELECT jsonb_agg(jsonb_build_object('kind', c.kind, 'description', coalesce(c.description, ''), 'amount', c.amount,
					'account_id', c.account_id) ORDER BY c.id)
				FROM leasing.lease_charges c WHERE c.organization_id = l.organization_id AND c.lease_id = l.id), '[]') AS charges
		FROM leasing.leases l
		WHERE l.organization_id = $1 AND l.status IN ('active', 'expired', 'terminated', 'renewed')
			AND l.start_date <= $3 AND (l.end_date IS NULL OR l.end_date >= $2) AND ($4::uuid[] IS NULL OR l.property_id = ANY($4))
		ORDER BY l.id`, actor.OrgID, period, last, actor.PropertyScope)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[billable])
}

// chargeTypes are the invoice line types of recurring charges.
var chargeTypes = map[string]string{"parking": "other", "pet": "other", "utility": "utility", "other": "other"}

// billFor is a lease's invoice for the month of period: rent and each
// recurring charge for the days of the month within the lease's term
// (prorated by actual days for a first or last partial month), plus the
// deposit in the month the lease starts. It is due on the rent due day,
// clamped to the month's end, or on the lease's first day when that is
// later. No bill when nothing is owed.
func billFor(l billable, period realty.Date) (ledger.Bill, bool) {
	if l.TenantID == nil {
		return ledger.Bill{}, false
	}
	from, to := period, DueDate(period, 31)
	if from.Before(l.StartDate) {
		from = l.StartDate
	}
	if l.EndDate != nil && l.EndDate.Before(to) {
		to = *l.EndDate
	}
	span := fmt.Sprintf("%s to %s", from, to)
	if from == period && to == DueDate(period, 31) {
		span = period.Time().Format("January 2006")
	}
	b := ledger.Bill{TenantID: *l.TenantID, LeaseID: l.ID, PropertyID: l.PropertyID, UnitID: l.UnitID, Period: &period,
		DueDate: DueDate(period, l.RentDueDay), Memo: "Rent, " + span}
	if b.DueDate.Before(from) {
		b.DueDate = from
	}
	add := func(typ, desc string, monthly decimal.Decimal, account *realty.ID) {
		amt, err := Prorate(monthly, from, to)
		if err == nil && amt.IsPositive() {
			b.Lines = append(b.Lines, ledger.BillLine{Type: typ, Description: desc + ", " + span, Amount: ledger.M(amt), AccountID: account})
		}
	}
	add("rent", "Rent", l.Rent, nil)
	for _, c := range l.Charges {
		desc := c.Description
		if desc == "" {
			desc = c.Kind
		}
		add(chargeTypes[c.Kind], desc, c.Amount, &c.AccountID)
	}
	if l.StartDate == from && l.StartDate.Year == period.Year && l.StartDate.Month == period.Month && l.Deposit.IsPositive() {
		b.Lines = append(b.Lines, ledger.BillLine{Type: "deposit", Description: "Security deposit", Amount: ledger.M(l.Deposit)})
	}
	b.Total = total([]ledger.Bill{b})
	return b, len(b.Lines) > 0
}

// feePolicy is a lease's late-fee rule.
type feePolicy struct {
	ID         realty.ID        `db:"id"`
	PropertyID realty.ID        `db:"property_id"`
	UnitID     realty.ID        `db:"unit_id"`
	Kind       string           `db:"late_fee_kind"`
	Amount     *decimal.Decimal `db:"late_fee_amount"`
	Percent    *decimal.Decimal `db:"late_fee_percent"`
	GraceDays  int              `db:"late_fee_grace_days"`
	Cap        *decimal.Decimal `db:"late_fee_cap"`
}

// lateFees are the late fees owed as of asOf and not yet charged: one per
// overdue rent invoice and its lease's rule, once asOf is past the due
// date plus the lease's grace days. An organization (or property scope)
// without any rule reads no invoices.
func (s *Service) lateFees(ctx context.Context, tx pgx.Tx, actor realty.Actor, asOf realty.Date) ([]ledger.Bill, error) {
	var ruled bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM leasing.leases WHERE organization_id = $1 AND late_fee_kind <> 'none'
		AND ($2::uuid[] IS NULL OR property_id = ANY($2)))`, actor.OrgID, actor.PropertyScope).Scan(&ruled)
	if err != nil || !ruled {
		return []ledger.Bill{}, err
	}
	overdue, err := s.books.OverdueTx(ctx, tx, actor, asOf)
	if err != nil || len(overdue) == 0 {
		return []ledger.Bill{}, err
	}
	ids := make([]realty.ID, len(overdue))
	for i, o := range overdue {
		ids[i] = o.LeaseID
	}
	rows, err := tx.Query(ctx, `SELECT id, property_id, unit_id, late_fee_kind, late_fee_amount, late_fee_percent, late_fee_grace_days, late_fee_cap
		FROM leasing.leases WHERE organization_id = $1 AND id = ANY($2) AND late_fee_kind <> 'none'
			AND ($3::uuid[] IS NULL OR property_id = ANY($3))`, actor.OrgID, ids, actor.PropertyScope)
	if err != nil {
		return nil, err
	}
	policies, err := pgx.CollectRows(rows, pgx.RowToStructByName[feePolicy])
	if err != nil {
		return nil, err
	}
	byLease := make(map[realty.ID]feePolicy, len(policies))
	for _, p := range policies {
		byLease[p.ID] = p
	}
	out := []ledger.Bill{}
	for _, o := range overdue {
		if p, ok := byLease[o.LeaseID]; ok {
			if b, ok := lateFee(p, o, asOf); ok {
				out = append(out, b)
			}
		}
	}
	return out, nil
}

// LateFee is the fee a rule charges on an overdue balance: the flat
// amount, or the percentage of the balance rounded half-even to the cent,
// at most the cap when there is one.
func LateFee(kind string, flat, percent, limit *decimal.Decimal, balance decimal.Decimal) decimal.Decimal {
	fee := decimal.Zero
	switch {
	case kind == "flat" && flat != nil:
		fee = *flat
	case kind == "percent" && percent != nil:
		fee = balance.Mul(*percent).Div(decimal.NewFromInt(100)).RoundBank(2)
	}
	if limit != nil && fee.GreaterThan(*limit) {
		fee = *limit
	}
	return fee
}

func lateFee(p feePolicy, o ledger.Overdue, asOf realty.Date) (ledger.Bill, bool) {
	if slices.Contains(o.Charged, p.Kind) || !o.DueDate.AddDays(p.GraceDays).Before(asOf) {
		return ledger.Bill{}, false
	}
	fee := LateFee(p.Kind, p.Amount, p.Percent, p.Cap, o.Balance.Decimal)
	if !fee.IsPositive() {
		return ledger.Bill{}, false
	}
	inv := o.InvoiceID
	return ledger.Bill{TenantID: o.TenantID, LeaseID: o.LeaseID, PropertyID: p.PropertyID, UnitID: p.UnitID, LateFeeOf: &inv,
		LateFeeRule: p.Kind, DueDate: asOf, Memo: "Late fee on invoice " + o.Number,
		Lines: []ledger.BillLine{{Type: "late_fee", Description: fmt.Sprintf("Late fee (%s) on invoice %s, due %s", p.Kind, o.Number, o.DueDate),
			Amount: ledger.M(fee)}}, Total: ledger.M(fee)}, true
}
