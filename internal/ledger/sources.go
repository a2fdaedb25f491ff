package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// PostDatedTx writes entry e in the caller's transaction tx, as PostTx
// does, for a domain that holds no ledger Service (the deal's effects run
// from its stage machine): the entry must carry its date, which the caller
// takes from its own clock or from the business event (a closing date).
// It returns the new entry's id. Errors as PostTx; Invalid naming
// entry_date when the date is missing.
func PostDatedTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, e Entry) (realty.ID, error) {
	if e.Date == nil {
		return realty.ID{}, realty.FieldError("entry_date", "a dated posting needs its date")
	}
	return (&Service{}).post(ctx, tx, actor, e)
}

// Source names the subledger row that caused entries: a source type and
// the row's id.
type Source struct {
	Type string
	ID   realty.ID
}

// SourceEntries counts, for every source of the given types in organization
// orgID, its entries that are not reversals (Posted) and its reversals
// (Reversed). It reads through db: a transaction scoped to the
// organization, or the doctor's administrative connection. Another
// domain's invariant (RegisterCheck) compares them with its rows.
func SourceEntries(ctx context.Context, db postgres.DB, orgID realty.ID, types []string) (map[Source][2]int, error) {
	rows, err := db.Query(ctx, `SELECT source_type, source_id, count(*) FILTER (WHERE reverses IS NULL), count(*) FILTER (WHERE reverses IS NOT NULL)
		FROM ledger.journal_entries WHERE organization_id = $1 AND source_type = ANY($2) AND source_id IS NOT NULL GROUP BY 1, 2`, orgID, types)
	if err != nil {
		return nil, err
	}
	out := map[Source][2]int{}
	var s Source
	var posted, reversed int
	_, err = pgx.ForEachRow(rows, []any{&s.Type, &s.ID, &posted, &reversed}, func() error {
		out[s] = [2]int{posted, reversed}
		return nil
	})
	return out, err
}

// SourceBalances is, for every source of the given types in organization
// orgID, the balance (credits − debits, a liability's way) that its entries
// put on the system account key. Read through db, as SourceEntries.
func SourceBalances(ctx context.Context, db postgres.DB, orgID realty.ID, key string, types []string) (map[Source]decimal.Decimal, error) {
	rows, err := db.Query(ctx, `SELECT e.source_type, e.source_id, sum(l.credit - l.debit)
		FROM ledger.journal_entries e
		JOIN ledger.journal_lines l ON l.organization_id = e.organization_id AND l.entry_id = e.id
		JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id AND a.system_key = $3
		WHERE e.organization_id = $1 AND e.source_type = ANY($2) AND e.source_id IS NOT NULL GROUP BY 1, 2`, orgID, types, key)
	if err != nil {
		return nil, err
	}
	out := map[Source]decimal.Decimal{}
	var s Source
	var amt decimal.Decimal
	_, err = pgx.ForEachRow(rows, []any{&s.Type, &s.ID, &amt}, func() error {
		out[s] = amt
		return nil
	})
	return out, err
}

// A Check is an invariant of the books that another domain owns (its
// subledger against the journal): it returns one line per offending row.
type Check func(ctx context.Context, db postgres.DB, orgID realty.ID) ([]string, error)

type namedCheck struct {
	name string
	fn   Check
}

// checks are the registered invariants of other domains, run by CheckDB
// after the ledger's own.
var checks []namedCheck

// RegisterCheck adds an invariant that CheckDB (and so `realty ledger
// check`) verifies after the ledger's own; a domain calls it from an init.
func RegisterCheck(name string, fn Check) { checks = append(checks, namedCheck{name, fn}) }

// registeredFindings runs the registered invariants.
func registeredFindings(ctx context.Context, db postgres.DB, orgID realty.ID) ([]Finding, error) {
	var out []Finding
	for _, c := range checks {
		bad, err := c.fn(ctx, db, orgID)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", c.name, err)
		}
		out = append(out, Finding{Name: c.name, Rows: bad})
	}
	return out, nil
}
