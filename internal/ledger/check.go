package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Finding is one invariant of the books and the rows that break it.
type Finding struct {
	Name string
	// Rows describe each offending row; none when the invariant holds.
	Rows []string
}

// OK reports whether the invariant holds.
func (f Finding) OK() bool { return len(f.Rows) == 0 }

// invariant is one check: a query naming organization_id = $1 whose every
// row is an offence, rendered as one line.
type invariant struct {
	name, sql string
}

// invariants are the journal's rules that hold at this stage of the books
// (subledger invariants join as the subledgers do).
var invariants = []invariant{
	{"every entry balances (two lines or more, debits = credits)", `SELECT format('entry %s dated %s: %s lines, debits %s, credits %s', e.id, e.entry_date,
			count(l.id), coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0))
		FROM ledger.journal_entries e LEFT JOIN ledger.journal_lines l ON l.organization_id = e.organization_id AND l.entry_id = e.id
		WHERE e.organization_id = $1 GROUP BY e.id, e.entry_date
		HAVING count(l.id) < 2 OR coalesce(sum(l.debit), 0) <> coalesce(sum(l.credit), 0) ORDER BY e.entry_date, e.id`},
	{"the trial balance sums to zero", `SELECT format('debits %s, credits %s', sum(debit), sum(credit))
		FROM ledger.journal_lines WHERE organization_id = $1 HAVING sum(debit) <> sum(credit)`},
	{"no entry is dated in a period closed before it was posted", `SELECT format('entry %s dated %s posted %s, period closed %s', e.id, e.entry_date, e.posted_at, p.closed_at)
		FROM ledger.journal_entries e JOIN ledger.accounting_periods p ON p.organization_id = e.organization_id
			AND p.period = date_trunc('month', e.entry_date)::date AND p.status = 'closed' AND p.closed_at <= e.posted_at
		WHERE e.organization_id = $1 ORDER BY e.entry_date, e.id`},
	{"every reversal mirrors its original (lines swapped, same source)", `SELECT format('reversal %s of %s', r.id, o.id)
		FROM ledger.journal_entries r JOIN ledger.journal_entries o ON o.organization_id = r.organization_id AND o.id = r.reverses
		WHERE r.organization_id = $1 AND (o.source_type <> r.source_type OR o.source_id IS DISTINCT FROM r.source_id
			OR EXISTS (SELECT account_id, debit, credit, property_id, unit_id, lease_id, tenant_id FROM ledger.journal_lines
				WHERE organization_id = r.organization_id AND entry_id = r.id
				EXCEPT ALL SELECT account_id, credit, debit, property_id, unit_id, lease_id, tenant_id FROM ledger.journal_lines
				WHERE organization_id = o.organization_id AND entry_id = o.id)
			OR EXISTS (SELECT account_id, credit, debit, property_id, unit_id, lease_id, tenant_id FROM ledger.journal_lines
				WHERE organization_id = o.organization_id AND entry_id = o.id
				EXCEPT ALL SELECT account_id, debit, credit, property_id, unit_id, lease_id, tenant_id FROM ledger.journal_lines
				WHERE organization_id = r.organization_id AND entry_id = r.id))
		ORDER BY r.id`},
	{"every system account exists", `SELECT format('system account %s is missing', k)
		FROM unnest($2::text[]) k
		WHERE NOT EXISTS (SELECT FROM ledger.accounts a WHERE a.organization_id = $1 AND a.system_key = k) ORDER BY k`},
}

func systemKeys() []string {
	keys := make([]string, len(SystemAccounts))
	for i, a := range SystemAccounts {
		keys[i] = a.Key
	}
	return keys
}

// CheckDB verifies the invariants of organization orgID's books through
// db: a transaction scoped to it (Check), or an administrative connection
// (the doctor's). Each finding lists the rows that break it.
func CheckDB(ctx context.Context, db postgres.DB, orgID realty.ID) ([]Finding, error) {
	var out []Finding
	for _, inv := range invariants {
		args := []any{orgID}
		if inv.name == "every system account exists" {
			args = append(args, systemKeys())
		}
		rows, err := db.Query(ctx, inv.sql, args...)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", inv.name, err)
		}
		bad, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", inv.name, err)
		}
		out = append(out, Finding{Name: inv.name, Rows: bad})
	}
	return out, nil
}

// Check verifies the invariants of the actor's organization's books.
// Forbidden without ledger.read.
func (s *Service) Check(ctx context.Context, actor realty.Actor) ([]Finding, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return nil, err
	}
	var out []Finding
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = CheckDB(ctx, tx, actor.OrgID)
		return err
	})
	return out, err
}

// Organizations returns the ids of every organization with a chart of
// accounts, read through an administrative connection (the runtime role
// sees one organization at a time).
func Organizations(ctx context.Context, db postgres.DB) ([]realty.ID, error) {
	rows, err := db.Query(ctx, `SELECT DISTINCT organization_id FROM ledger.accounts ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[realty.ID])
}
