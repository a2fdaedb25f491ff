package listing_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// orgOnlyProbe reports an index condition on the organization alone (a
// scan of the whole organization where a merge statement means to probe one
// row), whatever form the organization's value takes in the plan.
func orgOnlyProbe(plan string) string {
	for _, line := range strings.Split(plan, "\n") {
		if strings.Contains(line, "Index Cond: (organization_id = ") && !strings.Contains(line, " AND ") {
			return line
		}
	}
	return ""
}

// TestImportMergePlansIgnoreStaleStatistics checks the merge statements of
// an import probe the organization's listings and properties by key when the
// statistics predate the organization's listings, as they do during its
// first large import: each statement is planned under the plan mode the
// merge sets before it, and no plan may scan the organization by its id
// alone.
func TestImportMergePlansIgnoreStaleStatistics(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	ctx := context.Background()
	fresh := s.env.Organization(t, "fresh")
	fileOf := func(prefix string) string {
		var b strings.Builder
		b.WriteString("ListingKey,StandardStatus,ListPrice,UnparsedAddress,City,PostalCode\n")
		for i := range 400 {
			fmt.Fprintf(&b, "%s-%d,Active,%d,%d Oak Street,Springfield,62%03d\n", prefix, i, 100000+i, i, i)
		}
		return b.String()
	}
	s.run(t, "acme.csv", fileOf("A"))
	admin, err := pgx.Connect(ctx, s.env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// Statistics that know acme's listings and properties, and nothing of fresh's.
	if _, err := admin.Exec(ctx, "ANALYZE listing.listings; ANALYZE property.properties"); err != nil {
		t.Fatal(err)
	}
	sys := realty.System(fresh.Organization.ID)
	if _, err := s.env.Listing.ImportFile(ctx, sys, strings.NewReader(fileOf("F")), listing.ImportOptions{Name: "f.csv", Source: "TESTMLS"}); err != nil {
		t.Fatal(err)
	}
	err = postgres.Tx(ctx, s.env.DB.Pool, sys, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, listing.CreateStaging+"; CREATE INDEX ON pg_temp.import_rows (target_id)"); err != nil {
			return err
		}
		// The file again, staged as a re-import of the same listings.
		if _, err := tx.Exec(ctx, `INSERT INTO pg_temp.import_rows (seq, row_no, present, listing_key,
				originating_system_name, originating_system_key, list_price, street_address, city, postal_code)
			SELECT row_number() OVER (ORDER BY listing_key) - 1, 0, 0, listing_key, originating_system_name,
				originating_system_key, list_price, street_address, city, postal_code
			FROM listing.listings WHERE organization_id = $1`, fresh.Organization.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "ANALYZE pg_temp.import_rows (seq, target_id, property_id)"); err != nil {
			return err
		}
		return explainMerge(t, tx, fresh.Organization.ID, 400)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// explainMerge plans every ranged merge statement over rows [0, n) under
// the plan mode set before it, and reports a plan that scans the whole
// organization.
func explainMerge(t *testing.T, tx pgx.Tx, org realty.ID, n int) error {
	ctx := context.Background()
	for i, st := range listing.MergeSteps() {
		if !st.Ranged {
			if strings.HasPrefix(st.SQL, "SET LOCAL") {
				if _, err := tx.Exec(ctx, st.SQL); err != nil {
					return err
				}
			}
			continue
		}
		name := fmt.Sprintf("merge_step_%d", i)
		if _, err := tx.Exec(ctx, "PREPARE "+name+"(uuid, int, int) AS "+st.SQL); err != nil {
			return fmt.Errorf("prepare step %d: %w", i, err)
		}
		rows, err := tx.Query(ctx, fmt.Sprintf("EXPLAIN EXECUTE %s('%s', 0, %d)", name, org, n))
		if err != nil {
			return err
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		plan := strings.Join(lines, "\n") + "\n"
		if m := orgOnlyProbe(plan); m != "" {
			t.Errorf("step %d scans the organization (%s):\n%s\n%s", i, strings.TrimSpace(m), st.SQL, plan)
		}
	}
	return nil
}
