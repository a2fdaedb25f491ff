package ledger

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

const entryColumns = `e.id, e.entry_date, e.posted_at, e.memo, e.source_type, e.source_id, e.reverses, e.created_by,
	(SELECT r.id FROM ledger.journal_entries r WHERE r.organization_id = e.organization_id AND r.reverses = e.id) AS reversed_by`

const lineColumns = `entry_id, line_no, account_id, debit, credit, property_id, unit_id, lease_id, tenant_id, memo`

var errEntryNotFound = &realty.Error{Kind: realty.NotFound, Message: "journal entry not found"}

// JournalEntry returns one entry with its lines. Forbidden without
// ledger.read; NotFound for another organization's.
func (s *Service) JournalEntry(ctx context.Context, actor realty.Actor, id realty.ID) (JournalEntry, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return JournalEntry{}, err
	}
	var out JournalEntry
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = entryTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

func entryTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (JournalEntry, error) {
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM ledger.journal_entries e WHERE e.organization_id = $1 AND e.id = $2`, actor.OrgID, id)
	if err != nil {
		return JournalEntry{}, err
	}
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[JournalEntry])
	if err != nil {
		return JournalEntry{}, notFound(err, errEntryNotFound)
	}
	rows, err = tx.Query(ctx, `SELECT `+lineColumns+` FROM ledger.journal_lines WHERE organization_id = $1 AND entry_id = $2 ORDER BY line_no`, actor.OrgID, id)
	if err != nil {
		return JournalEntry{}, err
	}
	e.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[JournalLine])
	return e, err
}

// Reverse posts the reversal of entry id: the same lines with debit and
// credit swapped, referring to it. Forbidden without ledger.post;
// otherwise as ReverseTx.
func (s *Service) Reverse(ctx context.Context, actor realty.Actor, id realty.ID, memo string) (JournalEntry, error) {
	var out JournalEntry
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.ReverseManualTx(ctx, tx, actor, id, memo)
		return err
	})
	return out, err
}

// ReverseManualTx is Reverse inside the caller's transaction: Forbidden
// without ledger.post, then ReverseTx.
func (s *Service) ReverseManualTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, memo string) (JournalEntry, error) {
	if err := actor.Require("ledger.post"); err != nil {
		return JournalEntry{}, err
	}
	return s.ReverseTx(ctx, tx, actor, id, memo)
}

// ReverseTx reverses entry id in the caller's transaction, checking no
// permission. The reversal is dated as the original when its period is
// open, else on the first day of the first open period after it; it
// carries the original's source. NotFound for an unknown entry; Conflict
// when it is already reversed or is itself a reversal.
func (s *Service) ReverseTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, memo string) (JournalEntry, error) {
	// Locking the original makes a second reversal wait, then find the first.
	orig, err := lockedEntry(ctx, tx, actor, id)
	if err != nil {
		return JournalEntry{}, err
	}
	switch {
	case orig.ReversedBy != nil:
		return JournalEntry{}, &realty.Error{Kind: realty.Conflict, Message: "the entry is already reversed by " + orig.ReversedBy.String()}
	case orig.Reverses != nil:
		return JournalEntry{}, &realty.Error{Kind: realty.Conflict, Message: "the entry is a reversal: post a new entry instead"}
	}
	date, err := firstOpenDate(ctx, tx, actor, orig.EntryDate)
	if err != nil {
		return JournalEntry{}, err
	}
	if memo == "" {
		memo = "Reversal of " + orig.ID.String()
	}
	e := Entry{Memo: memo, SourceType: orig.SourceType, SourceID: orig.SourceID}
	for _, l := range orig.Lines {
		e.Lines = append(e.Lines, Line{AccountID: l.AccountID, Debit: l.Credit.Decimal, Credit: l.Debit.Decimal,
			PropertyID: l.PropertyID, UnitID: l.UnitID, LeaseID: l.LeaseID, TenantID: l.TenantID, Memo: deref(l.Memo)})
	}
	rid, err := insertEntry(ctx, tx, actor, e, date, &orig.ID)
	if err != nil {
		return JournalEntry{}, err
	}
	return entryTx(ctx, tx, actor, rid)
}

func lockedEntry(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (JournalEntry, error) {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM ledger.journal_entries WHERE organization_id = $1 AND id = $2 FOR SHARE`, actor.OrgID, id).Scan(&one)
	if err != nil {
		return JournalEntry{}, notFound(err, errEntryNotFound)
	}
	// Serialize reversals of one entry: a share lock lets both through, so
	// take the entry's advisory lock for the rest of the transaction.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('ledger.reverse:' || $1::text, 0))`, id); err != nil {
		return JournalEntry{}, err
	}
	return entryTx(ctx, tx, actor, id)
}

// firstOpenDate is d when its period is open, else the first day after the
// last closed period (closing is always of a month and all before it).
func firstOpenDate(ctx context.Context, tx pgx.Tx, actor realty.Actor, d realty.Date) (realty.Date, error) {
	var last *realty.Date
	err := tx.QueryRow(ctx, `SELECT max(period) FROM ledger.accounting_periods WHERE organization_id = $1 AND status = 'closed'`, actor.OrgID).Scan(&last)
	if err != nil {
		return realty.Date{}, err
	}
	if last == nil {
		return d, nil
	}
	firstOpen := realty.DateOf(last.Time().AddDate(0, 1, 0))
	if d.Before(firstOpen) {
		return firstOpen, nil
	}
	return d, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
