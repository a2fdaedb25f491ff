package crm_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/postgres"
	"realty/internal/property"
)

// tListing and tPref are the test's own record of what it stored, which
// the brute-force scorer reads (never the engine's types or code).
type tListing struct {
	id               realty.ID
	listType, status string
	ptype, city, zip string
	price            int64
	beds             *int
	baths, area      *float64
	lat, lon         float64
	features         []string
	remarks          string
}

type tPref struct {
	id, client         realty.ID
	listType           string
	pmin, pmax         *int64
	beds               *int
	baths              *float64
	types              []string
	lat, lon, radius   *float64
	cities, zips       []string
	amin, amax         *float64
	features, keywords []string
}

var (
	tCities   = []string{"Springfield", "Shelbyville", "Ogdenville", "North Haverbrook"}
	tFeatures = []string{"pool", "garage", "fireplace", "garden", "balcony", "elevator"}
	tWords    = []string{"sunny", "quiet", "renovated", "view", "modern", "cosy"}
	tTypes    = []string{"Residential", "Land", "ResidentialIncome"}
)

func pick[T any](r *rand.Rand, l []T) T { return l[r.IntN(len(l))] }

func some(r *rand.Rand, l []string, n int) []string {
	out := []string{}
	for _, i := range r.Perm(len(l))[:r.IntN(n+1)] {
		out = append(out, l[i])
	}
	return out
}

func randListing(r *rand.Rand) tListing {
	l := tListing{listType: "sale", status: "Active", ptype: pick(r, tTypes), price: int64(100+r.IntN(800)) * 1000,
		lat: math.Round((40+r.Float64()*0.4)*1e6) / 1e6, lon: math.Round((-75+r.Float64()*0.4)*1e6) / 1e6,
		features: some(r, tFeatures, 4), remarks: strings.Join(some(r, tWords, 3), " ")}
	l.city = pick(r, tCities)
	l.zip = fmt.Sprint(10000 + r.IntN(5))
	if r.IntN(5) == 0 {
		l.listType = "lease"
	}
	if r.IntN(6) == 0 {
		l.status = "Pending"
	}
	if r.IntN(8) > 0 {
		b := r.IntN(6)
		l.beds = &b
	}
	if r.IntN(8) > 0 {
		b := float64(r.IntN(8)) / 2
		l.baths = &b
	}
	if r.IntN(8) > 0 {
		a := float64(50 + r.IntN(250))
		l.area = &a
	}
	return l
}

func randPref(r *rand.Rand) tPref {
	p := tPref{listType: "sale", features: some(r, tFeatures, 3), keywords: some(r, tWords, 2)}
	if r.IntN(6) == 0 {
		p.listType = "lease"
	}
	if r.IntN(3) > 0 {
		v := int64(200+r.IntN(600)) * 1000
		p.pmax = &v
		if r.IntN(2) == 0 {
			w := v - int64(r.IntN(200))*1000
			p.pmin = &w
		}
	}
	if r.IntN(2) == 0 {
		b := r.IntN(4)
		p.beds = &b
	}
	if r.IntN(3) == 0 {
		b := float64(r.IntN(5)) / 2
		p.baths = &b
	}
	if r.IntN(3) == 0 {
		p.types = some(r, tTypes, 2)
	}
	switch r.IntN(3) {
	case 0:
		lat, lon, rad := math.Round((40.1+r.Float64()*0.2)*1e6)/1e6, math.Round((-74.9+r.Float64()*0.2)*1e6)/1e6, float64(5+r.IntN(20))
		p.lat, p.lon, p.radius = &lat, &lon, &rad
	case 1:
		p.cities = some(r, tCities, 2)
		p.zips = some(r, []string{"10000", "10001", "10002"}, 1)
	}
	if r.IntN(2) == 0 {
		a := float64(60 + r.IntN(100))
		p.amin = &a
		if r.IntN(2) == 0 {
			b := a + float64(r.IntN(100))
			p.amax = &b
		}
	}
	return p
}

// line is one criterion of the brute-force breakdown.
type line struct {
	outcome string
	points  int
}

// bruteScore is the rules of docs/crm.md written again from scratch.
func bruteScore(p tPref, l tListing) (int, map[string]line, bool) {
	fp := float64(l.price)
	if l.status != "Active" || l.listType != p.listType ||
		(p.pmax != nil && fp > float64(*p.pmax)*1.1+1e-6) || (p.pmin != nil && fp < float64(*p.pmin)*0.9-1e-6) ||
		(p.beds != nil && (l.beds == nil || *l.beds < *p.beds)) || (p.baths != nil && (l.baths == nil || *l.baths < *p.baths)) ||
		(len(p.types) > 0 && !slices.Contains(p.types, l.ptype)) {
		return 0, nil, false
	}
	var dist float64
	if p.radius != nil {
		dist = haversine(*p.lat, *p.lon, l.lat, l.lon)
		if dist > *p.radius*1.5 {
			return 0, nil, false
		}
	} else if len(p.cities)+len(p.zips) > 0 && !slices.Contains(p.cities, l.city) && !slices.Contains(p.zips, l.zip) {
		return 0, nil, false
	}
	out := map[string]line{"list_type": {"full", 0}}
	if len(p.types) > 0 {
		out["property_type"] = line{"full", 0}
	}
	if p.beds != nil {
		out["bedrooms"] = line{"full", 0}
	}
	if p.baths != nil {
		out["bathrooms"] = line{"full", 0}
	}
	frac := 1.0
	if p.pmax != nil && fp > float64(*p.pmax) {
		frac = 1 - (fp-float64(*p.pmax))/float64(*p.pmax)/0.1
	} else if p.pmin != nil && fp < float64(*p.pmin) {
		frac = 1 - (float64(*p.pmin)-fp)/float64(*p.pmin)/0.1
	}
	out["price"] = grade(35, frac)
	frac = 1
	if p.radius != nil && dist > *p.radius {
		frac = 1 - (dist-*p.radius)/(*p.radius*0.5)
	}
	out["location"] = grade(20, frac)
	frac = 1
	if p.amin != nil || p.amax != nil {
		switch {
		case l.area == nil:
			frac = 0
		case p.amin != nil && *l.area < *p.amin:
			frac = 1 - (*p.amin-*l.area) / *p.amin / 0.2
		case p.amax != nil && *l.area > *p.amax:
			frac = 1 - (*l.area-*p.amax) / *p.amax / 0.2
		}
	}
	out["living_area"] = grade(15, frac)
	have := 0
	for _, f := range p.features {
		if slices.Contains(l.features, f) {
			have++
		}
	}
	out["features"] = grade(20, ratio(have, len(p.features)))
	text := l.remarks + " " + strings.Join(l.features, " ")
	found := 0
	for _, k := range p.keywords {
		if strings.Contains(text, k) {
			found++
		}
	}
	out["keywords"] = grade(10, ratio(found, len(p.keywords)))
	total := 0
	for _, c := range out {
		total += c.points
	}
	return total, out, true
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func grade(weight int, frac float64) line {
	frac = math.Max(0, math.Min(1, frac))
	pts := int(math.Round(float64(weight) * frac))
	switch {
	case frac >= 1:
		return line{"full", pts}
	case pts == 0:
		return line{"missed", pts}
	}
	return line{"partial", pts}
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = math.Pi / 180
	a := math.Pow(math.Sin((lat2-lat1)*r/2), 2) + math.Cos(lat1*r)*math.Cos(lat2*r)*math.Pow(math.Sin((lon2-lon1)*r/2), 2)
	return 2 * 6371 * math.Asin(math.Sqrt(a))
}

func createListing(t *testing.T, env fixturetest.Env, actor realty.Actor, l *tListing) {
	t.Helper()
	price := decimal.NewFromInt(l.price)
	in := listing.Input{Property: &property.Input{AddressLine1: fmt.Sprintf("%d Main St", seq.Add(1)), City: l.city, PostalCode: &l.zip,
		Latitude: &l.lat, Longitude: &l.lon}, ListType: l.listType,
		Fields: listing.Fields{StandardStatus: &l.status, PropertyType: &l.ptype, ListPrice: &price, BedroomsTotal: l.beds,
			BathroomsTotal: l.baths, LivingArea: l.area, Features: &l.features, PublicRemarks: &l.remarks}}
	got, err := env.Listing.Create(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("listing %+v: %v", l, err)
	}
	l.id = got.ID
}

func prefInput(p tPref) crm.PreferenceInput {
	in := crm.PreferenceInput{ListType: p.listType, BedroomsMin: p.beds, BathroomsMin: p.baths, PropertyTypes: p.types,
		CentreLat: p.lat, CentreLon: p.lon, RadiusKm: p.radius, Cities: p.cities, PostalCodes: p.zips, LivingAreaMin: p.amin,
		LivingAreaMax: p.amax, Features: p.features, Keywords: p.keywords, AlertFrequency: "never"}
	if p.pmin != nil {
		d := decimal.NewFromInt(*p.pmin)
		in.PriceMin = &d
	}
	if p.pmax != nil {
		d := decimal.NewFromInt(*p.pmax)
		in.PriceMax = &d
	}
	return in
}

type pairKey struct{ pref, listing realty.ID }

// storedMatches reads every active match of the clients through the API of
// the service.
func storedMatches(t *testing.T, env fixturetest.Env, actor realty.Actor, clients []realty.ID) map[pairKey]crm.Match {
	t.Helper()
	out := map[pairKey]crm.Match{}
	for _, c := range clients {
		cursor := ""
		for {
			p, err := env.CRM.Matches(context.Background(), actor, c, crm.MatchFilter{Cursor: cursor, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range p.Items {
				out[pairKey{m.PreferenceID, m.ListingID}] = m
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
	}
	return out
}

func compareToBrute(t *testing.T, label string, got map[pairKey]crm.Match, prefs []tPref, ls []tListing) {
	t.Helper()
	want := 0
	for _, p := range prefs {
		for _, l := range ls {
			score, lines, ok := bruteScore(p, l)
			m, stored := got[pairKey{p.id, l.id}]
			if !ok || score < 50 {
				if stored {
					t.Errorf("%s: %s × %s stored with score %d, brute force says no match (%v %d)", label, p.id, l.id, m.Score, ok, score)
				}
				continue
			}
			want++
			if !stored {
				t.Errorf("%s: %s × %s missing, brute force scores %d %v", label, p.id, l.id, score, lines)
				continue
			}
			if m.Score != score {
				t.Errorf("%s: %s × %s scored %d, brute force %d: %+v vs %v", label, p.id, l.id, m.Score, score, m.Breakdown, lines)
			}
			sum := 0
			for _, c := range m.Breakdown {
				sum += c.Points
				if w := lines[c.Name]; w.outcome != c.Outcome || w.points != c.Points {
					t.Errorf("%s: %s × %s criterion %s: %s %d, brute force %s %d (%s)", label, p.id, l.id, c.Name, c.Outcome, c.Points, w.outcome, w.points, c.Detail)
				}
			}
			if sum != m.Score || len(m.Breakdown) != len(lines) {
				t.Errorf("%s: breakdown points add to %d of %d over %d lines (want %d)", label, sum, m.Score, len(m.Breakdown), len(lines))
			}
		}
	}
	if len(got) != want || want == 0 {
		t.Errorf("%s: %d matches stored, brute force finds %d", label, len(got), want)
	}
	t.Logf("%s: %d matches of %d pairs agree with the brute-force scorer", label, want, len(prefs)*len(ls))
}

// TestMatchEngineEqualsBruteForce: on 300 random listings and 60 random
// preferences, the matches stored listing by listing, and again by a full
// rematch, are the brute-force scorer's: the same pairs, scores and
// per-criterion outcomes.
func TestMatchEngineEqualsBruteForce(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner := acme.Personas["owner"].Actor
	ctx := context.Background()
	r := rand.New(rand.NewPCG(12, 34))
	ls := make([]tListing, 300)
	for i := range ls {
		ls[i] = randListing(r)
		createListing(t, env, owner, &ls[i])
	}
	prefs := make([]tPref, 60)
	var clients []realty.ID
	for i := range prefs {
		if i%3 == 0 {
			clients = append(clients, mustClient(t, env, owner, crm.Input{FirstName: fmt.Sprint("Buyer ", i)}).ID)
		}
		prefs[i] = randPref(r)
		prefs[i].client = clients[len(clients)-1]
		p, err := env.CRM.CreatePreference(ctx, owner, prefs[i].client, prefInput(prefs[i]))
		if err != nil {
			t.Fatalf("preference %+v: %v", prefs[i], err)
		}
		prefs[i].id = p.ID
	}
	for _, l := range ls {
		if _, err := env.CRM.MatchListing(ctx, acme.Organization.ID, l.id); err != nil {
			t.Fatal(err)
		}
	}
	compareToBrute(t, "by listing", storedMatches(t, env, owner, clients), prefs, ls)
	clearMatches(t, env, acme.Organization.ID)
	res, err := env.CRM.Rematch(ctx, acme.Organization.ID, realty.ID{}, 0)
	if err != nil || !res.Done || res.Preferences != len(prefs) {
		t.Fatalf("rematch: %+v %v", res, err)
	}
	compareToBrute(t, "full rematch", storedMatches(t, env, owner, clients), prefs, ls)
}

func clearMatches(t *testing.T, env fixturetest.Env, org realty.ID) {
	t.Helper()
	err := postgres.Tx(context.Background(), env.Pool, realty.System(org), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `DELETE FROM crm.property_matches WHERE organization_id = $1`, org)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
