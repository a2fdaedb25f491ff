package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"realty"
	"realty/internal/postgres"
	"realty/internal/postgres/migrations"
	"realty/internal/postgres/pgtest"
)

// TestRestorePointBeforeMigrate: a migration run with a migration pending
// first writes the restore point before-migrate-<applied version>-<time>; a
// run with none pending writes none.
func TestRestorePointBeforeMigrate(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	var logs bytes.Buffer
	m := postgres.NewMigrator(db.AdminURL, slog.New(slog.NewTextHandler(&logs, nil)))
	if err := m.Down(ctx, 1); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	if err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("msg=\"restore point created before migrating\" name=before-migrate-%d-", migrations.Latest()-1)
	if !strings.Contains(logs.String(), want) {
		t.Fatalf("log lacks %q:\n%s", want, logs.String())
	}
	t.Logf("%s", strings.TrimSpace(strings.Split(logs.String()[strings.Index(logs.String(), "msg=\"restore point"):], "\n")[0]))
	logs.Reset()
	if err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "restore point") {
		t.Fatalf("a current schema got a restore point:\n%s", logs.String())
	}
}

// TestCreateRestorePoint: a superuser gets the point's LSN; a bad name is
// a field error; the runtime role may not create one (PostgreSQL's 42501).
func TestCreateRestorePoint(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	admin, err := postgres.OpenPool(ctx, db.AdminURL, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	lsn, err := postgres.CreateRestorePoint(ctx, admin, "drill-point")
	if err != nil || !strings.Contains(lsn, "/") {
		t.Fatalf("got %q, %v; want an LSN", lsn, err)
	}
	for _, name := range []string{"", strings.Repeat("x", 64)} {
		_, err := postgres.CreateRestorePoint(ctx, admin, name)
		var re *realty.Error
		if !errors.As(err, &re) || re.Kind != realty.Invalid || len(re.Fields) == 0 {
			t.Errorf("name of %d bytes: got %v, want a field error", len(name), err)
		}
	}
	_, err = postgres.CreateRestorePoint(ctx, db.Pool, "not-allowed")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Fatalf("runtime role: got %v, want permission denied", err)
	}
}
