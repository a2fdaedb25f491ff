package pgtest

import (
	"context"
	"strings"
	"testing"
)

// testSchema is a small organization-owned schema for the rule tests.
var testSchema = orgSchema{
	keys: map[string][]string{
		"org.organizations":   {"id", "organization_id"},
		"listing.listings":    {"organization_id"},
		"property.properties": {"organization_id"},
		"property.media":      {"organization_id"},
	},
	volatileDefaults: map[string][]string{
		"listing.listings":    {"id"},
		"property.properties": {"id"},
		"property.media":      {"id"},
	},
}

// TestStatementRulesPass holds statements the audit must let through.
func TestStatementRulesPass(t *testing.T) {
	t.Parallel()
	for name, sql := range map[string]string{
		"select":        `SELECT id FROM listing.listings WHERE organization_id = $1 AND id = $2`,
		"param first":   `SELECT id FROM listing.listings WHERE $1 = organization_id`,
		"cast":          `SELECT id FROM listing.listings l WHERE l.organization_id = $1::uuid`,
		"alias":         `SELECT l.id FROM listing.listings AS l WHERE l.organization_id = $1`,
		"quoted":        `SELECT 1 FROM "listing"."listings" WHERE organization_id = $1`,
		"join on org":   `SELECT l.id FROM listing.listings l JOIN property.properties p ON p.organization_id = l.organization_id AND p.id = l.property_id WHERE l.organization_id = $1`,
		"join each":     `SELECT l.id FROM listing.listings l JOIN property.properties p ON p.id = l.property_id AND p.organization_id = $1 WHERE l.organization_id = $1`,
		"join using":    `SELECT l.id FROM listing.listings l JOIN property.properties p USING (organization_id, id) WHERE l.organization_id = $1`,
		"subquery":      `SELECT id FROM listing.listings WHERE organization_id = $1 AND property_id IN (SELECT id FROM property.properties WHERE organization_id = $1)`,
		"lateral":       `SELECT r.seq FROM pg_temp.import_rows r CROSS JOIN LATERAL (SELECT * FROM listing.listings x WHERE x.organization_id = $1 LIMIT $2) l`,
		"update":        `UPDATE listing.listings SET list_price = $3 WHERE organization_id = $1 AND id = $2`,
		"update from":   `UPDATE listing.listings l SET x = s.x FROM pg_temp.import_rows s WHERE l.organization_id = $1 AND l.id = s.target_id`,
		"delete":        `DELETE FROM property.media WHERE organization_id = $1 AND id = $2`,
		"insert values": `INSERT INTO property.media (organization_id, property_id, position) VALUES ($1, $2, $3) RETURNING id`,
		"insert rows":   `INSERT INTO property.media (organization_id, property_id) VALUES ($1, $2), ($1, $3) ON CONFLICT (organization_id, id) DO NOTHING`,
		"insert select": `INSERT INTO listing.listings (id, organization_id, property_id) SELECT new_id, $1, property_id FROM pg_temp.import_rows`,
		"insert select org": `INSERT INTO listing.listings (id, organization_id, property_id)
			SELECT $2, p.organization_id, p.id FROM property.properties p WHERE p.organization_id = $1`,
		"copy":             `COPY listing.listings (organization_id, id, list_price) FROM STDIN`,
		"organizations":    `SELECT name FROM org.organizations WHERE id = $1`,
		"new organization": `INSERT INTO org.organizations (id, name) VALUES ($1, $2) RETURNING id`,
		"comment":          "SELECT 1 -- listing.listings\nFROM property.properties WHERE organization_id = $1",
		"literal":          `SELECT app.apply_org_kit('listing.listings')`,
		"no org table":     `SELECT id FROM identity.users WHERE email = $1`,
		"cte insert": `WITH made AS (INSERT INTO property.properties (id, organization_id, name) SELECT new_id, $1, street FROM need RETURNING id)
			UPDATE pg_temp.rows s SET p_id = made.id FROM made WHERE s.seq = $2`,
	} {
		if _, problems := checkStatement(sql, testSchema); len(problems) > 0 {
			t.Errorf("%s: %s\n  %s", name, strings.Join(problems, "; "), sql)
		}
	}
}

// TestStatementRulesFail plants one violation of each rule and requires the
// audit to name it.
func TestStatementRulesFail(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ sql, want string }{
		"rls alone":      {`SELECT id FROM listing.listings WHERE id = $1`, ruleRoute + " listing.listings"},
		"any":            {`SELECT id FROM listing.listings WHERE organization_id = ANY($1)`, ruleRoute},
		"session org":    {`SELECT id FROM listing.listings l WHERE l.organization_id = app.current_org_id()`, ruleRoute},
		"other org key":  {`SELECT l.id FROM listing.listings l JOIN pg_temp.rows s ON s.organization_id = l.organization_id`, ruleRoute},
		"other column":   {`SELECT id FROM listing.listings l WHERE l.property_id = $1`, ruleRoute},
		"join unrouted":  {`SELECT l.id FROM listing.listings l JOIN property.properties p ON p.id = l.property_id WHERE l.organization_id = $1`, ruleRoute + " property.properties"},
		"subquery bare":  {`SELECT id FROM listing.listings WHERE organization_id = $1 AND property_id IN (SELECT id FROM property.properties)`, ruleRoute + " property.properties"},
		"update":         {`UPDATE listing.listings SET list_price = $2 WHERE id = $1`, ruleRoute},
		"delete":         {`DELETE FROM property.media WHERE id = $1`, ruleRoute + " property.media"},
		"organizations":  {`SELECT name FROM org.organizations WHERE slug = $1`, ruleRoute + " org.organizations"},
		"insert no org":  {`INSERT INTO property.media (property_id) VALUES ($1)`, ruleRoute + " property.media"},
		"copy no org":    {`COPY listing.listings (id, list_price) FROM STDIN`, ruleRoute},
		"values select":  {`INSERT INTO property.media (organization_id, property_id, position) VALUES ($1, $2, (SELECT coalesce(max(position) + $3, $4) FROM property.media WHERE organization_id = $1 AND property_id = $2))`, ruleValuesSelect},
		"volatile id":    {`INSERT INTO listing.listings (id, organization_id) SELECT app.uuid_v7(), $1 FROM pg_temp.import_rows`, ruleVolatileID},
		"gen random":     {`INSERT INTO listing.listings (id, organization_id) SELECT gen_random_uuid(), organization_id FROM listing.listings WHERE organization_id = $1`, ruleVolatileID},
		"default id":     {`INSERT INTO listing.listings (organization_id, property_id) SELECT $1, property_id FROM pg_temp.import_rows`, ruleDefaultID + " listing.listings.id"},
		"cte default id": {`WITH made AS (INSERT INTO property.properties (organization_id, name) SELECT $1, street FROM need RETURNING id) SELECT id FROM made`, ruleDefaultID},
	} {
		touches, problems := checkStatement(c.sql, testSchema)
		if !touches {
			t.Errorf("%s: not seen as touching an organization table", name)
		}
		if !strings.Contains(strings.Join(problems, "\n"), c.want) {
			t.Errorf("%s: problems %q, want one containing %q", name, problems, c.want)
		}
	}
}

// TestAuditReport plants a violating statement among passing ones and checks
// the report names it, its rule and the exception that let another pass.
func TestAuditReport(t *testing.T) {
	t.Parallel()
	seen := map[string]int64{
		`SELECT id FROM listing.listings WHERE organization_id = $1`: 3,
		`SELECT id FROM listing.listings WHERE id = $1`:              1,
		`SELECT 1`: 9,
		`SELECT id FROM org.organizations WHERE slug = $1`: 2,
	}
	ex := []exception{{Contains: "from org.organizations where slug =", Reason: "sign-in by slug"}}
	r := audit(seen, testSchema, ex)
	if r.statements != 4 || r.onOrgTables != 3 || r.excepted != 1 || len(r.violations) != 1 {
		t.Fatalf("report %+v", r)
	}
	out := r.String()
	for _, want := range []string{"SELECT id FROM listing.listings WHERE id = $1", ruleRoute + " listing.listings",
		"statement audit: 4 statements by realty_app, 3 on organization tables, 1 excepted, 1 violating"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestAuditSeesPlant runs a statement that relies on row-level security
// alone through a test database's runtime pool and requires the audit to
// have recorded and flagged it; the plant is then removed, so this binary's
// own audit still passes.
func TestAuditSeesPlant(t *testing.T) {
	t.Parallel()
	db := New(t)
	ctx := context.Background()
	const plant = "SELECT count(*) FROM listing.listings WHERE list_price > $1"
	if _, err := db.Pool.Exec(ctx, plant, 1); err != nil {
		t.Fatal(err)
	}
	db.Pool.Close()
	if err := harvest(ctx, db.oid); err != nil {
		t.Fatal(err)
	}
	auditor.mu.Lock()
	seen := map[string]int64{plant: auditor.seen[plant]}
	delete(auditor.seen, plant)
	schema := *auditor.schema
	auditor.mu.Unlock()
	if seen[plant] == 0 {
		t.Fatalf("pg_stat_statements did not record the runtime role's %q", plant)
	}
	r := audit(seen, schema, exceptions)
	if len(r.violations) != 1 || !strings.Contains(r.String(), ruleRoute+" listing.listings") {
		t.Fatalf("the plant passed the audit:\n%s", r)
	}
	t.Logf("planted violation reported as:\n%s", r)
}
