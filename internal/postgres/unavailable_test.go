package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"realty"
	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

// TestMapErrorUnreachable holds the mapping of a database that cannot be
// reached to Unavailable, and of everything else to what it was.
func TestMapErrorUnreachable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want realty.Kind
	}{
		{"connect", &pgconn.ConnectError{}, realty.Unavailable},
		{"starting up", &pgconn.PgError{Code: "57P03"}, realty.Unavailable},
		{"crash of another backend", fmt.Errorf("commit: %w", &pgconn.PgError{Code: "57P02"}), realty.Unavailable},
		{"terminated", &pgconn.PgError{Code: "57P01"}, realty.Unavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, realty.Unavailable},
		{"connection failure", &pgconn.PgError{Code: "08006"}, realty.Unavailable},
		{"cut mid-statement", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), realty.Unavailable},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, realty.Unavailable},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), realty.Unavailable},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, realty.Internal},
		{"unique violation", &pgconn.PgError{Code: "23505"}, realty.Conflict},
		{"caller gave up", fmt.Errorf("begin: %w", context.Canceled), realty.Internal},
		{"a realty error passes", &realty.Error{Kind: realty.Invalid, Err: io.EOF}, realty.Invalid},
		{"plain", errors.New("boom"), realty.Internal},
	} {
		if got := realty.KindOf(postgres.MapError(tc.err)); got != tc.want {
			t.Errorf("%s: MapError kind %s, want %s", tc.name, got, tc.want)
		}
		if got := realty.KindOf(postgres.MapUnreachable(tc.err)); tc.want == realty.Unavailable && got != realty.Unavailable {
			t.Errorf("%s: MapUnreachable kind %s, want unavailable", tc.name, got)
		}
	}
	wrapped := &realty.Error{Kind: realty.Internal, Err: &pgconn.PgError{Code: "57P01"}}
	if got := realty.KindOf(postgres.MapUnreachable(wrapped)); got != realty.Unavailable {
		t.Errorf("MapUnreachable(an Internal error of a terminated connection) = %s, want unavailable", got)
	}
	if got := realty.KindOf(postgres.MapUnreachable(&pgconn.PgError{Code: "23505"})); got != realty.Internal {
		t.Errorf("MapUnreachable(unique violation) = %s, want it left as it was", got)
	}
}

// TestUnreachableRealErrors holds Unreachable to what pgx really returns:
// a connect to a socket nobody serves, and a statement on a connection
// the server terminated.
func TestUnreachableRealErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := postgres.OpenPool(ctx, "postgres://realty_app@/nowhere?host="+t.TempDir()+"&sslmode=disable", 1)
	if realty.KindOf(postgres.MapError(err)) != realty.Unavailable {
		t.Errorf("open a pool on a socket nobody serves: %v, want it unavailable", err)
	}
	db := pgtest.New(t)
	conn, err := pgx.Connect(ctx, db.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	admin, err := pgx.Connect(ctx, db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend($1, 5000)`, conn.PgConn().PID()); err != nil {
		t.Fatal(err)
	}
	var one int
	err = conn.QueryRow(ctx, "SELECT 1").Scan(&one)
	if got := realty.KindOf(postgres.MapError(err)); got != realty.Unavailable {
		t.Errorf("a query on a terminated connection: %v (kind %s), want unavailable", err, got)
	}
}
