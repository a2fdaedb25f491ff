package ledger_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestJournalInsertsAudited holds the statement-level audit of journal
// inserts (migration 0054) to what the row-level trigger wrote: one
// INSERT row per entry and per line, the row as JSON without updated_at,
// the acting user.
func TestJournalInsertsAudited(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	e, err := s.led.Post(ctx, s.acct, rent(nil, "12.34"))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, s.env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL ROLE realty_owner; SET LOCAL app.org_id = '"+s.org.Organization.ID.String()+"'"); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, `SELECT c.table_name, c.action, c.new_data ? 'updated_at', c.new_data ->> 'organization_id' = $1::uuid::text,
			c.user_id = $3, coalesce(c.new_data ->> 'debit', c.new_data ->> 'memo')
		FROM audit.changes c
		WHERE c.organization_id = $1 AND (c.record_id = $2 OR c.record_id IN (SELECT id FROM ledger.journal_lines WHERE organization_id = $1 AND entry_id = $2))
		ORDER BY c.table_name, 6`, s.org.Organization.ID, e.ID, s.acct.UserID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var table, action, value string
		var hasUpdated, sameOrg, sameUser bool
		if err := rows.Scan(&table, &action, &hasUpdated, &sameOrg, &sameUser, &value); err != nil {
			t.Fatal(err)
		}
		if hasUpdated || !sameOrg || !sameUser {
			t.Errorf("%s %s: updated_at kept %v, organization %v, user %v", table, action, hasUpdated, sameOrg, sameUser)
		}
		got = append(got, table+" "+action+" "+value)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"ledger.journal_entries INSERT rent", "ledger.journal_lines INSERT 0.00", "ledger.journal_lines INSERT 12.34"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("audit rows %q, want %q", got, want)
	}
}
