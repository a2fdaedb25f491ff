package listing_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/property"
)

// importSetup is an organization to import into.
type importSetup struct {
	env fixturetest.Env
	org fixture.Org
	sys realty.Actor
}

func newImportSetup(t *testing.T) importSetup {
	t.Helper()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	return importSetup{env: env, org: o, sys: realty.System(o.Organization.ID)}
}

// run imports body as a file called name, as System, with source TESTMLS.
func (s importSetup) run(t *testing.T, name, body string) listing.ImportResult {
	t.Helper()
	return s.runWith(t, s.sys, body, listing.ImportOptions{Name: name, Source: "TESTMLS"})
}

func (s importSetup) runWith(t *testing.T, actor realty.Actor, body string, opt listing.ImportOptions) listing.ImportResult {
	t.Helper()
	res, err := s.env.Listing.ImportFile(context.Background(), actor, strings.NewReader(body), opt)
	if err != nil {
		t.Fatalf("import %s: %v", opt.Name, err)
	}
	return res
}

// count runs a count query as the superuser, past row-level security; $1
// is the organization.
func (s importSetup) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql, append([]any{s.sys.OrgID}, args...)...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// footprint counts what an import may write in the organization.
func (s importSetup) footprint(t *testing.T) [4]int {
	return [4]int{
		s.count(t, `SELECT count(*) FROM listing.listings WHERE organization_id = $1`),
		s.count(t, `SELECT count(*) FROM property.properties WHERE organization_id = $1`),
		s.count(t, `SELECT count(*) FROM listing.listing_history WHERE organization_id = $1`),
		s.count(t, `SELECT count(*) FROM audit.changes WHERE organization_id = $1`),
	}
}

// byKey returns the organization's listing with a listing key.
func (s importSetup) byKey(t *testing.T, key string) listing.Listing {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var id realty.ID
	if err := conn.QueryRow(ctx, `SELECT id FROM listing.listings WHERE organization_id = $1 AND listing_key = $2`,
		s.sys.OrgID, key).Scan(&id); err != nil {
		t.Fatalf("listing %s: %v", key, err)
	}
	l, err := s.env.Listing.Get(ctx, s.sys, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func wantCounts(t *testing.T, res listing.ImportResult, total, inserted, updated, unchanged, rejected int) {
	t.Helper()
	got := [5]int{res.Total, res.Inserted, res.Updated, res.Unchanged, res.Rejected}
	want := [5]int{total, inserted, updated, unchanged, rejected}
	if got != want {
		t.Fatalf("total/inserted/updated/unchanged/rejected = %v, want %v; rejects %+v", got, want, res.Rejects)
	}
}

const csvHeader = "ListingKey,ListingId,StandardStatus,PropertyType,ListPrice,UnparsedAddress,City,StateOrProvince,PostalCode," +
	"BedroomsTotal,OnMarketDate,PublicRemarks,Appliances\n"

// csvRow is one CSV line under csvHeader; change may alter its fields.
func csvRow(i int, change func(f []string)) string {
	f := []string{fmt.Sprintf("K%d", i), fmt.Sprintf("M%d", i), "Active", "Residential", fmt.Sprint(100000 + i),
		fmt.Sprintf("%d Elm Street", i), "Springfield", "IL", "62704", "3", "2025-03-01", "Quiet street", `"Dishwasher,Range"`}
	if change != nil {
		change(f)
	}
	return strings.Join(f, ",") + "\n"
}

func csvFile(n int, change func(i int, f []string)) string {
	var b strings.Builder
	b.WriteString(csvHeader)
	for i := 1; i <= n; i++ {
		b.WriteString(csvRow(i, func(f []string) {
			if change != nil {
				change(i, f)
			}
		}))
	}
	return b.String()
}

func TestImportIdempotent(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	file := csvFile(25, nil)
	wantCounts(t, s.run(t, "listings.csv", file), 25, 25, 0, 0, 0)
	before := s.footprint(t)
	if before[0] != 25 || before[1] != 25 || before[2] != 25 {
		t.Fatalf("listings/properties/history/audit after the first import: %v", before)
	}
	wantCounts(t, s.run(t, "listings.csv", file), 25, 0, 0, 25, 0)
	if after := s.footprint(t); after != before {
		t.Fatalf("the second import wrote: listings/properties/history/audit %v → %v", before, after)
	}
	l := s.byKey(t, "K7")
	if l.OriginatingSystemName == nil || *l.OriginatingSystemName != "TESTMLS" || *l.OriginatingSystemKey != "K7" ||
		*l.ListingID != "M7" || l.StreetAddress != "7 Elm Street" || !slices.Equal(l.Appliances, []string{"Dishwasher", "Range"}) ||
		*l.BedroomsTotal != 3 || l.OnMarketDate.String() != "2025-03-01" || l.ListAgentID != nil {
		t.Fatalf("imported listing %+v", l)
	}
}

func TestImportRejects(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	bad := map[int]func(f []string){
		2: func(f []string) { f[4] = "12O000" },
		3: func(f []string) { f[4] = "-5" },
		4: func(f []string) { f[2] = "Sold" },
		5: func(f []string) { f[0] = "" },
		6: func(f []string) { f[10] = "2025-02-30" },
		7: func(f []string) { f[3] = "Castle" },
		8: func(f []string) { f[6] = "" },
	}
	file := csvFile(9, func(i int, f []string) {
		if change, ok := bad[i]; ok {
			change(f)
		}
	})
	res := s.run(t, "rejects.csv", file)
	wantCounts(t, res, 9, 2, 0, 0, 7)
	want := []listing.Reject{
		{Row: 3, ListingKey: "K2", Reason: `ListPrice: "12O000" is not a number`},
		{Row: 4, ListingKey: "K3", Reason: "ListPrice: must be positive"},
		{Row: 5, ListingKey: "K4", Reason: `StandardStatus: "Sold" is not a RESO StandardStatus`},
		{Row: 6, ListingKey: "", Reason: "ListingKey: is required"},
		{Row: 7, ListingKey: "K6", Reason: `OnMarketDate: "2025-02-30" is not a date (YYYY-MM-DD)`},
		{Row: 8, ListingKey: "K7", Reason: `PropertyType: "Castle" is not a RESO PropertyType`},
		{Row: 9, ListingKey: "K8", Reason: "City: is required"},
	}
	if !slices.Equal(res.Rejects, want) {
		t.Fatalf("rejects:\n%+v\nwant\n%+v", res.Rejects, want)
	}
	if fp := s.footprint(t); fp[0] != 2 || fp[1] != 2 {
		t.Fatalf("listings/properties/history/audit %v, want the two good rows only", fp)
	}
}

// TestImportChanges re-imports a modified file: only the modified listings
// are written, each change entering the history once.
func TestImportChanges(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	s.run(t, "day1.csv", csvFile(10, nil))
	audit := s.count(t, `SELECT count(*) FROM audit.changes WHERE organization_id = $1 AND table_name = 'listing.listings'`)
	res := s.run(t, "day2.csv", csvFile(10, func(i int, f []string) {
		switch i {
		case 1:
			f[4] = "95000" // price cut
		case 2:
			f[2] = "Pending"
		case 3:
			f[11] = `"Quiet street, new roof"`
		}
	}))
	wantCounts(t, res, 10, 0, 3, 7, 0)
	if n := s.count(t, `SELECT count(*) FROM audit.changes WHERE organization_id = $1 AND table_name = 'listing.listings'`); n != audit+3 {
		t.Fatalf("%d audit entries for listings, want %d", n, audit+3)
	}
	history := func(key string) []string {
		h, err := s.env.Listing.History(context.Background(), s.sys, s.byKey(t, key).ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range h {
			out = append(out, fmt.Sprintf("%s %s %s→%s", *e.ChangeType, e.Field, deref(e.PreviousValue), deref(e.NewValue)))
		}
		return out
	}
	for key, want := range map[string][]string{
		"K1": {"NewListing StandardStatus →Active", "PriceChange ListPrice 100001.00→95000.00"},
		"K2": {"NewListing StandardStatus →Active", "Pending StandardStatus Active→Pending"},
		"K3": {"NewListing StandardStatus →Active"},
	} {
		if got := history(key); !slices.Equal(got, want) {
			t.Errorf("%s history %q, want %q", key, got, want)
		}
	}
	if l := s.byKey(t, "K3"); *l.PublicRemarks != "Quiet street, new roof" || l.PriceChangeTimestamp != nil {
		t.Errorf("K3 %+v", l)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestImportDatabaseReject has a row the database refuses (its key is
// another listing's) among good ones, in several batches: the good rows go
// in, the bad one is rejected naming the constraint, and nothing of it is
// written — not even its property.
func TestImportDatabaseReject(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	ctx := context.Background()
	if _, err := s.env.Listing.Create(ctx, s.org.Personas["broker"].Actor, listing.Input{ListingKey: "K6",
		Property: &property.Input{AddressLine1: "1 Other Road", City: "Springfield"}, Fields: listing.Fields{ListPrice: price("1")}}); err != nil {
		t.Fatal(err)
	}
	res := s.runWith(t, s.sys, csvFile(10, nil), listing.ImportOptions{Name: "f.csv", Source: "TESTMLS", BatchSize: 4})
	wantCounts(t, res, 10, 9, 0, 0, 1)
	want := listing.Reject{Row: 7, ListingKey: "K6", Reason: "ListingKey: is taken by another listing"}
	if res.Rejects[0] != want {
		t.Fatalf("reject %+v, want %+v", res.Rejects[0], want)
	}
	if n := s.count(t, `SELECT count(*) FROM property.properties WHERE organization_id = $1 AND address_line1 = '6 Elm Street'`); n != 0 {
		t.Fatalf("the rejected row's property was created")
	}
	if fp := s.footprint(t); fp[0] != 10 || fp[1] != 10 {
		t.Fatalf("listings/properties/history/audit %v, want 10 listings and properties", fp)
	}
}

func TestImportFormats(t *testing.T) {
	t.Parallel()
	const odata = `{"@odata.context": "https://mls.example/odata/$metadata#Property", "value": [
		{"ListingKey": "J1", "StandardStatus": "Active Under Contract", "PropertyType": "Residential", "ListPrice": 450000,
		 "StreetNumber": "12", "StreetName": "Main", "StreetSuffix": "St", "City": "Springfield", "PostalCode": "62704",
		 "Latitude": 39.78, "Longitude": -89.65, "BedroomsTotal": 4, "Appliances": ["Dishwasher", "Range"], "PublicRemarks": null},
		{"ListingKey": "J2", "StandardStatus": "Closed", "ListPrice": "300000.50", "ClosePrice": "299000", "CloseDate": "2025-04-30",
		 "UnparsedAddress": "5 Oak Avenue, Springfield, IL 62704", "City": "Springfield", "Cooling": "Central Air, Ceiling Fan(s)"}
	], "@odata.nextLink": "https://mls.example/odata/Property?$skip=2"}`
	lines := `{"ListingKey": "J1", "StandardStatus": "ActiveUnderContract", "ListPrice": "450000.00", "UnparsedAddress": "12 Main St", "City": "Springfield", "PostalCode": "62704", "Latitude": "39.780000", "Longitude": -89.65, "BedroomsTotal": "4", "PropertyType": "Residential", "Appliances": "Dishwasher,Range", "PublicRemarks": ""}

{"ListingKey": "J2", "StandardStatus": "Closed", "ListPrice": 300000.5, "ClosePrice": 299000, "CloseDate": "2025-04-30", "UnparsedAddress": "5 Oak Avenue", "City": "Springfield", "Cooling": ["Central Air", "Ceiling Fan(s)"]}
`
	csv := "ListingKey,StandardStatus,ListPrice,UnparsedAddress,City,PostalCode,Latitude,Longitude,BedroomsTotal,PropertyType,Appliances,PublicRemarks\n" +
		`J1,ActiveUnderContract,450000,12 Main St,Springfield,62704,39.78,-89.65,4,Residential,"Dishwasher, Range",` + "\n" +
		"J2,Closed,300000.50,5 Oak Avenue,Springfield,,,,,,,\n"
	cases := []struct {
		name, body, format string
		updates            int // when the JSON lines file follows
	}{
		{"feed.json", odata, "json", 0},
		{"feed.jsonl", lines, "jsonl", 0},
		{"feed.csv", csv, "csv", 1}, // J2 gains its close price, close date and cooling
		{"feed", lines, "jsonl", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newImportSetup(t)
			res := s.run(t, c.name, c.body)
			wantCounts(t, res, 2, 2, 0, 0, 0)
			if res.Format != c.format {
				t.Errorf("format %s, want %s", res.Format, c.format)
			}
			j1 := s.byKey(t, "J1")
			if j1.StandardStatus != "ActiveUnderContract" || j1.StreetAddress != "12 Main St" || *j1.Latitude != 39.78 ||
				*j1.BedroomsTotal != 4 || !slices.Equal(j1.Appliances, []string{"Dishwasher", "Range"}) || j1.PublicRemarks != nil {
				t.Errorf("J1 %+v", j1)
			}
			if j2 := s.byKey(t, "J2"); j2.StreetAddress != "5 Oak Avenue" || j2.ListPrice.String() != "300000.5" {
				t.Errorf("J2 %+v", j2)
			}
			// The same listings from the JSON lines file: nothing to change.
			if res := s.run(t, "again.jsonl", lines); res.Inserted != 0 || res.Updated != c.updates {
				t.Errorf("%s then JSON lines: %+v", c.name, res)
			}
		})
	}
}

func TestImportPropertyLinking(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	ctx := context.Background()
	p, err := s.env.Property.Create(ctx, s.org.Personas["broker"].Actor, property.Input{AddressLine1: "12 Main Street",
		City: "Springfield", PostalCode: strp("62704"), Bedrooms: intp(5)})
	if err != nil {
		t.Fatal(err)
	}
	file := "ListingKey,ListPrice,UnparsedAddress,City,PostalCode,UnitNumber\n" +
		"A1,100000,12 MAIN STREET,springfield,62704,\n" + // the existing property
		"A2,200000,40 Tower Road,Springfield,62704,1A\n" + // a new one …
		"A3,210000,40 tower road,Springfield,62704,2B\n" + // … shared by two units
		"A4,90000,12 Main Street,Springfield,62705,\n" // another postal code: another property
	wantCounts(t, s.run(t, "link.csv", file), 4, 4, 0, 0, 0)
	a1, a2, a3, a4 := s.byKey(t, "A1"), s.byKey(t, "A2"), s.byKey(t, "A3"), s.byKey(t, "A4")
	if a1.PropertyID != p.ID || a1.StreetAddress != "12 Main Street" || *a1.BedroomsTotal != 5 {
		t.Errorf("A1 not linked to the existing property: %+v", a1)
	}
	if a2.PropertyID != a3.PropertyID || *a3.UnitNumber != "2B" || a4.PropertyID == p.ID {
		t.Errorf("A2 %v A3 %v A4 %v", a2.PropertyID, a3.PropertyID, a4.PropertyID)
	}
	if n := s.count(t, `SELECT count(*) FROM property.properties WHERE organization_id = $1`); n != 3 {
		t.Fatalf("%d properties, want 3", n)
	}
	// A listing whose address changes moves to the property there.
	moved := strings.Replace(file, "A4,90000,12 Main Street,Springfield,62705", "A4,90000,40 Tower Road,Springfield,62704", 1)
	wantCounts(t, s.run(t, "link.csv", moved), 4, 0, 1, 3, 0)
	if a4 := s.byKey(t, "A4"); a4.PropertyID != a2.PropertyID || a4.StreetAddress != "40 Tower Road" || *a4.PostalCode != "62704" {
		t.Errorf("A4 did not move: %+v", a4)
	}
}

// TestImportIsolation imports the same file into two organizations: each
// gets its own listings, and importing into one never touches the other.
func TestImportIsolation(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	b := importSetup{env: s.env, org: s.env.Organization(t, "globex")}
	b.sys = realty.System(b.org.Organization.ID)
	file := csvFile(5, nil)
	wantCounts(t, s.run(t, "f.csv", file), 5, 5, 0, 0, 0)
	before := b.footprint(t)
	wantCounts(t, b.run(t, "f.csv", file), 5, 5, 0, 0, 0)
	after := b.footprint(t)
	wantCounts(t, s.run(t, "f.csv", csvFile(5, func(_ int, f []string) { f[4] = "1" })), 5, 0, 5, 0, 0)
	if again := b.footprint(t); again != after || before[0] != 0 {
		t.Fatalf("globex: %v before its import, %v after, %v after acme's re-import", before, after, again)
	}
	if n := s.count(t, `SELECT count(*) FROM listing.listings l JOIN property.properties p ON p.id = l.property_id
		WHERE l.organization_id = $1 AND p.organization_id <> $1`); n != 0 {
		t.Fatalf("%d acme listings on another organization's property", n)
	}
}

func TestImportMapping(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	ctx := context.Background()
	broker := s.org.Personas["broker"].Actor
	if _, err := s.env.Listing.MapStatus(ctx, broker, "A-ACT", "Active"); err != nil {
		t.Fatal(err)
	}
	file := "ListingKey,MlsStatus,ListPrice,UnparsedAddress,City,ListAgentEmail,OriginatingSystemName,OriginatingSystemKey\n" +
		"S1,A-ACT,100000,1 A St,Springfield,AGENT@acme.example,,\n" +
		"S2,pending,100000,2 A St,Springfield,nobody@acme.example,OTHERMLS,X-2\n" +
		"S3,U-WAIT,100000,3 A St,Springfield,,,\n" +
		"S1,A-ACT,110000,1 A St,Springfield,agent@acme.example,,\n" // the same listing again: applied in order
	res := s.runWith(t, broker, file, listing.ImportOptions{Name: "m.csv", Source: "TESTMLS"})
	wantCounts(t, res, 4, 2, 1, 0, 1)
	if r := res.Rejects[0]; r.Row != 4 || !strings.Contains(r.Reason, `MlsStatus: "U-WAIT" has no mapping`) {
		t.Fatalf("reject %+v", r)
	}
	s1, s2 := s.byKey(t, "S1"), s.byKey(t, "S2")
	if s1.StandardStatus != "Active" || *s1.MlsStatus != "A-ACT" || s1.ListAgentID == nil ||
		*s1.ListAgentID != s.org.Personas["agent"].MemberID || s1.ListPrice.String() != "110000" {
		t.Errorf("S1 %+v", s1)
	}
	if s2.StandardStatus != "Pending" || s2.ListAgentID != nil || *s2.OriginatingSystemName != "OTHERMLS" || *s2.OriginatingSystemKey != "X-2" {
		t.Errorf("S2 %+v", s2)
	}
	h, _ := s.env.Listing.History(ctx, broker, s1.ID)
	if len(h) != 2 || h[0].ChangedBy == nil || *h[0].ChangedBy != broker.UserID {
		t.Errorf("S1 history not attributed to the importing broker: %+v", h)
	}
}

// TestImportPartial re-imports with fewer columns: the fields not in the
// file keep their values.
func TestImportPartial(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	s.run(t, "full.csv", csvFile(3, nil))
	res := s.run(t, "prices.csv", "ListingKey,ListPrice,UnparsedAddress,City,PostalCode\nK1,100001,1 Elm Street,Springfield,62704\n"+
		"K2,123456,2 Elm Street,Springfield,62704\n")
	wantCounts(t, res, 2, 0, 1, 1, 0)
	if l := s.byKey(t, "K2"); *l.PublicRemarks != "Quiet street" || *l.BedroomsTotal != 3 || len(l.Appliances) != 2 ||
		l.ListPrice.String() != "123456" {
		t.Fatalf("K2 after a partial import %+v", l)
	}
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		actor realty.Actor
		body  string
		kind  realty.Kind
	}{
		{"ErrAgent", s.org.Personas["agent"].Actor, csvFile(1, nil), realty.Forbidden},
		{"ErrEmpty", s.sys, "  \n", realty.Invalid},
		{"ErrNoKeyColumn", s.sys, "ListPrice,City\n1,Springfield\n", realty.Invalid},
		{"ErrNotOData", s.sys, `{"items": [{"ListingKey": "x"}],` + "\n" + `"count": 1}`, realty.Invalid},
		{"ErrBrokenJSON", s.sys, `{"value": [{"ListingKey": "x"}, {"ListingKey": }]}`, realty.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.env.Listing.ImportFile(ctx, c.actor, strings.NewReader(c.body), listing.ImportOptions{Source: "X"})
			if realty.KindOf(err) != c.kind {
				t.Fatalf("error %v, want %s", err, c.kind)
			}
		})
	}
	t.Run("OKBadLines", func(t *testing.T) {
		res := s.run(t, "x.jsonl", `{"ListingKey": "L1", "ListPrice": 1, "UnparsedAddress": "1 A St", "City": "B"}`+"\n[1, 2]\nnot json\n")
		if res.Inserted != 1 || res.Rejected != 2 || res.Rejects[0].Row != 2 || res.Rejects[1].Reason != "the record is not a JSON object" {
			t.Fatalf("%+v", res)
		}
	})
}

// TestImportLanes writes small batches in several lanes at once: a
// listing repeated at other addresses still ends as its last row says, and
// an address named in many rows still gets one property.
func TestImportLanes(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	var b strings.Builder
	b.WriteString("ListingKey,ListPrice,UnparsedAddress,City,UnitNumber\n")
	for i := 1; i <= 300; i++ {
		switch {
		case i%3 == 0: // the same listing again, moving between addresses
			fmt.Fprintf(&b, "MOVER,%d,%d Drift Road,Springfield,\n", 1000+i, i%7)
		case i%3 == 1: // many units at one address
			fmt.Fprintf(&b, "U%d,%d,1 Tower Plaza,Springfield,%d\n", i, 2000+i, i)
		default:
			fmt.Fprintf(&b, "H%d,%d,%d Elm Street,Springfield,\n", i, 3000+i, i)
		}
	}
	res := s.runWith(t, s.sys, b.String(), listing.ImportOptions{Name: "lanes.csv", Source: "TESTMLS", BatchSize: 7, Lanes: 4})
	wantCounts(t, res, 300, 201, 99, 0, 0)
	if l := s.byKey(t, "MOVER"); l.ListPrice.String() != "1300" || l.StreetAddress != "6 Drift Road" {
		t.Fatalf("MOVER ended %s at %s, want the last row: 1300 at 6 Drift Road", l.ListPrice, l.StreetAddress)
	}
	if n := s.count(t, `SELECT count(*) FROM property.properties WHERE organization_id = $1 AND address_line1 = '1 Tower Plaza'`); n != 1 {
		t.Fatalf("%d properties at 1 Tower Plaza, want 1", n)
	}
	if n := s.count(t, `SELECT count(*) FROM (SELECT lower(address_line1) FROM property.properties WHERE organization_id = $1
		GROUP BY 1 HAVING count(*) > 1) d`); n != 0 {
		t.Fatalf("%d addresses with more than one property", n)
	}
	wantCounts(t, s.runWith(t, s.sys, b.String(), listing.ImportOptions{Name: "lanes.csv", Source: "TESTMLS", BatchSize: 7, Lanes: 4}),
		300, 0, 100, 200, 0) // MOVER's rows each change it again
}
