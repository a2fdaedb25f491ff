package jsonw_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty/internal/jsonw"
)

// encode is what the API's JSON format writes for v, without the newline.
func encode(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// RandomString mixes ASCII, characters JSON escapes, HTML characters,
// multi-byte runes, U+2028/2029 and invalid UTF-8.
func RandomString(rng *rand.Rand) string {
	parts := []string{"a", "Z", " ", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "<", ">", "&",
		"é", "日本", "\u2028", "\u2029", "\xff", "\xe2\x80", "😀", "/", "'"}
	var b []byte
	for range rng.IntN(12) {
		b = append(b, parts[rng.IntN(len(parts))]...)
	}
	return string(b)
}

// RandomFloat covers integers, fractions, tiny and huge magnitudes.
func RandomFloat(rng *rand.Rand) float64 {
	switch rng.IntN(5) {
	case 0:
		return float64(rng.IntN(2000) - 1000)
	case 1:
		return math.Float64frombits(rng.Uint64()&^(0x7ff<<52) | uint64(rng.IntN(2046)+1)<<52)
	case 2:
		return rng.Float64() * 1e-7
	case 3:
		return rng.NormFloat64() * 1e22
	}
	return math.Round(rng.Float64()*1e6) / 1e4
}

func TestMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		s := RandomString(rng)
		if got, want := string(jsonw.String(nil, s)), encode(t, s); got != want {
			t.Fatalf("string %q: %s, encoding/json %s", s, got, want)
		}
		f := RandomFloat(rng)
		if got, want := string(jsonw.Float(nil, f)), encode(t, f); got != want {
			t.Fatalf("float %v: %s, encoding/json %s", f, got, want)
		}
		d := decimal.New(rng.Int64N(1e12)-5e11, -rng.Int32N(6))
		if got, want := string(jsonw.Decimal(nil, d)), encode(t, d); got != want {
			t.Fatalf("decimal %v: %s, encoding/json %s", d, got, want)
		}
		ts := time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("", (rng.IntN(48)-24)*1800))
		if i%3 == 0 {
			ts = ts.UTC()
		}
		if got, want := string(jsonw.Time(nil, ts)), encode(t, ts); got != want {
			t.Fatalf("time %v: %s, encoding/json %s", ts, got, want)
		}
	}
	if got := string(jsonw.Float(nil, math.NaN())); got != "null" {
		t.Fatalf("NaN: %s", got)
	}
	if got := string(jsonw.Key(jsonw.Key([]byte("{"), "a"), "b")); got != `{"a":,"b":` {
		t.Fatalf("keys: %s", got)
	}
}
