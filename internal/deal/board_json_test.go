package deal_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
)

// TestBoardJSONMatchesEncodingJSON: the hand-written encoder of the board
// writes what encoding/json writes (HTML escaping off, as the API encodes)
// for every field of Deal (filled by reflection, so a field added later is
// covered), set or not.
func TestBoardJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(10, 11))
	for i := range 2000 {
		var cols []deal.BoardColumn
		for range rng.IntN(4) {
			c := deal.BoardColumn{Stage: randomText(rng), Count: rng.IntN(100000)}
			if rng.IntN(5) > 0 {
				c.Deals = []deal.Deal{}
			}
			for range rng.IntN(4) {
				var d deal.Deal
				fillRandom(rng, reflect.ValueOf(&d).Elem())
				c.Deals = append(c.Deals, d)
			}
			cols = append(cols, c)
		}
		if i == 1 {
			cols = []deal.BoardColumn{}
		}
		body := struct {
			Columns []deal.BoardColumn `json:"columns"`
		}{cols}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			t.Fatal(err)
		}
		if got := string(deal.AppendBoardJSON(nil, cols)) + "\n"; got != want.String() {
			t.Fatalf("board %d:\n got %s\nwant %s", i, got, want.String())
		}
	}
}

var (
	idType      = reflect.TypeFor[realty.ID]()
	dateType    = reflect.TypeFor[realty.Date]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
)

// fillRandom sets v to a random value; pointers are nil half the time.
func fillRandom(rng *rand.Rand, v reflect.Value) {
	switch {
	case v.Kind() == reflect.Pointer:
		if rng.IntN(2) == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		p := reflect.New(v.Type().Elem())
		fillRandom(rng, p.Elem())
		v.Set(p)
	case v.Type() == idType:
		v.Set(reflect.ValueOf(realty.NewID()))
	case v.Type() == dateType:
		v.Set(reflect.ValueOf(realty.DateOf(time.Unix(rng.Int64N(4e9), 0).UTC())))
	case v.Type() == decimalType:
		v.Set(reflect.ValueOf(decimal.New(rng.Int64N(1e10)-1e9, -rng.Int32N(4))))
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			fillRandom(rng, v.Field(i))
		}
	case v.Kind() == reflect.String:
		v.SetString(randomText(rng))
	case v.Kind() == reflect.Int:
		v.SetInt(rng.Int64N(2000) - 100)
	default:
		panic("fillRandom: add a case for " + v.Type().String())
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
