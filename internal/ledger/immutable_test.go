package ledger_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/ledger"
	"realty/internal/org"
)

func orgPatch(tz string) org.OrganizationPatch { return org.OrganizationPatch{TimeZone: &tz} }

// roleConns are connections as the runtime role and as the owning role.
func roleConns(t *testing.T, s setup) map[string]*pgx.Conn {
	t.Helper()
	conns := map[string]*pgx.Conn{}
	for name, url := range map[string]string{"realty_app": s.env.DB.AppURL, "realty_owner": s.env.DB.AdminURL} {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(ctx) })
		if name == "realty_owner" {
			if _, err := conn.Exec(ctx, "SET ROLE realty_owner"); err != nil {
				t.Fatal(err)
			}
		}
		conns[name] = conn
	}
	return conns
}

// TestJournalRefusesChanges holds the database's own guards, as the runtime
// role and as the owner: an unbalanced entry never commits, journal rows are
// never updated or deleted, and nothing is posted into a closed period.
func TestJournalRefusesChanges(t *testing.T) {
	t.Parallel()
	s, jan := periodSetup(t)
	open, err := s.led.Post(ctx, s.acct, rent(day("2026-03-02"), "75.00"))
	if err != nil {
		t.Fatal(err)
	}
	orgID := s.org.Organization.ID
	ar, income := s.keys[ledger.AccountsReceivable], s.keys[ledger.RentalIncome]
	insert := func(date string, credit string) func(pgx.Tx) error {
		return func(tx pgx.Tx) error {
			id := realty.NewID()
			if _, err := tx.Exec(ctx, `INSERT INTO ledger.journal_entries (organization_id, id, entry_date) VALUES ($1, $2, $3)`, orgID, id, date); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO ledger.journal_lines (organization_id, id, entry_id, entry_date, line_no, account_id, debit, credit)
				VALUES ($1, $2, $3, $4, 1, $5, 10, 0), ($1, $6, $3, $4, 2, $7, 0, $8)`, orgID, realty.NewID(), id, date, ar, realty.NewID(), income, credit)
			return err
		}
	}
	line := func(tx pgx.Tx, entry realty.ID, date string, no int, account realty.ID, debit, credit string) error {
		_, err := tx.Exec(ctx, `INSERT INTO ledger.journal_lines (organization_id, id, entry_id, entry_date, line_no, account_id, debit, credit)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, orgID, realty.NewID(), entry, date, no, account, debit, credit)
		return err
	}
	entry := func(tx pgx.Tx, date string) (realty.ID, error) {
		id := realty.NewID()
		_, err := tx.Exec(ctx, `INSERT INTO ledger.journal_entries (organization_id, id, entry_date) VALUES ($1, $2, $3)`, orgID, id, date)
		return id, err
	}
	for role, conn := range roleConns(t, s) {
		cases := map[string]func(pgx.Tx) error{
			"unbalanced entry": insert("2026-03-03", "9.99"),
			"entry without lines": func(tx pgx.Tx) error {
				_, err := entry(tx, "2026-03-03")
				return err
			},
			"entry with one line": func(tx pgx.Tx) error {
				id, err := entry(tx, "2026-03-03")
				if err != nil {
					return err
				}
				return line(tx, id, "2026-03-03", 1, ar, "0", "0.01")
			},
			"balanced lines added to a posted entry": func(tx pgx.Tx) error {
				if err := line(tx, open.ID, "2026-03-02", 3, ar, "5", "0"); err != nil {
					return err
				}
				return line(tx, open.ID, "2026-03-02", 4, income, "0", "5")
			},
			"entry in a closed period": insert("2026-02-03", "10"),
			"balanced entries of an open and a closed month in one statement": func(tx pgx.Tx) error {
				march, feb := realty.NewID(), realty.NewID()
				_, err := tx.Exec(ctx, `INSERT INTO ledger.journal_entries (organization_id, id, entry_date) VALUES ($1, $2, '2026-03-06'), ($1, $3, '2026-02-27')`,
					orgID, march, feb)
				for _, e := range []struct {
					id   realty.ID
					date string
				}{{march, "2026-03-06"}, {feb, "2026-02-27"}} {
					if err == nil {
						err = line(tx, e.id, e.date, 1, ar, "3", "0")
					}
					if err == nil {
						err = line(tx, e.id, e.date, 2, income, "0", "3")
					}
				}
				return err
			},
			"update of a line": func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE ledger.journal_lines SET memo = 'edited' WHERE organization_id = $1 AND entry_id = $2`, orgID, open.ID)
				return err
			},
			"update of an entry": func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE ledger.journal_entries SET memo = 'edited' WHERE organization_id = $1 AND id = $2`, orgID, open.ID)
				return err
			},
			"delete of lines": func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `DELETE FROM ledger.journal_lines WHERE organization_id = $1 AND entry_id = $2`, orgID, jan.ID)
				return err
			},
			"delete of an entry": func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `DELETE FROM ledger.journal_entries WHERE organization_id = $1 AND id = $2`, orgID, open.ID)
				return err
			},
		}
		for name, fn := range cases {
			if err := rawTx(t, conn, orgID, fn); err == nil {
				t.Errorf("as %s: %s was accepted", role, name)
			}
		}
		// The control: a balanced entry in an open period commits for both.
		if err := rawTx(t, conn, orgID, insert("2026-03-04", "10")); err != nil {
			t.Errorf("as %s: a balanced entry in an open period: %v", role, err)
		}
		// And one whose entry is inserted in a savepoint and whose lines
		// come in two statements after it: checked once, at commit.
		err := rawTx(t, conn, orgID, func(tx pgx.Tx) error {
			sub, err := tx.Begin(ctx)
			if err != nil {
				return err
			}
			id, err := entry(sub, "2026-03-05")
			if err != nil {
				return err
			}
			if err := sub.Commit(ctx); err != nil {
				return err
			}
			if err := line(tx, id, "2026-03-05", 1, ar, "7", "0"); err != nil {
				return err
			}
			return line(tx, id, "2026-03-05", 2, income, "0", "7")
		})
		if err != nil {
			t.Errorf("as %s: a balanced entry posted from a savepoint, line by line: %v", role, err)
		}
	}
	e, err := s.led.JournalEntry(ctx, s.acct, open.ID)
	if err != nil || len(e.Lines) != 2 || !e.Lines[0].Debit.Equal(d("75")) {
		t.Errorf("entry after the refused changes: %+v, %v", e, err)
	}
	if _, err := s.led.Post(ctx, s.acct, rent(day("2026-02-27"), "1")); realty.KindOf(err) != realty.Conflict {
		t.Errorf("service posting into a closed period: %v, want Conflict", err)
	}
}
