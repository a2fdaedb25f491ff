package listing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// TestSearchJSONMatchesEncodingJSON: the hand-written encoder of search
// results writes what encoding/json writes, for every field of Summary
// (filled by reflection, so a field added later is covered), set or not.
func TestSearchJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		res := listing.Results{Items: []listing.Summary{}}
		for range rng.IntN(4) {
			var s listing.Summary
			fill(rng, reflect.ValueOf(&s).Elem())
			res.Items = append(res.Items, s)
		}
		if rng.IntN(2) == 0 {
			res.NextCursor = randomText(rng)
		}
		if rng.IntN(2) == 0 {
			n := rng.IntN(100000)
			res.Total = &n
		}
		if i == 0 {
			res.Items = nil
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res); err != nil {
			t.Fatal(err)
		}
		if got := string(res.AppendJSON(nil)) + "\n"; got != want.String() {
			t.Fatalf("results %d:\n got %s\nwant %s", i, got, want.String())
		}
	}
}

var (
	idType      = reflect.TypeFor[realty.ID]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
)

// fill sets v to a random value; pointers are nil half the time.
func fill(rng *rand.Rand, v reflect.Value) {
	switch {
	case v.Kind() == reflect.Pointer:
		if rng.IntN(2) == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(rng, p.Elem())
		v.Set(p)
	case v.Type() == idType:
		v.Set(reflect.ValueOf(realty.NewID()))
	case v.Type() == decimalType:
		v.Set(reflect.ValueOf(decimal.New(rng.Int64N(1e10)-1e9, -rng.Int32N(4))))
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			fill(rng, v.Field(i))
		}
	case v.Kind() == reflect.String:
		v.SetString(randomText(rng))
	case v.Kind() == reflect.Int:
		v.SetInt(rng.Int64N(2000) - 100)
	case v.Kind() == reflect.Float64:
		v.SetFloat([]float64{rng.Float64() * 200, float64(rng.IntN(10)), rng.NormFloat64() * 1e22, rng.Float64() * 1e-7}[rng.IntN(4)])
	default:
		panic("fill: add a case for " + v.Type().String())
	}
}

func randomText(rng *rand.Rand) string {
	parts := []string{"Oak", " ", "\"", "\\", "\n", "\x01", "<b>", "&", "é", "\u2028", "\xff", "12"}
	var b []byte
	for range rng.IntN(8) {
		b = append(b, parts[rng.IntN(len(parts))]...)
	}
	return string(b)
}

// TestSummaryScanByPosition: the positional scan targets of a search row
// are the Summary fields whose db tags name the query's columns, in order.
func TestSummaryScanByPosition(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	actor := o.Personas["broker"].Actor
	lat, lng := 30.0, -97.0
	sql, args, err := listing.SearchSQL(actor, listing.Query{Lat: &lat, Lng: &lng, Q: "garden", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	var columns []string
	err = postgres.Read(context.Background(), env.Pool, actor, func(rows pgx.Rows) error {
		for _, fd := range rows.FieldDescriptions() {
			columns = append(columns, fd.Name)
		}
		return nil
	}, sql, args)
	if err != nil {
		t.Fatal(err)
	}
	var s listing.Summary
	v := reflect.ValueOf(&s).Elem()
	var tags []string
	for _, target := range s.SummaryTargets() {
		ptr := reflect.ValueOf(target)
		if ptr.Kind() == reflect.Struct { // a scanning wrapper: its first field is the destination
			ptr = ptr.Field(0)
		}
		for i := range v.NumField() {
			if v.Field(i).Addr().Pointer() == ptr.Pointer() {
				tags = append(tags, v.Type().Field(i).Tag.Get("db"))
			}
		}
	}
	if !slices.Equal(tags, columns) {
		t.Fatalf("scan targets %v\nquery columns %v", tags, columns)
	}
	if len(tags) != v.NumField() {
		t.Fatalf("%d scan targets for %d Summary fields", len(tags), v.NumField())
	}
}

// TestSearchDecodeMatchesScan: search rows decoded from their wire bytes
// equal what pgx's Scan makes of them, NULL or not, and the fast path is
// the one taken for the search statement.
func TestSearchDecodeMatchesScan(t *testing.T) {
	t.Parallel()
	s := setup(t)
	o := s.env.Organization(t, "acme")
	seedRandom(t, s, o, 80, rand.New(rand.NewPCG(5, 6)))
	actor := o.Personas["broker"].Actor
	lat, lng := 30.27, -97.74
	queries := []listing.Query{
		{Limit: 100},
		{Lat: &lat, Lng: &lng, RadiusKm: ptrTo(500.0), Q: "garden", Limit: 100},
	}
	nulls, values := 0, 0
	for _, q := range queries {
		sql, args, err := listing.SearchSQL(actor, q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = postgres.Read(context.Background(), s.env.Pool, actor, func(rows pgx.Rows) error {
			for rows.Next() {
				n++
				fast, ok := listing.DecodeSummaryRow(rows)
				if !ok {
					return fmt.Errorf("query %+v: row %d not taken by the fast path (%v)", q, n, rows.FieldDescriptions())
				}
				slow, err := listing.ScanSummaryRow(rows)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(fast, slow) {
					return fmt.Errorf("row %d:\ndecoded %+v\nscanned %+v", n, fast, slow)
				}
				v := reflect.ValueOf(fast)
				for i := range v.NumField() {
					if f := v.Field(i); f.Kind() == reflect.Pointer {
						if f.IsNil() {
							nulls++
						} else {
							values++
						}
					}
				}
			}
			return rows.Err()
		}, sql, args)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("query %+v found nothing", q)
		}
	}
	if nulls == 0 || values == 0 {
		t.Fatalf("%d NULL and %d set optional fields: the data does not exercise both", nulls, values)
	}
}
