package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres/pgtest"
)

func TestSeedCommand(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	vars := map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_ADMIN_DATABASE_URL": db.AdminURL,
		"REALTY_DATA_DIR": t.TempDir()}
	t.Run("ErrNoScale", func(t *testing.T) {
		if code, _, stderr := run(t, vars, "seed"); code != 2 || !strings.Contains(stderr, "want --scale") {
			t.Fatalf("seed without --scale: exit %d %s", code, stderr)
		}
	})
	t.Run("OK", func(t *testing.T) {
		code, stdout, stderr := run(t, vars, "seed", "--scale", "--orgs", "2", "--listings", "1500", "--seed", "3", "--batch", "400")
		if code != 0 || !strings.Contains(stdout, "1500/1500 listings (100%)") || !strings.Contains(stdout, "rows/s") ||
			!printedPassword.MatchString(stdout) {
			t.Fatalf("seed: exit %d\n%s%s", code, stdout, stderr)
		}
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, db.AdminURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var listings, orgs int
		if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM listing.listings),
			(SELECT count(*) FROM org.organizations WHERE slug IN ('seed-001', 'seed-002'))`).Scan(&listings, &orgs); err != nil || listings != 1500 || orgs != 2 {
			t.Fatalf("%d listings in %d organizations (%v)", listings, orgs, err)
		}
	})
	t.Run("ErrAgain", func(t *testing.T) {
		code, _, stderr := run(t, vars, "seed", "--scale", "--orgs", "3", "--listings", "10")
		if code != 1 || !strings.Contains(stderr, "seed-001 already exists") {
			t.Fatalf("second seed: exit %d %s", code, stderr)
		}
	})
}
