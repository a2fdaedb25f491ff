package deal

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// Deal is one transaction. Stage changes only through the stage machine.
type Deal struct {
	ID             realty.ID        `db:"id" json:"id"`
	Title          string           `db:"title" json:"title"`
	Kind           string           `db:"kind" json:"kind" enum:"purchase,sale,lease,referral,refinance"`
	Side           string           `db:"side" json:"side" enum:"buyer,seller,dual"`
	Stage          string           `db:"stage" json:"stage" enum:"lead,active,offer,under_contract,due_diligence,clear_to_close,closed,fell_through,withdrawn"`
	PropertyID     *realty.ID       `db:"property_id" json:"property_id,omitempty"`
	ListingID      *realty.ID       `db:"listing_id" json:"listing_id,omitempty"`
	AgentID        *realty.ID       `db:"agent_id" json:"agent_id,omitempty"`
	Price          *decimal.Decimal `db:"price" json:"price,omitempty"`
	ContractDate   *realty.Date     `db:"contract_date" json:"contract_date,omitempty"`
	ExpectedClose  *realty.Date     `db:"expected_close" json:"expected_close,omitempty"`
	ActualClose    *realty.Date     `db:"actual_close" json:"actual_close,omitempty"`
	ClosePrice     *decimal.Decimal `db:"close_price" json:"close_price,omitempty"`
	Notes          *string          `db:"notes" json:"notes,omitempty"`
	StageChangedAt time.Time        `db:"stage_changed_at" json:"stage_changed_at"`
	CreatedBy      *realty.ID       `db:"created_by" json:"created_by,omitempty"`
	CreatedAt      time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time        `db:"updated_at" json:"updated_at"`
}

const dealColumns = `id, title, kind, side, stage, property_id, listing_id, agent_id, price, contract_date,
	expected_close, actual_close, close_price, notes, stage_changed_at, created_by, created_at, updated_at`

// Input is what opening a deal takes. AgentID defaults to the actor; only
// holders of deal.manage may name another member.
type Input struct {
	Title         string           `json:"title" maxLength:"200"`
	Kind          string           `json:"kind" enum:"purchase,sale,lease,referral,refinance"`
	Side          string           `json:"side" enum:"buyer,seller,dual"`
	PropertyID    *realty.ID       `json:"property_id,omitempty"`
	ListingID     *realty.ID       `json:"listing_id,omitempty"`
	AgentID       *realty.ID       `json:"agent_id,omitempty"`
	Price         *decimal.Decimal `json:"price,omitempty"`
	ContractDate  *realty.Date     `json:"contract_date,omitempty"`
	ExpectedClose *realty.Date     `json:"expected_close,omitempty"`
	Notes         *string          `json:"notes,omitempty" maxLength:"8000"`
}

// Create opens a deal at the lead stage and records that first stage in
// its history. Errors: Forbidden without deal.write (or naming another
// agent without deal.manage); Invalid naming the field for bad input or a
// property, listing or member that is not the organization's.
func (s *Service) Create(ctx context.Context, actor realty.Actor, in Input) (Deal, error) {
	if err := actor.Require("deal.write"); err != nil {
		return Deal{}, err
	}
	if in.AgentID == nil && !actor.MemberID.IsZero() {
		in.AgentID = &actor.MemberID
	}
	if in.AgentID != nil && *in.AgentID != actor.MemberID {
		if err := actor.Require("deal.manage"); err != nil {
			return Deal{}, err
		}
	}
	var out Deal
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		id := realty.NewID()
		rows, err := tx.Query(ctx, `INSERT INTO deal.deals (organization_id, id, title, kind, side, property_id, listing_id,
			agent_id, price, contract_date, expected_close, notes, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING `+dealColumns,
			actor.OrgID, id, in.Title, in.Kind, in.Side, in.PropertyID, in.ListingID, in.AgentID, in.Price,
			in.ContractDate, in.ExpectedClose, in.Notes, memberOrNil(actor))
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Deal]); err != nil {
			return err
		}
		return historyTx(ctx, tx, actor, id, "", Lead, "opened")
	})
	return out, err
}

// Get returns one deal. Errors: Forbidden without deal.read; NotFound when
// it is not the organization's or not the actor's own (without
// deal.manage).
func (s *Service) Get(ctx context.Context, actor realty.Actor, id realty.ID) (Deal, error) {
	if err := actor.Require("deal.read"); err != nil {
		return Deal{}, err
	}
	var out Deal
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = GetTx(ctx, tx, actor, id, false)
		return err
	})
	return out, err
}

// GetTx reads one deal the actor may see inside tx, locking it FOR UPDATE
// when lock is set. Errors: NotFound.
func GetTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, lock bool) (Deal, error) {
	q := `SELECT ` + dealColumns + ` FROM deal.deals WHERE organization_id = $1 AND id = $2 AND ($3 OR agent_id = $4)`
	if lock {
		q += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, q, actor.OrgID, id, seesAll(actor), actor.MemberID)
	if err != nil {
		return Deal{}, err
	}
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Deal])
	return d, notFound(err, "deal")
}

// historyTx records one stage change of a deal.
func historyTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, dealID realty.ID, from, to, reason string) error {
	var fromArg, reasonArg *string
	if from != "" {
		fromArg = &from
	}
	if reason != "" {
		reasonArg = &reason
	}
	_, err := tx.Exec(ctx, `INSERT INTO deal.deal_stage_history (organization_id, id, deal_id, from_stage, to_stage, reason, changed_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, actor.OrgID, realty.NewID(), dealID, fromArg, to, reasonArg, memberOrNil(actor))
	return err
}

// notFound turns no row into NotFound naming what.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return &realty.Error{Kind: realty.NotFound, Message: what + " not found"}
	}
	return err
}

// seesAll reports whether the actor sees every deal, not only their own.
func seesAll(actor realty.Actor) bool { return actor.IsSystem() || actor.Can("deal.manage") }

// memberOrNil is the actor's member id, nil for System.
func memberOrNil(actor realty.Actor) *realty.ID {
	if actor.MemberID.IsZero() {
		return nil
	}
	return &actor.MemberID
}
