package deal

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.commissions_gross_rate_check":       {Kind: realty.Invalid, Field: "gross_rate", Message: "must be a percentage above 0 and at most 100"},
		"deal.commissions_gross_amount_check":     {Kind: realty.Invalid, Field: "gross_amount", Message: "must be between 0.01 and 999,999,999,999.99"},
		"deal.commissions_listing_side_pct_check": {Kind: realty.Invalid, Field: "listing_side_pct", Message: "must be a percentage from 0 to 100"},
		"deal.commissions_referral_rate_check":    {Kind: realty.Invalid, Field: "referral_rate", Message: "must be a percentage above 0 and at most 100"},
		"deal.commissions_referral_amount_check":  {Kind: realty.Invalid, Field: "referral_amount", Message: "must be between 0.01 and 999,999,999,999.99"},
		"deal.commissions_referral_name_check":    {Kind: realty.Invalid, Field: "referral_name", Message: "must be 1 to 200 characters"},
		"deal.commissions_gross_check":            {Kind: realty.Invalid, Field: "gross_amount", Message: "the gross must be below 1,000,000,000,000"},
		"deal.commissions_cda_sha256_check":       {Kind: realty.Invalid, Field: "cda_sha256", Message: "must be a SHA-256 digest"},
		"deal.commissions_deal_key":               {Kind: realty.Conflict, Field: "deal_id", Message: "the deal already has a commission"},
		"deal.commissions_deal_fkey":              {Kind: realty.NotFound, Message: "deal not found"},
		"deal.commissions_gross_basis_check":      {Kind: realty.Invalid, Field: "gross_rate", Message: "give exactly one of gross_rate and gross_amount"},
		"deal.commissions_referral_check":         {Kind: realty.Invalid, Field: "referral_name", Message: "a referral fee needs one of referral_rate or referral_amount and the referral's name"},
		"deal.commissions_posted_check":           {Kind: realty.Invalid, Field: "closed_on", Message: "a posted commission has its closing date, gross and authorisation"},
		"deal.commission_splits_line_no_check":    {Kind: realty.Invalid, Field: "splits", Message: "a commission has at most 100 splits"},
		"deal.commission_splits_payee_check":      {Kind: realty.Invalid, Field: "payee", Message: "must be brokerage, agent or referral"},
		"deal.commission_splits_payee_name_check": {Kind: realty.Invalid, Field: "payee_name", Message: "must be 1 to 200 characters"},
		"deal.commission_splits_side_check":       {Kind: realty.Invalid, Field: "side", Message: "must be listing or buyer"},
		"deal.commission_splits_side_share_check": {Kind: realty.Invalid, Field: "side_share", Message: "must be between 0 and 999,999,999,999.99"},
		"deal.commission_splits_amount_check":     {Kind: realty.Invalid, Field: "amount", Message: "must be between 0 and 999,999,999,999.99"},
		"deal.commission_splits_company_dollar_check": {Kind: realty.Invalid, Field: "company_dollar",
			Message: "must be between 0 and 999,999,999,999.99"},
		"deal.commission_splits_basis_check":     {Kind: realty.Invalid, Field: "basis", Message: "must be 1 to 300 characters"},
		"deal.commission_splits_line_key":        {Kind: realty.Conflict, Field: "line_no", Message: "repeats a line of the commission"},
		"deal.commission_splits_commission_fkey": {Kind: realty.NotFound, Message: "commission not found"},
		"deal.commission_splits_member_fkey":     {Kind: realty.Invalid, Field: "member_id", Message: "no such member"},
		"deal.commission_splits_agent_check":     {Kind: realty.Invalid, Field: "member_id", Message: "an agent's split names the agent, and only an agent's"},
		"deal.commissions_created_by_fkey":       {Kind: realty.Invalid, Field: "created_by", Message: "no such member"},
	})
}

// Commission is a deal's commission: its gross (a rate of the close price
// or an amount), the listing side's share of a dual deal, a referral fee,
// and its splits, which add up to the gross exactly. Until closing the
// splits are a preview at the deal's price; at closing they are computed
// again at the close price, posted to the ledger and no longer change.
type Commission struct {
	ID             realty.ID        `db:"id" json:"id"`
	DealID         realty.ID        `db:"deal_id" json:"deal_id"`
	GrossRate      *decimal.Decimal `db:"gross_rate" json:"gross_rate,omitempty" doc:"percentage of the close price"`
	GrossAmount    *decimal.Decimal `db:"gross_amount" json:"gross_amount,omitempty"`
	ListingSidePct decimal.Decimal  `db:"listing_side_pct" json:"listing_side_pct" doc:"the listing side's percentage of a dual deal's commission"`
	ReferralRate   *decimal.Decimal `db:"referral_rate" json:"referral_rate,omitempty" doc:"percentage of the gross"`
	ReferralAmount *decimal.Decimal `db:"referral_amount" json:"referral_amount,omitempty"`
	ReferralName   *string          `db:"referral_name" json:"referral_name,omitempty"`
	Gross          *decimal.Decimal `db:"gross" json:"gross,omitempty" doc:"absent while a rate has no price to apply to"`
	ClosedOn       *realty.Date     `db:"closed_on" json:"closed_on,omitempty" doc:"set when the deal closed and the commission was posted"`
	PostedAt       *time.Time       `db:"posted_at" json:"posted_at,omitempty"`
	CDASHA256      *string          `db:"cda_sha256" json:"cda_sha256,omitempty" doc:"SHA-256 of the disbursement authorisation generated at closing"`
	CDADocumentID  *realty.ID       `db:"cda_document_id" json:"cda_document_id,omitempty" doc:"the authorisation filed at closing as a PDF document of the deal"`
	CreatedAt      time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time        `db:"updated_at" json:"updated_at"`
	Splits         []Split          `db:"-" json:"splits"`
}

const commissionColumns = `id, deal_id, gross_rate, gross_amount, listing_side_pct, referral_rate, referral_amount, referral_name,
	gross, closed_on, posted_at, cda_sha256, cda_document_id, created_at, updated_at`

// CommissionInput sets a deal's commission: exactly one of GrossRate and
// GrossAmount; at most one of ReferralRate and ReferralAmount, with
// ReferralName. ListingSidePct defaults to 50.
type CommissionInput struct {
	GrossRate      *decimal.Decimal `json:"gross_rate,omitempty" doc:"percentage of the close price, e.g. \"3\""`
	GrossAmount    *decimal.Decimal `json:"gross_amount,omitempty"`
	ListingSidePct *decimal.Decimal `json:"listing_side_pct,omitempty" doc:"the listing side's percentage of a dual deal's commission (default 50)"`
	ReferralRate   *decimal.Decimal `json:"referral_rate,omitempty" doc:"percentage of the gross"`
	ReferralAmount *decimal.Decimal `json:"referral_amount,omitempty"`
	ReferralName   *string          `json:"referral_name,omitempty" maxLength:"200"`
}

func (in CommissionInput) validate() error {
	if (in.GrossRate == nil) == (in.GrossAmount == nil) {
		return realty.FieldError("gross_rate", "give exactly one of gross_rate and gross_amount")
	}
	if in.ReferralRate != nil && in.ReferralAmount != nil {
		return realty.FieldError("referral_rate", "give at most one of referral_rate and referral_amount")
	}
	if (in.ReferralName != nil) != (in.ReferralRate != nil || in.ReferralAmount != nil) {
		return realty.FieldError("referral_name", "a referral fee needs its rate or amount and the referral's name")
	}
	for field, v := range map[string]*decimal.Decimal{"gross_amount": in.GrossAmount, "referral_amount": in.ReferralAmount} {
		if v != nil && !v.Equal(v.Round(2)) {
			return realty.FieldError(field, "must be in whole cents")
		}
	}
	return nil
}

var errCommissionPosted = &realty.Error{Kind: realty.Conflict, Message: "the commission was posted at closing and no longer changes",
	Fields: map[string]string{"gross_rate": "the commission was posted at closing"}}

// SetCommission sets (or replaces) a deal's commission and returns it with
// its splits previewed at the deal's price. Errors: Forbidden without
// deal.write; NotFound for a deal the actor may not see; Invalid naming
// the field; Conflict when the commission was posted at closing or the
// deal ended without closing.
func (s *Service) SetCommission(ctx context.Context, actor realty.Actor, dealID realty.ID, in CommissionInput) (Commission, error) {
	if err := actor.Require("deal.write"); err != nil {
		return Commission{}, err
	}
	if err := in.validate(); err != nil {
		return Commission{}, err
	}
	if in.ListingSidePct == nil {
		fifty := decimal.NewFromInt(50)
		in.ListingSidePct = &fifty
	}
	var out Commission
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		d, err := GetTx(ctx, tx, actor, dealID, true)
		if err != nil {
			return err
		}
		if Final(d.Stage) {
			return &realty.Error{Kind: realty.Conflict, Message: "the deal is " + d.Stage + ": its commission no longer changes"}
		}
		rows, err := tx.Query(ctx, `INSERT INTO deal.commissions (organization_id, id, deal_id, gross_rate, gross_amount, listing_side_pct,
				referral_rate, referral_amount, referral_name, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (organization_id, deal_id) DO UPDATE SET gross_rate = $4, gross_amount = $5, listing_side_pct = $6,
				referral_rate = $7, referral_amount = $8, referral_name = $9 WHERE commissions.posted_at IS NULL
			RETURNING `+commissionColumns, actor.OrgID, realty.NewID(), d.ID, in.GrossRate, in.GrossAmount, in.ListingSidePct,
			in.ReferralRate, in.ReferralAmount, in.ReferralName, memberOrNil(actor))
		if err != nil {
			return err
		}
		c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Commission])
		if errors.Is(err, pgx.ErrNoRows) {
			return errCommissionPosted
		}
		if err != nil {
			return err
		}
		asOf := realty.DateOf(s.now().UTC())
		if d.ExpectedClose != nil {
			asOf = *d.ExpectedClose
		}
		out, err = commissionSplitTx(ctx, tx, actor, d, c, asOf, false)
		return err
	})
	return out, err
}

// Commission returns a deal's commission with its splits. Errors:
// Forbidden without deal.read; NotFound for a deal the actor may not see
// or one without a commission.
func (s *Service) Commission(ctx context.Context, actor realty.Actor, dealID realty.ID) (Commission, error) {
	if err := actor.Require("deal.read"); err != nil {
		return Commission{}, err
	}
	var out Commission
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, dealID, false); err != nil {
			return err
		}
		c, err := commissionTx(ctx, tx, actor, dealID, false)
		if err != nil {
			return err
		}
		if c == nil {
			return &realty.Error{Kind: realty.NotFound, Message: "the deal has no commission set"}
		}
		out = *c
		out.Splits, err = commissionSplitsTx(ctx, tx, actor, c.ID)
		return err
	})
	return out, err
}

// commissionTx is a deal's commission (nil when none is set), locked FOR
// UPDATE when lock is set.
func commissionTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, dealID realty.ID, lock bool) (*Commission, error) {
	q := `SELECT ` + commissionColumns + ` FROM deal.commissions WHERE organization_id = $1 AND deal_id = $2`
	if lock {
		q += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, q, actor.OrgID, dealID)
	if err != nil {
		return nil, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Commission])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return &c, err
}

const splitColumns = `id, line_no, payee, member_id, payee_name, side, side_share, amount, company_dollar, basis,
	paid_on, paid_reference, paid_at`

func commissionSplitsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, commissionID realty.ID) ([]Split, error) {
	rows, err := tx.Query(ctx, `SELECT `+splitColumns+`
		FROM deal.commission_splits WHERE organization_id = $1 AND commission_id = $2 ORDER BY line_no`, actor.OrgID, commissionID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Split])
}

// commissionGross is the commission's gross at price: its amount, or its
// rate of the price rounded half-even to the cent; nil when a rate has no
// price.
func commissionGross(c Commission, price *decimal.Decimal) *decimal.Decimal {
	if c.GrossAmount != nil {
		return c.GrossAmount
	}
	if price == nil {
		return nil
	}
	g := price.Mul(*c.GrossRate).Div(hundred).RoundBank(2)
	return &g
}

// commissionSplitTx computes the commission's gross and splits for deal d
// (at its close price, else its price) as of day asOf (whose cap year
// counts), replaces the stored splits and gross, and returns the
// commission with them. lock takes the agents' plans FOR UPDATE, so two
// closings of one agent's deals count their cap one after the other.
func commissionSplitTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, c Commission, asOf realty.Date, lock bool) (Commission, error) {
	price := d.ClosePrice
	if price == nil {
		price = d.Price
	}
	c.Gross = commissionGross(c, price)
	c.Splits = []Split{}
	if c.Gross != nil {
		sides, err := commissionSidesTx(ctx, tx, actor, d, c, asOf, lock)
		if err != nil {
			return Commission{}, err
		}
		o, err := org.OrganizationTx(ctx, tx, actor)
		if err != nil {
			return Commission{}, err
		}
		in := splitInput{Gross: *c.Gross, ReferralRate: c.ReferralRate, ReferralAmount: c.ReferralAmount, Sides: sides, BrokerageName: o.Name}
		if c.ReferralName != nil {
			in.ReferralName = *c.ReferralName
		}
		c.Splits = commissionSplits(in)
	}
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM deal.commission_splits WHERE organization_id = $1 AND commission_id = $2`, actor.OrgID, c.ID)
	for i := range c.Splits {
		c.Splits[i].ID = realty.NewID()
		sp := c.Splits[i]
		b.Queue(`INSERT INTO deal.commission_splits (organization_id, id, commission_id, line_no, payee, member_id, payee_name, side,
			side_share, amount, company_dollar, basis) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			actor.OrgID, sp.ID, c.ID, sp.LineNo, sp.Payee, sp.MemberID, sp.PayeeName, sp.Side, sp.SideShare, sp.Amount,
			sp.CompanyDollar, sp.Basis)
	}
	b.Queue(`UPDATE deal.commissions SET gross = $3 WHERE organization_id = $1 AND id = $2`, actor.OrgID, c.ID, c.Gross)
	return c, tx.SendBatch(ctx, b).Close()
}
