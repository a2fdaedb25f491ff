package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

// TestDistributionSQL generates the Citus distribution of the migrated
// schema and checks it names org.organizations by id, every other
// organization-owned table once, by organization_id and colocated with it,
// every global table of realty's schemas once as a reference table, each
// table after those its foreign keys reference, and none of River's tables.
func TestDistributionSQL(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	admin := adminConn(t, db)
	tables, err := postgres.Distribution(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	sql := postgres.DistributionSQL(tables)
	var orgOwned, global []string
	rows, err := admin.Query(ctx, `SELECT n.nspname || '.' || c.relname,
		EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'river', 'pg_toast')`)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	var owned bool
	if _, err := pgx.ForEachRow(rows, []any{&name, &owned}, func() error {
		if name == "org.organizations" {
			return nil
		}
		if owned {
			orgOwned = append(orgOwned, name)
		} else {
			global = append(global, name)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(sql, "\n")
	want := map[string]string{"org.organizations": "SELECT create_distributed_table('org.organizations', 'id');"}
	for _, n := range orgOwned {
		want[n] = fmt.Sprintf("SELECT create_distributed_table('%s', 'organization_id', colocate_with => 'org.organizations');", n)
	}
	for _, n := range global {
		want[n] = fmt.Sprintf("SELECT create_reference_table('%s');", n)
	}
	for n, stmt := range want {
		if c := strings.Count(text, "_table('"+n+"'"); c != 1 {
			t.Errorf("%s named %d times, want once", n, c)
		}
		if !strings.Contains(text, stmt) {
			t.Errorf("%s: want %q", n, stmt)
		}
	}
	if strings.Contains(text, "river.") {
		t.Errorf("River's tables must stay local:\n%s", text)
	}
	if len(sql) != len(want)+1 || sql[0] != "SET citus.enable_unsafe_triggers = on;" {
		t.Errorf("%d statements for %d tables, or no trigger setting first:\n%s", len(sql), len(want), text)
	}
	pos := map[string]int{}
	for i, tb := range tables {
		pos[tb.Name] = i
	}
	fks, err := admin.Query(ctx, `SELECT DISTINCT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND conrelid <> confrelid AND connamespace::regnamespace::text NOT IN ('river')`)
	if err != nil {
		t.Fatal(err)
	}
	var from, to string
	if _, err := pgx.ForEachRow(fks, []any{&from, &to}, func() error {
		if pos[from] < pos[to] {
			t.Errorf("%s is distributed before %s, which its foreign key references", from, to)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, s := range sql {
		if strings.Contains(s, "create_distributed_table") {
			if !strings.Contains(s, "'org.organizations', 'id'") {
				t.Errorf("the first distributed table is not org.organizations: %s (statement %d)", s, i)
			}
			break
		}
	}
	// Global lookups name their organization org_id, never organization_id,
	// so they come out as reference tables.
	for _, n := range []string{"org.organization_slugs", "identity.api_key_prefixes", "audit.account_events"} {
		if !strings.Contains(text, fmt.Sprintf("SELECT create_reference_table('%s');", n)) {
			t.Errorf("%s is not a reference table", n)
		}
	}
	if len(orgOwned) < 15 || len(global) < 3 {
		t.Errorf("%d organization-owned and %d global tables: the catalog query is wrong", len(orgOwned), len(global))
	}
	t.Logf("distribution: org.organizations by id, %d tables by organization_id, %d reference tables", len(orgOwned), len(global))
}
