package structure

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	// cli is the only wiring code and links every domain, so every
	// domain's init has registered its constraints before the tests run.
	_ "realty/internal/cli"
	"realty/internal/postgres"
)

// TestRegisteredConstraintsExist holds every constraint a domain registers
// with postgres.RegisterConstraints to the migrated schema: a constraint
// renamed or dropped by a migration, or a registration naming the wrong
// schema, would silently stop mapping its violations to a field.
func TestRegisteredConstraintsExist(t *testing.T) {
	t.Parallel()
	names := postgres.RegisteredConstraints()
	if len(names) < 20 {
		t.Fatalf("only %d constraints registered: the domains' init did not run", len(names))
	}
	ctx := context.Background()
	conn := migratedAdmin(t)
	rows, err := conn.Query(ctx, `
		SELECT name FROM unnest($1::text[]) name
		WHERE NOT EXISTS (SELECT FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		                  WHERE n.nspname || '.' || c.conname = name)
		  AND NOT EXISTS (SELECT FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
		                  JOIN pg_namespace n ON n.oid = ic.relnamespace
		                  WHERE i.indisunique AND n.nspname || '.' || ic.relname = name)
		ORDER BY 1`, names)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range missing {
		t.Errorf("registered constraint %s: no such constraint or unique index in the migrated schema", name)
	}
}
