package listing_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/listing"
	"realty/internal/property"
)

// The random data's vocabulary: single words that full-text search stems to
// themselves alone, so a word matches exactly the documents containing it.
var (
	vocabulary = []string{"granite", "skylight", "fireplace", "courtyard", "terrace", "garden", "marble", "loft", "sauna", "balcony"}
	streets    = []string{"Oak", "Maple", "Cedar", "Birch", "Willow", "Harbor", "Summit", "Meadow"}
	cities     = []string{"Austin", "Denver", "Portland", "austin"}
	postals    = []string{"78701", "80202", "97201", "78704"}
	statuses   = []string{"Active", "Pending", "Closed", "ComingSoon", "Withdrawn"}
	types      = []string{"Residential", "ResidentialLease", "CommercialSale"}
	subtypes   = []string{"Condominium", "SingleFamilyResidence", "Townhouse"}
)

// row is what the brute force knows of a listing.
type row struct {
	id                realty.ID
	status, listType  string
	propertyType      string
	subType           string
	price             decimal.Decimal
	beds              *int
	baths, area       *float64
	city, postal      string
	agent             realty.ID
	lat, lng          *float64
	address, text     string
	entered, modified time.Time
}

// seedRandom creates n random listings through the service and returns what
// the brute force needs of them.
func seedRandom(t *testing.T, s setupResult, o fixture.Org, n int, rng *rand.Rand) []row {
	t.Helper()
	ctx := context.Background()
	agents := []realty.Actor{o.Personas["agent"].Actor, o.Personas["broker"].Actor, o.Personas["property_manager"].Actor}
	var rows []row
	for i := range n {
		a := agents[rng.IntN(len(agents))]
		in := randomInput(i, rng)
		l, err := s.listings.Create(ctx, a, in)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rowOf(l, in))
	}
	return rows
}

func randomInput(i int, rng *rand.Rand) listing.Input {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	words := func(k int) []string {
		var w []string
		for range k {
			w = append(w, pick(vocabulary))
		}
		return w
	}
	p := &property.Input{AddressLine1: fmt.Sprintf("%d %s Street", 1+rng.IntN(999), pick(streets)), City: pick(cities), PostalCode: ptrTo(pick(postals))}
	if rng.IntN(5) > 0 {
		lat, lng := 30+rng.Float64()*0.5, -97.9+rng.Float64()*0.5
		p.Latitude, p.Longitude = &lat, &lng
	}
	f := listing.Fields{ListPrice: ptrTo(decimal.NewFromInt(int64(100+rng.IntN(60)) * 5000)), StandardStatus: ptrTo(pick(statuses)),
		PropertyType: ptrTo(pick(types)), PropertySubType: ptrTo(pick(subtypes)), Features: ptrTo(words(rng.IntN(3))),
		PublicRemarks: ptrTo("Bright home with " + strings.Join(words(rng.IntN(3)), " and ")), ListingContractDate: nil}
	if rng.IntN(6) > 0 {
		f.BedroomsTotal = ptrTo(rng.IntN(6))
		f.BathroomsTotal = ptrTo(float64(1+rng.IntN(8)) / 2)
		f.LivingArea = ptrTo(float64(500 + rng.IntN(3000)))
	}
	listType := "sale"
	if *f.PropertyType == "ResidentialLease" {
		listType = "lease"
	}
	return listing.Input{Property: p, ListType: listType, ListingKey: "K" + strconv.Itoa(i), Fields: f}
}

func ptrTo[T any](v T) *T { return &v }

func rowOf(l listing.Listing, in listing.Input) row {
	return row{id: l.ID, status: l.StandardStatus, listType: l.ListType, propertyType: l.PropertyType, subType: *l.PropertySubType,
		price: l.ListPrice, beds: l.BedroomsTotal, baths: l.BathroomsTotal, area: l.LivingArea, city: l.City, postal: *l.PostalCode,
		agent: *l.ListAgentID, lat: l.Latitude, lng: l.Longitude, address: l.StreetAddress,
		text:    strings.Join(append(append([]string{l.StreetAddress, l.City, *l.PostalCode}, l.Features...), *l.PublicRemarks), " "),
		entered: l.OriginalEntryTimestamp, modified: l.ModificationTimestamp}
}

// TestSearchMatchesBruteForce runs 1,000 random searches, page by page, and
// compares every page with the same search done by brute force in Go over
// all listings: same rows, same order, same cursors, same counts.
func TestSearchMatchesBruteForce(t *testing.T) {
	t.Parallel()
	s := setup(t)
	o := s.env.Organization(t, "acme")
	rng := rand.New(rand.NewPCG(7, 11))
	rows := seedRandom(t, s, o, 400, rng)
	actor := o.Personas["broker"].Actor
	agents := []realty.ID{o.Personas["agent"].MemberID, o.Personas["broker"].MemberID}
	pages := 0
	for i := range 1000 {
		q := randomQuery(rng, rows, agents)
		want := bruteForce(rows, q)
		pages += checkPages(t, s, actor, i, q, want)
		if t.Failed() {
			t.Fatalf("stopping at query %d: %+v", i, q)
		}
	}
	t.Logf("1000 queries, %d pages compared", pages)
}

func randomQuery(rng *rand.Rand, rows []row, agents []realty.ID) listing.Query {
	q := listing.Query{Limit: 1 + rng.IntN(40), Count: rng.IntN(2) == 0}
	maybe := func() bool { return rng.IntN(4) == 0 }
	if maybe() {
		q.Statuses = []string{statuses[rng.IntN(len(statuses))]}
		if rng.IntN(2) == 0 {
			q.Statuses = append(q.Statuses, statuses[rng.IntN(len(statuses))])
		}
	}
	if maybe() {
		q.ListType = []string{"sale", "lease"}[rng.IntN(2)]
	}
	if maybe() {
		q.PropertyTypes = []string{types[rng.IntN(len(types))]}
	}
	if maybe() {
		q.SubType = subtypes[rng.IntN(len(subtypes))]
	}
	if maybe() {
		q.MinPrice = ptrTo(decimal.NewFromInt(int64(100+rng.IntN(60)) * 5000))
	}
	if maybe() {
		q.MaxPrice = ptrTo(decimal.NewFromInt(int64(100+rng.IntN(60)) * 5000))
	}
	if maybe() {
		q.MinBeds = ptrTo(rng.IntN(6))
	}
	if maybe() {
		q.MinBaths = ptrTo(float64(rng.IntN(8)) / 2)
	}
	if maybe() {
		q.MinArea, q.MaxArea = ptrTo(float64(500+rng.IntN(1500))), ptrTo(float64(1500+rng.IntN(2000)))
	}
	if maybe() {
		q.City = cities[rng.IntN(len(cities))]
	}
	if maybe() {
		q.PostalCode = postals[rng.IntN(len(postals))]
	}
	if maybe() {
		q.AgentID = &agents[rng.IntN(len(agents))]
	}
	if maybe() {
		q.ModifiedSince = ptrTo(rows[rng.IntN(len(rows))].modified)
	}
	if rng.IntN(3) == 0 {
		q.Lat, q.Lng = ptrTo(30+rng.Float64()*0.5), ptrTo(-97.9+rng.Float64()*0.5)
		if rng.IntN(2) == 0 {
			q.RadiusKm = ptrTo(1 + rng.Float64()*30)
		}
	}
	if rng.IntN(4) == 0 {
		q.Q = []string{vocabulary[rng.IntN(len(vocabulary))], streets[rng.IntN(len(streets))], "ark", "Maple Str"}[rng.IntN(4)]
	}
	q.Sort = randomSort(rng, q)
	return q
}

func randomSort(rng *rand.Rand, q listing.Query) string {
	sorts := []string{"", "price_asc", "price_desc", "newest"}
	if q.Lat != nil {
		sorts = append(sorts, "distance")
	}
	if q.Q != "" {
		sorts = append(sorts, "relevance")
	}
	return sorts[rng.IntN(len(sorts))]
}

// match is one brute-force hit with its sort keys.
type match struct {
	row      row
	distance decimal.Decimal
}

func bruteForce(rows []row, q listing.Query) []match {
	var out []match
	for _, r := range rows {
		if m, ok := matches(r, q); ok {
			out = append(out, m)
		}
	}
	sortMatches(out, q)
	return out
}

func matches(r row, q listing.Query) (match, bool) {
	m := match{row: r}
	ok := (len(q.Statuses) == 0 || slices.Contains(q.Statuses, r.status)) &&
		(q.ListType == "" || r.listType == q.ListType) &&
		(len(q.PropertyTypes) == 0 || slices.Contains(q.PropertyTypes, r.propertyType)) &&
		(q.SubType == "" || r.subType == q.SubType) &&
		(q.MinPrice == nil || r.price.GreaterThanOrEqual(*q.MinPrice)) &&
		(q.MaxPrice == nil || r.price.LessThanOrEqual(*q.MaxPrice)) &&
		(q.MinBeds == nil || (r.beds != nil && *r.beds >= *q.MinBeds)) &&
		(q.MinBaths == nil || (r.baths != nil && *r.baths >= *q.MinBaths)) &&
		(q.MinArea == nil || (r.area != nil && *r.area >= *q.MinArea)) &&
		(q.MaxArea == nil || (r.area != nil && *r.area <= *q.MaxArea)) &&
		(q.City == "" || strings.EqualFold(r.city, q.City)) &&
		(q.PostalCode == "" || r.postal == q.PostalCode) &&
		(q.AgentID == nil || r.agent == *q.AgentID) &&
		(q.ModifiedSince == nil || !r.modified.Before(*q.ModifiedSince)) &&
		(q.Q == "" || textMatch(r, q.Q))
	if !ok {
		return m, false
	}
	if q.Lat != nil {
		if r.lat == nil {
			return m, false
		}
		d := earthDistance(*q.Lat, *q.Lng, *r.lat, *r.lng)
		if q.RadiusKm != nil && d > *q.RadiusKm*1000 {
			return m, false
		}
		m.distance = roundFloat(d, 3)
	}
	return m, true
}

// textMatch is the query's text condition: a word of the document (the
// vocabulary is chosen so stemming changes nothing), or part of the street
// address.
func textMatch(r row, q string) bool {
	if strings.Contains(strings.ToLower(r.address), strings.ToLower(q)) {
		return true
	}
	words := strings.Fields(strings.ToLower(q))
	doc := strings.Fields(strings.ToLower(r.text))
	for _, w := range words {
		if !slices.Contains(doc, w) {
			return false
		}
	}
	return len(words) > 0
}

// earthDistance is earthdistance's earth_distance(ll_to_earth(a),
// ll_to_earth(b)): the great circle over the chord between two points on a
// sphere of radius earth() = 6378168 m.
func earthDistance(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6378168.0
	p := func(lat, lng float64) [3]float64 {
		la, ln := lat*math.Pi/180, lng*math.Pi/180
		return [3]float64{r * math.Cos(la) * math.Cos(ln), r * math.Cos(la) * math.Sin(ln), r * math.Sin(la)}
	}
	a, b := p(lat1, lng1), p(lat2, lng2)
	chord := math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
	return 2 * r * math.Asin(chord/(2*r))
}

// roundFloat rounds like PostgreSQL's round(float8::numeric, places): the
// float's 15 significant digits, then half away from zero.
func roundFloat(f float64, places int32) decimal.Decimal {
	return decimal.RequireFromString(strconv.FormatFloat(f, 'g', 15, 64)).Round(places)
}

func sortMatches(ms []match, q listing.Query) {
	sort := q.Sort
	if sort == "" {
		sort = map[bool]string{true: "distance", false: "newest"}[q.Lat != nil]
		if q.Q != "" {
			sort = "relevance"
		}
	}
	cmpID := func(a, b realty.ID) int { return strings.Compare(a.String(), b.String()) }
	slices.SortFunc(ms, func(a, b match) int {
		switch sort {
		case "price_asc":
			return or(a.row.price.Cmp(b.row.price), cmpID(a.row.id, b.row.id))
		case "price_desc":
			return -or(a.row.price.Cmp(b.row.price), cmpID(a.row.id, b.row.id))
		case "distance":
			return or(a.distance.Cmp(b.distance), cmpID(a.row.id, b.row.id))
		case "relevance":
			return 0 // SQL's rank decides; checked separately
		}
		return -or(a.row.entered.Compare(b.row.entered), cmpID(a.row.id, b.row.id))
	})
}

func or(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// checkPages pages through the search and compares it with want; it returns
// the number of pages.
func checkPages(t *testing.T, s setupResult, actor realty.Actor, i int, q listing.Query, want []match) int {
	t.Helper()
	var got []listing.Summary
	pages := 0
	for {
		res, err := s.listings.Search(context.Background(), actor, q)
		if err != nil {
			t.Fatalf("query %d %+v: %v", i, q, err)
		}
		pages++
		if q.Count && (res.Total == nil || *res.Total != len(want)) {
			t.Errorf("query %d: total %v, want %d", i, res.Total, len(want))
		}
		got = append(got, res.Items...)
		if res.NextCursor == "" {
			break
		}
		if last := res.Items[len(res.Items)-1]; res.NextCursor != listing.CursorOf(q, last) || len(res.Items) != q.Limit {
			t.Errorf("query %d page %d: cursor %q is not the keyset of its last row", i, pages, res.NextCursor)
		}
		q.Cursor = res.NextCursor
	}
	compare(t, i, q, got, want)
	return pages
}

func compare(t *testing.T, i int, q listing.Query, got []listing.Summary, want []match) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("query %d %+v: %d rows, want %d", i, q, len(got), len(want))
		return
	}
	relevance := q.Sort == "relevance" || (q.Sort == "" && q.Q != "")
	if relevance {
		checkRelevance(t, i, got, want)
		return
	}
	for k := range got {
		if got[k].ID != want[k].row.id {
			t.Errorf("query %d %+v: row %d is %s, want %s", i, q, k, got[k].ID, want[k].row.id)
			return
		}
		if q.Lat != nil && !got[k].DistanceM.Equal(want[k].distance) {
			t.Errorf("query %d: row %d distance %s, want %s", i, k, got[k].DistanceM, want[k].distance)
		}
	}
}

// checkRelevance requires the same rows, ordered by the rank the database
// returned (descending, then id descending).
func checkRelevance(t *testing.T, i int, got []listing.Summary, want []match) {
	t.Helper()
	ids := map[realty.ID]bool{}
	for _, m := range want {
		ids[m.row.id] = true
	}
	for k, g := range got {
		if !ids[g.ID] {
			t.Errorf("query %d: %s is not a match", i, g.ID)
		}
		if k > 0 {
			prev := got[k-1]
			c := g.Relevance.Cmp(*prev.Relevance)
			if c > 0 || (c == 0 && g.ID.String() > prev.ID.String()) {
				t.Errorf("query %d: rows %d and %d out of relevance order", i, k-1, k)
			}
		}
	}
}
