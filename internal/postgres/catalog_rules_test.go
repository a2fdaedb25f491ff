package postgres_test

import (
	"slices"
	"testing"

	"realty/internal/postgres/pgtest"
)

// TestDistributionRulesFail proves each rule of TestDistribution can fail:
// it plants one departure from every rule in a database of its own and
// requires the rule to report it by name.
func TestDistributionRulesFail(t *testing.T) {
	t.Parallel()
	conn := adminConn(t, pgtest.New(t))
	for _, stmt := range []string{
		`CREATE TABLE org.planted_owned (organization_id uuid NOT NULL, id uuid NOT NULL, code text,
			PRIMARY KEY (organization_id, id), CONSTRAINT planted_owned_code_key UNIQUE (code))`,
		`CREATE TABLE org.planted_global (id uuid PRIMARY KEY, updated_at timestamptz,
			org uuid CONSTRAINT planted_global_org_fkey REFERENCES org.organizations (id))`,
		`CREATE FUNCTION org.planted_announce() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN PERFORM pg_notify('realty_auth', TG_TABLE_NAME); RETURN NULL; END $$`,
		`CREATE TRIGGER planted_announce AFTER UPDATE ON org.planted_owned
			FOR EACH STATEMENT EXECUTE FUNCTION org.planted_announce()`,
		`CREATE FUNCTION org.planted_listen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NOTIFY realty_auth; RETURN NULL; END $$`,
		`CREATE POLICY planted_subquery ON org.planted_owned
			USING (organization_id IN (SELECT m.organization_id FROM org.members m WHERE m.user_id = app.current_user_id()))`,
		`CREATE TRIGGER planted_touch BEFORE UPDATE ON org.planted_global FOR EACH ROW EXECUTE FUNCTION app.set_updated_at()`,
	} {
		if _, err := conn.Exec(ctx0, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	want := map[string][]string{
		"unique keys include the distribution column":          {"org.planted_owned_code_key"},
		"no global table references an organization-owned one": {"org.planted_global_org_fkey"},
		"no trigger function notifies":                         {"org.planted_announce", "org.planted_listen"},
		"no policy holds a subquery":                           {"org.planted_owned.planted_subquery"},
		"no trigger on a global table":                         {"org.planted_global.planted_touch"},
	}
	for _, r := range distributionRules {
		var keys []string
		for _, v := range r.Check(t, conn) {
			keys = append(keys, v.Key)
			t.Logf("%s: %s", r.Name, v.Message)
		}
		if !slices.Equal(keys, want[r.Name]) {
			t.Errorf("%s: reported %v, want exactly the planted %v", r.Name, keys, want[r.Name])
		}
	}
}
