package property_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
	"realty/internal/property"
)

// stagingDDL is a caller's table as EnsureByAddressTx needs it.
const stagingDDL = `CREATE TEMPORARY TABLE addrs (seq int NOT NULL, property_id uuid, street_address text NOT NULL,
	city text NOT NULL, state_province text, postal_code text, country text, latitude numeric(9, 6), longitude numeric(9, 6),
	property_kind text, property_sub_type text, year_built int, living_area numeric(12, 2), lot_size_area numeric(14, 2),
	bedrooms_total int, bathrooms_total numeric(4, 1), ` + property.AddressColumns + `) ON COMMIT DROP`

var staging = pgx.Identifier{"pg_temp", "addrs"}

// ensured is one staged row after EnsureByAddressTx.
type ensured struct {
	Seq      int        `db:"seq"`
	ID       *realty.ID `db:"p_id"`
	Created  *bool      `db:"p_created"`
	Line1    *string    `db:"p_address_line1"`
	Bedrooms *int       `db:"p_bedrooms"`
}

// TestEnsureByAddress links rows to the organization's oldest property at
// their address (in any case), makes one property per other address, never
// links another organization's property, and leaves rows that already have
// a property or lie outside the range alone.
func TestEnsureByAddress(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	ctx := context.Background()
	pm := acme.Personas["property_manager"].Actor
	beds := 4
	old, err := env.Property.Create(ctx, pm, property.Input{AddressLine1: "1 Elm Street", City: "Springfield", Bedrooms: &beds})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Property.Create(ctx, globex.Personas["property_manager"].Actor,
		property.Input{AddressLine1: "9 Oak Road", City: "Shelbyville"}); err != nil {
		t.Fatal(err)
	}
	var got []ensured
	err = postgres.Tx(ctx, env.Pool, pm, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, stagingDDL); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO pg_temp.addrs (seq, property_id, street_address, city, property_kind, bedrooms_total, new_property_id) VALUES
			(0, NULL, '1 ELM STREET', 'springfield', 'residential', NULL, $2), (1, NULL, '9 Oak Road', 'Shelbyville', 'land', 2, $3),
			(2, NULL, '9 oak road', 'SHELBYVILLE', 'land', 3, $4), (3, $1, '1 Elm Street', 'Springfield', 'residential', NULL, $5),
			(4, NULL, '5 Out Of Range', 'Springfield', 'residential', NULL, $6)`,
			old.ID, realty.NewID(), realty.NewID(), realty.NewID(), realty.NewID(), realty.NewID())
		if err != nil {
			return err
		}
		if err := property.EnsureByAddressTx(ctx, tx, pm, staging, 0, 4); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, p_id, p_created, p_address_line1, p_bedrooms FROM pg_temp.addrs ORDER BY seq`)
		if err != nil {
			return err
		}
		got, err = pgx.CollectRows(rows, pgx.RowToStructByName[ensured])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := got[0]; r.ID == nil || *r.ID != old.ID || *r.Created || *r.Line1 != "1 Elm Street" || *r.Bedrooms != 4 {
		t.Errorf("row 0 not linked to the existing property: %+v", r)
	}
	made := got[1]
	if made.ID == nil || !*made.Created || *made.Line1 != "9 Oak Road" || *made.Bedrooms != 2 {
		t.Fatalf("row 1 not given a new property from its facts (globex's must not be linked): %+v", made)
	}
	if r := got[2]; r.ID == nil || *r.ID != *made.ID {
		t.Errorf("row 2 at the same address got another property: %+v", r)
	}
	if got[3].ID != nil || got[4].ID != nil {
		t.Errorf("a row with a property or outside the range was touched: %+v %+v", got[3], got[4])
	}
	p, err := env.Property.Get(ctx, pm, *made.ID)
	if err != nil || p.PropertyType != "land" {
		t.Errorf("made property: %+v %v", p, err)
	}
}

// TestEnsureByAddressPlansIgnoreStaleStatistics plans the address lookup
// for an organization whose properties arrived after the last ANALYZE, as
// during its first large import: it must probe the address index, never
// scan the organization's properties by organization alone.
func TestEnsureByAddressPlansIgnoreStaleStatistics(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, fresh := env.Organization(t, "acme"), env.Organization(t, "fresh")
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for i := range 300 {
		if _, err := env.Property.Create(ctx, acme.Personas["owner"].Actor,
			property.Input{AddressLine1: fmt.Sprintf("%d Oak Street", i), City: "Springfield"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.Exec(ctx, "ANALYZE property.properties"); err != nil {
		t.Fatal(err)
	}
	sys := realty.System(fresh.Organization.ID)
	for i := range 300 {
		if _, err := env.Property.Create(ctx, sys, property.Input{AddressLine1: fmt.Sprintf("%d Elm Street", i), City: "Springfield"}); err != nil {
			t.Fatal(err)
		}
	}
	err = postgres.Tx(ctx, env.Pool, sys, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, stagingDDL+`; INSERT INTO pg_temp.addrs (seq, street_address, city)
			SELECT i, i || ' Elm Street', 'Springfield' FROM generate_series(0, 299) i; ANALYZE pg_temp.addrs`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, postgres.GenericPlans); err != nil {
			return err
		}
		link := property.EnsureStatements(staging)[0]
		if _, err := tx.Exec(ctx, "PREPARE ensure_link(uuid, int, int) AS "+link); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, fmt.Sprintf("EXPLAIN EXECUTE ensure_link('%s', 0, 300)", fresh.Organization.ID))
		if err != nil {
			return err
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		plan := strings.Join(lines, "\n")
		if !strings.Contains(plan, "properties_address_idx") {
			t.Errorf("the lookup does not probe the address index:\n%s", plan)
		}
		for _, line := range lines {
			if strings.Contains(line, "Index Cond: (organization_id = ") && !strings.Contains(line, " AND ") {
				t.Errorf("the lookup scans the organization (%s):\n%s", strings.TrimSpace(line), plan)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
