package leasing

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// Deposit is a lease's security deposit: what its terms ask, what the books
// hold for it, and its move-out disposition once made.
type Deposit struct {
	LeaseID     realty.ID           `json:"lease_id"`
	Terms       ledger.Money        `json:"terms" doc:"the deposit the lease asks (billed with its first month)"`
	Held        ledger.Money        `json:"held" doc:"security deposits held for the lease now"`
	Disposition *ledger.Disposition `json:"disposition,omitempty"`
}

// DispositionInput is a move-out disposition: the deductions kept, each
// with its reason; the rest of the deposit is refunded.
type DispositionInput struct {
	Date       *realty.Date
	Deductions []ledger.DeductionInput
}

// LeaseDeposit returns a lease's deposit. Forbidden without lease.read or
// invoice.read; NotFound.
func (s *Service) LeaseDeposit(ctx context.Context, actor realty.Actor, id realty.ID) (Deposit, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Deposit{}, err
	}
	if err := actor.Require("lease.read"); err != nil {
		return Deposit{}, err
	}
	var out Deposit
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.depositTx(ctx, tx, actor, id, false)
		return err
	})
	return out, err
}

func (s *Service) depositTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, lock bool) (Deposit, error) {
	l, err := leaseTx(ctx, tx, actor, id, lock)
	if err != nil {
		return Deposit{}, err
	}
	held, err := s.books.DepositHeldTx(ctx, tx, actor, id)
	if err != nil {
		return Deposit{}, err
	}
	d, err := s.books.DispositionTx(ctx, tx, actor, id)
	return Deposit{LeaseID: id, Terms: ledger.M(l.Deposit), Held: ledger.M(held), Disposition: d}, err
}

// DisposeDeposit disposes of an ended or moved-out lease's security
// deposit in one posting (ledger.DisposeDepositTx): the deductions charged
// to the primary tenant and paid from the deposit, the rest refunded.
// Forbidden without invoice.manage; NotFound; Conflict naming status for
// a lease neither ended nor moved out, or when the deposit was already
// disposed of; Invalid naming deductions above the deposit held.
func (s *Service) DisposeDeposit(ctx context.Context, actor realty.Actor, id realty.ID, in DispositionInput) (Deposit, error) {
	var out Deposit
	err := postgres.Retry(ctx, func() error {
		return s.tx(ctx, actor, func(tx pgx.Tx) error {
			var err error
			out, err = s.DisposeDepositTx(ctx, tx, actor, id, in)
			return err
		})
	})
	return out, err
}

// DisposeDepositTx is DisposeDeposit in the caller's transaction (an
// idempotent request's).
func (s *Service) DisposeDepositTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, in DispositionInput) (Deposit, error) {
	if err := actor.Require("invoice.manage"); err != nil {
		return Deposit{}, err
	}
	l, err := leaseTx(ctx, tx, actor, id, true)
	if err != nil {
		return Deposit{}, err
	}
	if l.MoveOutDate == nil && l.Status != "expired" && l.Status != "terminated" {
		return Deposit{}, &realty.Error{Kind: realty.Conflict, Message: "the deposit is disposed of at move-out: record the move-out or end the lease first",
			Fields: map[string]string{"status": l.Status}}
	}
	var tenant realty.ID
	for _, t := range l.Tenants {
		if t.Primary {
			tenant = t.TenantID
		}
	}
	if tenant.IsZero() && len(l.Tenants) > 0 {
		tenant = l.Tenants[0].TenantID
	}
	_, err = s.books.DisposeDepositTx(ctx, tx, actor, ledger.DispositionInput{LeaseID: id, TenantID: tenant, PropertyID: l.PropertyID,
		UnitID: l.UnitID, Date: in.Date, Deductions: in.Deductions})
	if err != nil {
		return Deposit{}, err
	}
	return s.depositTx(ctx, tx, actor, id, false)
}
