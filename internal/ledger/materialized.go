package ledger

import (
	"context"

	"realty"
)

// The ledger's materialized reads (docs/ledger.md, "Materialized
// reports"): each is its live computation kept in ledger.report_snapshots
// and served while its inputs show no change (Materialize).

// ReceivablesMarkSQL reads the newest change to organization $1's
// invoices, payments and allocations: what AR aging, collections and lease
// balances read, and the ledger's part of another domain's materialized
// report's watermark (a rent roll's balances). Each max is one probe down
// its updated_at index.
const ReceivablesMarkSQL = `SELECT greatest(
	(SELECT max(updated_at) FROM ledger.invoices WHERE organization_id = $1),
	(SELECT max(updated_at) FROM ledger.payments WHERE organization_id = $1),
	(SELECT max(updated_at) FROM ledger.payment_allocations WHERE organization_id = $1))`

// journalMarkSQL is the newest change to organization $1's journal (lines
// are written with their entry and never changed) and chart of accounts:
// what the statements read.
const journalMarkSQL = `SELECT greatest(
	(SELECT max(updated_at) FROM ledger.journal_entries WHERE organization_id = $1),
	(SELECT max(updated_at) FROM ledger.accounts WHERE organization_id = $1))`

// Aging buckets each invoice's balance as of asOf (issued by then, not
// voided by then, less the allocations made by then and not undone by
// then) by days past its due date, served from its snapshot while the
// organization's receivables show no change (at most SnapshotMaxAge
// behind a writer in flight). Forbidden without invoice.read.
func (s *Service) Aging(ctx context.Context, actor realty.Actor, asOf realty.Date) (Aging, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Aging{}, err
	}
	r := Report{Kind: "aging", Params: asOf.String(), MarkSQL: ReceivablesMarkSQL}
	return Materialize(ctx, s, actor, r, func(ctx context.Context) (Aging, error) { return s.aging(ctx, actor, asOf) })
}

// AgingTotal is AR aging's total as of asOf (Aging's total row without the
// per-tenant rows), what the dashboard shows, materialized as Aging is.
// Forbidden without invoice.read.
func (s *Service) AgingTotal(ctx context.Context, actor realty.Actor, asOf realty.Date) (AgingRow, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return AgingRow{}, err
	}
	r := Report{Kind: "aging_total", Params: asOf.String(), MarkSQL: ReceivablesMarkSQL}
	return Materialize(ctx, s, actor, r, func(ctx context.Context) (AgingRow, error) { return s.agingTotal(ctx, actor, asOf) })
}

// LiveAgingTotal is AgingTotal computed from the invoices, not from a
// snapshot: for a report materialized elsewhere that includes it (a
// recompute must not wait on another). Forbidden without invoice.read.
func (s *Service) LiveAgingTotal(ctx context.Context, actor realty.Actor, asOf realty.Date) (AgingRow, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return AgingRow{}, err
	}
	return s.agingTotal(ctx, actor, asOf)
}

// LiveCollections is Collections computed from the invoices, not from a
// snapshot, as LiveAgingTotal is. Forbidden without invoice.read.
func (s *Service) LiveCollections(ctx context.Context, actor realty.Actor, month realty.Date) (Collections, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Collections{}, err
	}
	first, _ := monthSpan(month)
	return s.collections(ctx, actor, first)
}

// Collections sums the issued, not voided invoices due in the month of
// month (any day of it) and what has been paid on them, materialized as
// Aging is. Forbidden without invoice.read.
func (s *Service) Collections(ctx context.Context, actor realty.Actor, month realty.Date) (Collections, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Collections{}, err
	}
	first, _ := monthSpan(month)
	r := Report{Kind: "collections", Params: first.String(), MarkSQL: ReceivablesMarkSQL}
	return Materialize(ctx, s, actor, r, func(ctx context.Context) (Collections, error) { return s.collections(ctx, actor, first) })
}

// IncomeStatement sums the income and expense accounts' lines dated from
// from to to (both included), of one property when propertyID is set,
// served from its snapshot while the journal and the chart show no change
// (ComputedAt says when the figures were read). Forbidden without
// ledger.read; Invalid naming to for a reversed or over-long range. A
// property not the organization's has no lines: its statement is empty.
func (s *Service) IncomeStatement(ctx context.Context, actor realty.Actor, from, to realty.Date, propertyID *realty.ID) (IncomeStatement, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return IncomeStatement{}, err
	}
	if err := checkRange(from, to); err != nil {
		return IncomeStatement{}, err
	}
	params := from.String() + ".." + to.String()
	if propertyID != nil {
		params += "|property=" + propertyID.String()
	}
	r := Report{Kind: "income_statement", Params: params, MarkSQL: journalMarkSQL}
	return Materialize(ctx, s, actor, r, func(ctx context.Context) (IncomeStatement, error) {
		return s.incomeStatement(ctx, actor, from, to, propertyID)
	})
}
