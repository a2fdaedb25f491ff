package postgres_test

import (
	"context"
	"math"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

// TestReadHealth: a snapshot read as the runtime role holds plausible
// values, and every top-N list is bounded by the caller's N and by
// MaxHealthTop whatever the caller asks.
func TestReadHealth(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	h, err := postgres.ReadHealth(ctx, db.Pool, 3)
	if err != nil {
		t.Fatal(err)
	}
	conns := 0
	for _, n := range h.Connections {
		conns += n
	}
	if conns < 1 || h.Connections["active"] < 1 || h.MaxConnections < conns {
		t.Errorf("connections %v of %d: the reading session is active", h.Connections, h.MaxConnections)
	}
	if r, ok := h.CacheHitRatio(); !ok || r < 0 || r > 1 {
		t.Errorf("cache hit ratio %v (%v)", r, ok)
	}
	if len(h.Tables) != 3 || h.Tables[0].Bytes < h.Tables[2].Bytes {
		t.Errorf("tables %+v: want the 3 largest, largest first", h.Tables)
	}
	if len(h.Statements) < 1 || len(h.Statements) > 3 || h.StatementsMissing != "" {
		t.Errorf("statements %+v (%q): want 1…3", h.Statements, h.StatementsMissing)
	}
	if h.Archiver.Mode == "" || h.Archiver.Failed != 0 || !math.IsNaN(h.Archiver.FailedAge) || h.LongestTransaction < 0 {
		t.Errorf("archiver %+v, longest transaction %v", h.Archiver, h.LongestTransaction)
	}
	h, err = postgres.ReadHealth(ctx, db.Pool, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Tables) != postgres.MaxHealthTop || len(h.Statements) > postgres.MaxHealthTop {
		t.Errorf("asked for a million: %d tables, %d statements, want at most %d", len(h.Tables), len(h.Statements), postgres.MaxHealthTop)
	}
}

// TestReadHealthLongTransaction: a transaction left open shows as the
// longest, and the admin connection (doctor's) sees it too.
func TestReadHealthLongTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_sleep(0.3)"); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for name, conn := range map[string]postgres.DB{"runtime": db.Pool, "admin": admin} {
		h, err := postgres.ReadHealth(ctx, conn, 5)
		if err != nil {
			t.Fatal(err)
		}
		if h.LongestTransaction < 0.3 || h.LongestTransaction > 60 || h.Connections["idle in transaction"] < 1 {
			t.Errorf("%s: longest transaction %v s, connections %v: want the open one", name, h.LongestTransaction, h.Connections)
		}
	}
}
