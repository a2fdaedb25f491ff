package leasing

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/property"
)

// Lease rents one unit to one or more tenants on stated terms.
type Lease struct {
	ID                realty.ID        `db:"id" json:"id"`
	PropertyID        realty.ID        `db:"property_id" json:"property_id"`
	UnitID            realty.ID        `db:"unit_id" json:"unit_id"`
	LeaseType         string           `db:"lease_type" json:"lease_type" enum:"fixed,month_to_month"`
	StartDate         realty.Date      `db:"start_date" json:"start_date"`
	EndDate           *realty.Date     `db:"end_date" json:"end_date,omitempty"`
	Rent              decimal.Decimal  `db:"rent" json:"rent"`
	RentDueDay        int              `db:"rent_due_day" json:"rent_due_day"`
	Deposit           decimal.Decimal  `db:"deposit" json:"deposit"`
	LateFeeKind       string           `db:"late_fee_kind" json:"late_fee_kind" enum:"none,flat,percent"`
	LateFeeAmount     *decimal.Decimal `db:"late_fee_amount" json:"late_fee_amount,omitempty"`
	LateFeePercent    *decimal.Decimal `db:"late_fee_percent" json:"late_fee_percent,omitempty"`
	LateFeeGraceDays  int              `db:"late_fee_grace_days" json:"late_fee_grace_days"`
	LateFeeCap        *decimal.Decimal `db:"late_fee_cap" json:"late_fee_cap,omitempty"`
	AutoRenew         bool             `db:"auto_renew" json:"auto_renew"`
	NoticeDays        int              `db:"notice_days" json:"notice_days"`
	IncreasePct       decimal.Decimal  `db:"increase_pct" json:"increase_pct"`
	Status            string           `db:"status" json:"status" enum:"draft,active,expired,terminated,renewed"`
	MoveInDate        *realty.Date     `db:"move_in_date" json:"move_in_date,omitempty"`
	MoveOutDate       *realty.Date     `db:"move_out_date" json:"move_out_date,omitempty"`
	TerminatedOn      *realty.Date     `db:"terminated_on" json:"terminated_on,omitempty"`
	TerminationReason *string          `db:"termination_reason" json:"termination_reason,omitempty"`
	RenewalOf         *realty.ID       `db:"renewal_of" json:"renewal_of,omitempty"`
	Tenants           []LeaseTenant    `db:"tenants" json:"tenants"`
	Charges           []Charge         `db:"charges" json:"charges"`
	CreatedAt         time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt         time.Time        `db:"updated_at" json:"updated_at"`
}

// LeaseTenant is one tenant of a lease.
type LeaseTenant struct {
	TenantID realty.ID `json:"tenant_id"`
	Primary  bool      `json:"primary,omitempty" doc:"the primary tenant; the only tenant of a lease is"`
}

// Charge is a recurring charge of a lease besides rent.
type Charge struct {
	Kind        string          `json:"kind" enum:"parking,pet,utility,other"`
	Description string          `json:"description,omitempty" maxLength:"200"`
	Amount      decimal.Decimal `json:"amount" maxLength:"20" numeric:"14,2"`
	AccountID   realty.ID       `json:"account_id" doc:"the income account the charge is billed to"`
}

const leaseColumns = `l.id, l.property_id, l.unit_id, l.lease_type, l.start_date, l.end_date, l.rent, l.rent_due_day, l.deposit,
	l.late_fee_kind, l.late_fee_amount, l.late_fee_percent, l.late_fee_grace_days, l.late_fee_cap, l.auto_renew, l.notice_days,
	l.increase_pct, l.status, l.move_in_date, l.move_out_date, l.terminated_on, l.termination_reason, l.renewal_of,
	coalesce((SELECT jsonb_agg(jsonb_build_object('tenant_id', lt.tenant_id, 'primary', lt.is_primary) ORDER BY NOT lt.is_primary, lt.id)
		FROM leasing.lease_tenants lt WHERE lt.organization_id = l.organization_id AND lt.lease_id = l.id), '[]') AS tenants,
	coalesce((SELECT jsonb_agg(jsonb_build_object('kind', c.kind, 'description', coalesce(c.description, ''), 'amount', c.amount,
			'account_id', c.account_id) ORDER BY c.id)
		FROM leasing.lease_charges c WHERE c.organization_id = l.organization_id AND c.lease_id = l.id), '[]') AS charges,
	l.created_at, l.updated_at`

// LeaseInput is what creating or replacing a draft lease takes.
type LeaseInput struct {
	UnitID           realty.ID
	Tenants          []LeaseTenant
	LeaseType        string
	StartDate        realty.Date
	EndDate          *realty.Date
	Rent             decimal.Decimal
	RentDueDay       int
	Deposit          decimal.Decimal
	LateFeeKind      string
	LateFeeAmount    *decimal.Decimal
	LateFeePercent   *decimal.Decimal
	LateFeeGraceDays *int
	LateFeeCap       *decimal.Decimal
	AutoRenew        bool
	NoticeDays       *int
	IncreasePct      decimal.Decimal
	Charges          []Charge
}

func (in *LeaseInput) normalize() error {
	if in.LeaseType == "" {
		in.LeaseType = "fixed"
	}
	if in.RentDueDay == 0 {
		in.RentDueDay = 1
	}
	if in.LateFeeKind == "" {
		in.LateFeeKind = "none"
	}
	if in.LateFeeGraceDays == nil {
		five := 5
		in.LateFeeGraceDays = &five
	}
	if in.NoticeDays == nil {
		sixty := 60
		in.NoticeDays = &sixty
	}
	if in.StartDate.IsZero() {
		return realty.FieldError("start_date", "is required")
	}
	if in.LeaseType == "fixed" && in.EndDate == nil {
		return realty.FieldError("end_date", "a fixed lease needs an end date")
	}
	if len(in.Tenants) == 0 {
		return realty.FieldError("tenants", "a lease needs at least one tenant")
	}
	primaries := 0
	for _, t := range in.Tenants {
		if t.Primary {
			primaries++
		}
	}
	if primaries == 0 && len(in.Tenants) == 1 {
		in.Tenants[0].Primary, primaries = true, 1
	}
	if primaries != 1 {
		return realty.FieldError("tenants", "exactly one tenant is primary")
	}
	return nil
}

func (in LeaseInput) tenantIDs() []realty.ID {
	ids := make([]realty.ID, len(in.Tenants))
	for i, t := range in.Tenants {
		ids[i] = t.TenantID
	}
	return ids
}

func (in LeaseInput) args() []any {
	return []any{in.UnitID, in.tenantIDs(), in.LeaseType, in.StartDate, in.EndDate, in.Rent, in.RentDueDay, in.Deposit,
		in.LateFeeKind, in.LateFeeAmount, in.LateFeePercent, *in.LateFeeGraceDays, in.LateFeeCap, in.AutoRenew, *in.NoticeDays,
		in.IncreasePct}
}

var errLeaseNotFound = &realty.Error{Kind: realty.NotFound, Message: "lease not found"}

// CreateLease drafts a lease. Forbidden without lease.manage; Invalid
// naming the field (a unit or tenant that does not exist among them).
func (s *Service) CreateLease(ctx context.Context, actor realty.Actor, in LeaseInput) (Lease, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Lease{}, err
	}
	if err := in.normalize(); err != nil {
		return Lease{}, err
	}
	var out Lease
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = createLeaseTx(ctx, tx, actor, realty.NewID(), nil, in)
		return err
	})
	return out, err
}

func createLeaseTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, renewalOf *realty.ID, in LeaseInput) (Lease, error) {
	unit, err := unitTx(ctx, tx, actor, in.UnitID)
	if err != nil {
		return Lease{}, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO leasing.leases (organization_id, id, property_id, renewal_of, unit_id, tenant_ids, lease_type,
		start_date, end_date, rent, rent_due_day, deposit, late_fee_kind, late_fee_amount, late_fee_percent, late_fee_grace_days,
		late_fee_cap, auto_renew, notice_days, increase_pct)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		append([]any{actor.OrgID, id, unit.PropertyID, renewalOf}, in.args()...)...)
	if err != nil {
		return Lease{}, err
	}
	if err := writePartiesTx(ctx, tx, actor, id, in); err != nil {
		return Lease{}, err
	}
	return leaseTx(ctx, tx, actor, id, false)
}

// writePartiesTx replaces a lease's tenants and charges with in's.
func writePartiesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, in LeaseInput) error {
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM leasing.lease_tenants WHERE organization_id = $1 AND lease_id = $2`, actor.OrgID, id)
	b.Queue(`DELETE FROM leasing.lease_charges WHERE organization_id = $1 AND lease_id = $2`, actor.OrgID, id)
	for _, t := range in.Tenants {
		b.Queue(`INSERT INTO leasing.lease_tenants (organization_id, id, lease_id, tenant_id, is_primary) VALUES ($1, $2, $3, $4, $5)`,
			actor.OrgID, realty.NewID(), id, t.TenantID, t.Primary)
	}
	for _, c := range in.Charges {
		var desc *string
		if c.Description != "" {
			desc = &c.Description
		}
		b.Queue(`INSERT INTO leasing.lease_charges (organization_id, id, lease_id, tenant_ids, kind, description, amount, account_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, actor.OrgID, realty.NewID(), id, in.tenantIDs(), c.Kind, desc, c.Amount, c.AccountID)
	}
	return tx.SendBatch(ctx, b).Close()
}

// leaseTx reads a lease the actor may see (within their property scope),
// locking it when lock is set. NotFound otherwise.
func leaseTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, lock bool) (Lease, error) {
	q := `SELECT ` + leaseColumns + ` FROM leasing.leases l WHERE l.organization_id = $1 AND l.id = $2
		AND ($3::uuid[] IS NULL OR l.property_id = ANY($3))`
	if lock {
		q += ` FOR UPDATE OF l`
	}
	rows, err := tx.Query(ctx, q, actor.OrgID, id, actor.PropertyScope)
	if err != nil {
		return Lease{}, err
	}
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Lease])
	if errorsIsNoRows(err) {
		return Lease{}, errLeaseNotFound
	}
	return l, err
}

// UpdateLease replaces a draft lease's terms, tenants and charges; an
// active lease takes only AutoRenew, NoticeDays, IncreasePct, late-fee
// terms and Charges (its unit, dates, rent and tenants are fixed once
// signed: renew instead). Forbidden without lease.manage; NotFound;
// Conflict naming status for an ended lease; Invalid naming the field.
func (s *Service) UpdateLease(ctx context.Context, actor realty.Actor, id realty.ID, in LeaseInput) (Lease, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Lease{}, err
	}
	var out Lease
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		cur, err := leaseTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		switch cur.Status {
		case "draft":
			if err := in.normalize(); err != nil {
				return err
			}
		case "active":
			in = activeEdit(cur, in)
		default:
			return &realty.Error{Kind: realty.Conflict, Message: "a " + cur.Status + " lease cannot change",
				Fields: map[string]string{"status": "is " + cur.Status}}
		}
		if err := updateLeaseTx(ctx, tx, actor, id, in); err != nil {
			return err
		}
		out, err = leaseTx(ctx, tx, actor, id, false)
		return err
	})
	return out, err
}

// activeEdit is in restricted to what an active lease may change, the
// rest taken from cur.
func activeEdit(cur Lease, in LeaseInput) LeaseInput {
	out := LeaseInput{UnitID: cur.UnitID, LeaseType: cur.LeaseType, StartDate: cur.StartDate, EndDate: cur.EndDate,
		Rent: cur.Rent, RentDueDay: cur.RentDueDay, Deposit: cur.Deposit, Tenants: cur.Tenants,
		LateFeeKind: in.LateFeeKind, LateFeeAmount: in.LateFeeAmount, LateFeePercent: in.LateFeePercent,
		LateFeeGraceDays: in.LateFeeGraceDays, LateFeeCap: in.LateFeeCap, AutoRenew: in.AutoRenew, NoticeDays: in.NoticeDays,
		IncreasePct: in.IncreasePct, Charges: in.Charges}
	_ = out.normalize()
	return out
}

func updateLeaseTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, in LeaseInput) error {
	unit, err := unitTx(ctx, tx, actor, in.UnitID)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE leasing.leases SET property_id = $3, unit_id = $4, tenant_ids = $5, lease_type = $6,
		start_date = $7, end_date = $8, rent = $9, rent_due_day = $10, deposit = $11, late_fee_kind = $12, late_fee_amount = $13,
		late_fee_percent = $14, late_fee_grace_days = $15, late_fee_cap = $16, auto_renew = $17, notice_days = $18, increase_pct = $19
		WHERE organization_id = $1 AND id = $2`, append([]any{actor.OrgID, id, unit.PropertyID}, in.args()...)...)
	if err != nil {
		return err
	}
	return writePartiesTx(ctx, tx, actor, id, in)
}

// Lease returns one lease. Forbidden without lease.read; NotFound.
func (s *Service) Lease(ctx context.Context, actor realty.Actor, id realty.ID) (Lease, error) {
	if err := actor.Require("lease.read"); err != nil {
		return Lease{}, err
	}
	var out Lease
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = leaseTx(ctx, tx, actor, id, false)
		return err
	})
	return out, err
}

// unitTx is the lease's unit, Invalid naming unit_id when the actor cannot
// see it.
func unitTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (property.Unit, error) {
	u, err := property.UnitTx(ctx, tx, actor, id)
	if realty.KindOf(err) == realty.NotFound {
		return u, realty.FieldError("unit_id", "no such unit")
	}
	return u, err
}
