package structure

import (
	"context"
	"testing"

	"realty/internal/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// migratedAdmin connects as the superuser to a fresh migrated database, for
// reading its catalog; the connection closes when the test ends.
func migratedAdmin(t *testing.T) *pgx.Conn {
	t.Helper()
	db := pgtest.New(t)
	conn, err := pgx.Connect(context.Background(), db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
