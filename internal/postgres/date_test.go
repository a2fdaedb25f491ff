package postgres_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/postgres/pgtest"
)

// TestDateRoundTrip checks realty.Date goes to and from SQL dates intact,
// NULL included.
func TestDateRoundTrip(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	want := realty.Date{Year: 2026, Month: 2, Day: 28}
	var got realty.Date
	if err := db.Pool.QueryRow(ctx, "SELECT $1::date + 1", want).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != (realty.Date{Year: 2026, Month: 3, Day: 1}) {
		t.Fatalf("got %s", got)
	}
	var null *realty.Date
	if err := db.Pool.QueryRow(ctx, "SELECT NULL::date").Scan(&null); err != nil || null != nil {
		t.Fatalf("NULL date: %v %v", null, err)
	}
}
