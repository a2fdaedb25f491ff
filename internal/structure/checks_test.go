package structure

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
)

// TestCheckConstraintsMapped lists every CHECK constraint of realty's schemas
// in the migrated catalog and fails on one that no domain registered with
// postgres.RegisterConstraints: its violation would reach a caller as a 422
// naming no field. A constraint that only the server's own code can violate
// is registered all the same, with its column as the field.
func TestCheckConstraintsMapped(t *testing.T) {
	t.Parallel()
	conn := migratedAdmin(t)
	rows, err := conn.Query(context.Background(), `
		SELECT n.nspname || '.' || c.conname, pg_get_constraintdef(c.oid)
		FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		JOIN pg_class r ON r.oid = c.conrelid
		WHERE c.contype = 'c' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'river', 'public')
		  AND NOT r.relispartition AND NOT (c.conname = ANY ($1::text[]))
		  AND NOT (n.nspname || '.' || c.conname = ANY ($1::text[]))
		ORDER BY 1`, postgres.RegisteredConstraints())
	if err != nil {
		t.Fatal(err)
	}
	type check struct{ Name, Def string }
	missing, err := pgx.CollectRows(rows, pgx.RowToStructByPos[check])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range missing {
		t.Errorf("CHECK %s is not registered (postgres.RegisterConstraints): %s", c.Name, c.Def)
	}
}
