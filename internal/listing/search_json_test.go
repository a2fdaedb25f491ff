package listing_test

import (
	"bytes"
	"context"
	"encoding/json"
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
