package ledger

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

// Period is an accounting month and whether it is closed.
type Period struct {
	Period   realty.Date `db:"period" json:"period" doc:"the month's first day"`
	Status   string      `db:"status" json:"status" enum:"open,closed"`
	ClosedAt *time.Time  `db:"closed_at" json:"closed_at,omitempty"`
	ClosedBy *realty.ID  `db:"closed_by" json:"closed_by,omitempty" doc:"the user who closed it"`
}

// Periods lists the closed periods, newest first (a month without a row is
// open). Forbidden without ledger.read.
func (s *Service) Periods(ctx context.Context, actor realty.Actor) ([]Period, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[Period](ctx, s.pool, actor, `SELECT period, status, closed_at, closed_by FROM ledger.accounting_periods
		WHERE organization_id = $1 ORDER BY period DESC`, actor.OrgID)
}

// ClosePeriod closes the month holding day month, and every earlier month
// still open back to the first month with a posting, so the closed periods
// are always everything up to a month. Forbidden without ledger.manage;
// otherwise as ClosePeriodTx.
func (s *Service) ClosePeriod(ctx context.Context, actor realty.Actor, month realty.Date) ([]Period, error) {
	var out []Period
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.ClosePeriodTx(ctx, tx, actor, month)
		return err
	})
	return out, err
}

// ClosePeriodTx is ClosePeriod in the caller's transaction. Forbidden
// without ledger.manage; Invalid naming period for a month that has not
// ended in the organization's time zone; Conflict when it is closed
// already. It waits for postings in flight into the months it closes (they
// hold the month's shared lock) and returns the months it closed.
func (s *Service) ClosePeriodTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, month realty.Date) ([]Period, error) {
	if err := actor.Require("ledger.manage"); err != nil {
		return nil, err
	}
	first := realty.Date{Year: month.Year, Month: month.Month, Day: 1}
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return nil, err
	}
	today, err := AccountingDate(s.now(), o.TimeZone)
	if err != nil {
		return nil, err
	}
	if today.Before(realty.DateOf(first.Time().AddDate(0, 1, 0))) {
		return nil, realty.FieldError("period", "the month "+first.Time().Format("2006-01")+" has not ended")
	}
	from, err := closeFrom(ctx, tx, actor, first)
	if err != nil {
		return nil, err
	}
	var closed []Period
	for m := from; !first.Before(m); m = realty.DateOf(m.Time().AddDate(0, 1, 0)) {
		p, err := closeMonth(ctx, tx, actor, m)
		if err != nil {
			return nil, err
		}
		closed = append(closed, p)
	}
	return closed, nil
}

// closeFrom is the first month to close up to first: the month after the
// last closed one, or the first month with a posting (or first itself).
// Conflict when first is closed already.
func closeFrom(ctx context.Context, tx pgx.Tx, actor realty.Actor, first realty.Date) (realty.Date, error) {
	var lastClosed, firstPosted *realty.Date
	err := tx.QueryRow(ctx, `SELECT (SELECT max(period) FROM ledger.accounting_periods WHERE organization_id = $1 AND status = 'closed'),
		(SELECT date_trunc('month', min(entry_date))::date FROM ledger.journal_entries WHERE organization_id = $1)`, actor.OrgID).Scan(&lastClosed, &firstPosted)
	if err != nil {
		return realty.Date{}, err
	}
	switch {
	case lastClosed != nil && !lastClosed.Before(first):
		p := first.Time().Format("2006-01")
		return realty.Date{}, &realty.Error{Kind: realty.Conflict, Message: "period " + p + " is closed already", Fields: map[string]string{"period": "is closed already"}}
	case lastClosed != nil:
		return realty.DateOf(lastClosed.Time().AddDate(0, 1, 0)), nil
	case firstPosted != nil && firstPosted.Before(first):
		return *firstPosted, nil
	}
	return first, nil
}

// closeMonth takes the month's lock (waiting for postings into it to
// commit) and marks it closed at that instant.
func closeMonth(ctx context.Context, tx pgx.Tx, actor realty.Actor, m realty.Date) (Period, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('ledger.period:' || $1::text, $2::date - date '2000-01-01'))`,
		actor.OrgID, m); err != nil {
		return Period{}, err
	}
	var by *realty.ID
	if !actor.UserID.IsZero() {
		by = &actor.UserID
	}
	rows, err := tx.Query(ctx, `INSERT INTO ledger.accounting_periods (organization_id, id, period, status, closed_at, closed_by)
		VALUES ($1, $2, $3, 'closed', clock_timestamp(), $4)
		ON CONFLICT (organization_id, period) DO UPDATE SET status = 'closed', closed_at = clock_timestamp(), closed_by = $4
		RETURNING period, status, closed_at, closed_by`, actor.OrgID, realty.NewID(), m, by)
	if err != nil {
		return Period{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Period])
}
