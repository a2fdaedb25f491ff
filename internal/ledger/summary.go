package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

// The monthly summary (ledger.balance_months, ledger.month_balances;
// docs/ledger.md, "The monthly summary") holds each account's debits and
// credits per property and calendar month for the months before the
// current one. The statements read a month from it while the month is
// clean and from the journal lines otherwise, so the figures never lag the
// journal: a posting into a summarized month marks the month dirty in its
// own transaction, and only the speed waits for the next refresh.

// SummaryRefresh is what one RefreshSummary did.
type SummaryRefresh struct {
	Months []realty.Date `json:"months" doc:"the months summed again, oldest first"`
}

// RefreshSummary sums again every month before the current one (UTC, by
// the service's clock and never past the database's) that has journal entries and no clean summary: new
// months and those a late posting marked dirty. Each month is its own
// transaction, under the month's exclusive period lock so no posting into
// it commits meanwhile. Idempotent: a second run with nothing posted does
// nothing. Forbidden without ledger.manage.
func (s *Service) RefreshSummary(ctx context.Context, actor realty.Actor) (SummaryRefresh, error) {
	out := SummaryRefresh{Months: []realty.Date{}}
	if err := actor.Require("ledger.manage"); err != nil {
		return out, err
	}
	now := s.now().UTC()
	cut := realty.Date{Year: now.Year(), Month: now.Month(), Day: 1}
	months, err := postgres.ReadAll[monthRow](ctx, s.pool, actor, staleMonthsSQL, actor.OrgID, cut)
	if err != nil {
		return out, err
	}
	for _, m := range months {
		if err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error { return sumMonthTx(ctx, tx, actor, m.Month) }); err != nil {
			return out, fmt.Errorf("summary of %s: %w", m.Month, err)
		}
		out.Months = append(out.Months, m.Month)
	}
	return out, nil
}

type monthRow struct {
	Month realty.Date `db:"month"`
}

// staleMonthsSQL finds the months with entries ($1 the organization)
// before $2 and before the database's current UTC month (the period_open
// trigger's dirty mark finds rows only for months before that one), a month at a time down
// journal_entries_date_idx (a loose index scan: one probe per month, not a
// read of the journal), and keeps those without a clean summary.
const staleMonthsSQL = `WITH RECURSIVE cut AS (SELECT least($2::date, date_trunc('month', now() AT TIME ZONE 'UTC')::date) AS day),
	m AS (
		SELECT (SELECT date_trunc('month', min(e.entry_date))::date FROM ledger.journal_entries e
			WHERE e.organization_id = $1 AND e.entry_date < (SELECT day FROM cut)) AS month
		UNION ALL
		SELECT (SELECT date_trunc('month', min(e.entry_date))::date FROM ledger.journal_entries e
			WHERE e.organization_id = $1 AND e.entry_date >= (m.month + interval '1 month')::date AND e.entry_date < (SELECT day FROM cut))
		FROM m WHERE m.month IS NOT NULL)
	SELECT m.month FROM m WHERE m.month IS NOT NULL
		AND NOT EXISTS (SELECT FROM ledger.balance_months b WHERE b.organization_id = $1 AND b.month = m.month AND NOT b.dirty)
	ORDER BY m.month`

// sumMonthTx takes the month's period lock exclusively (waiting for the
// postings into it to commit, holding new ones until this commits), sums
// its lines by account and property into month_balances and marks the
// month clean. Lines are never deleted, so a month's rows only gain.
func sumMonthTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, month realty.Date) error {
	next := realty.DateOf(month.Time().AddDate(0, 1, 0))
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended('ledger.period:' || $1::text, $2::date - date '2000-01-01'))`, actor.OrgID, month)
	b.Queue(`INSERT INTO ledger.balance_months AS b (organization_id, id, month, dirty, refreshed_at) VALUES ($1, $2, $3, false, statement_timestamp())
		ON CONFLICT (organization_id, month) DO UPDATE SET dirty = false, refreshed_at = excluded.refreshed_at`, actor.OrgID, realty.NewID(), month)
	b.Queue(`INSERT INTO ledger.month_balances AS mb (organization_id, id, month, account_id, property_id, debit, credit, lines)
		SELECT $1::uuid, md5($2::date::text || a.id::text || coalesce(t.property_id::text, ''))::uuid, $2::date, a.id, t.property_id, t.debit, t.credit, t.n
		FROM ledger.accounts a CROSS JOIN LATERAL (SELECT l.property_id, sum(l.debit) AS debit, sum(l.credit) AS credit, count(*)::int AS n
			FROM ledger.journal_lines l WHERE l.organization_id = $1 AND l.account_id = a.id AND l.entry_date >= $2 AND l.entry_date < $3
			GROUP BY l.property_id) t
		WHERE a.organization_id = $1
		ON CONFLICT (organization_id, id) DO UPDATE SET debit = excluded.debit, credit = excluded.credit, lines = excluded.lines
			WHERE (mb.debit, mb.credit, mb.lines) IS DISTINCT FROM (excluded.debit, excluded.credit, excluded.lines)`,
		actor.OrgID, month, next)
	return tx.SendBatch(ctx, b).Close()
}

// SummaryArgs is the job that refreshes every organization's monthly
// summary.
type SummaryArgs struct{}

// Kind names the job in River.
func (SummaryArgs) Kind() string { return "ledger.refresh_summary" }

// InsertOpts make the job unique per hour.
func (SummaryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// SummaryWorker runs RefreshSummary as realty.System of each organization
// in turn.
type SummaryWorker struct {
	river.WorkerDefaults[SummaryArgs]
	Ledger *Service
}

// Work refreshes every organization's summary; an error makes River retry
// (the months done stay done).
func (w *SummaryWorker) Work(ctx context.Context, _ *river.Job[SummaryArgs]) error {
	return org.EachOrganization(ctx, w.Ledger.pool, func(id realty.ID) error {
		if _, err := w.Ledger.RefreshSummary(ctx, realty.System(id)); err != nil {
			return fmt.Errorf("ledger summary of %s: %w", id, err)
		}
		return nil
	})
}

// ForgetSummaryTx deletes the organization's monthly summary in tx, for a
// writer that inserts journal rows with triggers off (the benchmark's
// seed, under session_replication_role = replica), which the period_open
// trigger does not see: the next RefreshSummary sums every month again.
// The balances go first, as no foreign key cascades with triggers off.
func ForgetSummaryTx(ctx context.Context, tx pgx.Tx, orgID realty.ID) error {
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM ledger.month_balances WHERE organization_id = $1`, orgID)
	b.Queue(`DELETE FROM ledger.balance_months WHERE organization_id = $1`, orgID)
	return tx.SendBatch(ctx, b).Close()
}
