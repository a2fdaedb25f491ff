package listing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/property"
)

// createStaging makes the batch's staging table: the rows as the file gave
// them, typed and validated, plus what the merge resolves (the listing
// already imported, the property, found or made by property.EnsureByAddressTx
// in the columns it names). It lives until the transaction ends.
var createStaging = `CREATE TEMPORARY TABLE import_rows (
	seq int NOT NULL, row_no int NOT NULL, present bigint NOT NULL,
	listing_key text NOT NULL, listing_id text, originating_system_name text NOT NULL, originating_system_key text NOT NULL,
	standard_status text, mls_status text, property_type text, property_sub_type text, list_type text,
	list_price numeric(14, 2) NOT NULL, original_list_price numeric(14, 2), close_price numeric(14, 2),
	listing_contract_date date, on_market_date date, off_market_date date, close_date date, expiration_date date,
	list_agent_id uuid, public_remarks text, private_remarks text,
	street_address text NOT NULL, unit_number text, city text NOT NULL, state_province text, postal_code text, country text,
	latitude numeric(9, 6), longitude numeric(9, 6),
	bedrooms_total int, bathrooms_total numeric(4, 1), living_area numeric(12, 2), lot_size_area numeric(14, 2), year_built int,
	appliances text[], cooling text[], heating text[], flooring text[], view text[], pool_features text[],
	target_id uuid, property_id uuid, features text[],
	-- The id of a listing made from the row, from Go (encodeRow).
	new_id uuid,
	-- The kind of property a RESO PropertyType is, for a property made from the row.
	property_kind text GENERATED ALWAYS AS (CASE WHEN property_type IN ('CommercialSale', 'CommercialLease', 'BusinessOpportunity')
		THEN 'commercial' WHEN property_type IN ('Land', 'Farm') THEN 'land' ELSE 'residential' END) STORED,
	` + property.AddressColumns + `
) ON COMMIT DROP`

// stagingTable is createStaging's table, as property.EnsureByAddressTx takes it.
var stagingTable = pgx.Identifier{"pg_temp", "import_rows"}

// stagingColumns are the staging columns COPY fills, in encodeRow's order.
var stagingColumns = []string{"seq", "row_no", "present",
	"listing_key", "listing_id", "originating_system_name", "originating_system_key",
	"standard_status", "mls_status", "property_type", "property_sub_type", "list_type",
	"list_price", "original_list_price", "close_price",
	"listing_contract_date", "on_market_date", "off_market_date", "close_date", "expiration_date",
	"list_agent_id", "public_remarks", "private_remarks",
	"street_address", "unit_number", "city", "state_province", "postal_code", "country", "latitude", "longitude",
	"bedrooms_total", "bathrooms_total", "living_area", "lot_size_area", "year_built",
	"appliances", "cooling", "heating", "flooring", "view", "pool_features", "new_id", "new_property_id"}

// inRange limits a merge statement to the rows seq in [$2, $3).
const inRange = `seq >= $2 AND seq < $3`

// Each staged row looks its listing and property up by index, one probe
// per row (LATERAL … LIMIT 1), whatever the planner believes of the
// organization's row counts: statistics lag behind a large import, and a
// join planned on "the organization has no listings yet" loops over the
// batch once per listing.

// markExisting finds the listings already imported under the rows' origin
// keys. A row whose address still matches keeps the listing's property and
// location; a moved one needs a property, and takes what it does not say
// from the listing.
var markExisting = fmt.Sprintf(`UPDATE pg_temp.import_rows s SET target_id = m.id,
	property_id = CASE WHEN m.same THEN m.property_id END,
	street_address = CASE WHEN m.same THEN m.street_address ELSE s.street_address END,
	city = CASE WHEN m.same THEN m.city ELSE s.city END,
	postal_code = CASE WHEN m.same THEN m.postal_code ELSE m.postal END,
	state_province = CASE WHEN m.same OR s.present & %[1]d = 0 THEN m.state_province ELSE s.state_province END,
	country = CASE WHEN m.same OR s.present & %[2]d = 0 THEN m.country ELSE s.country END,
	latitude = CASE WHEN m.same OR s.present & %[3]d = 0 THEN m.latitude ELSE s.latitude END,
	longitude = CASE WHEN m.same OR s.present & %[3]d = 0 THEN m.longitude ELSE s.longitude END
FROM (
	SELECT r.seq, l.id, l.property_id, l.street_address, l.city, l.postal_code, l.state_province, l.country,
		l.latitude, l.longitude, pc.postal,
		(lower(l.street_address), lower(l.city), lower(coalesce(l.postal_code, ''))) =
			(lower(r.street_address), lower(r.city), lower(coalesce(pc.postal, ''))) AS same
	FROM pg_temp.import_rows r
	CROSS JOIN LATERAL (SELECT * FROM listing.listings x WHERE x.organization_id = $1
		AND x.originating_system_name = r.originating_system_name AND x.originating_system_key = r.originating_system_key
		LIMIT 1) l
	CROSS JOIN LATERAL (SELECT CASE WHEN r.present & %[4]d <> 0 THEN r.postal_code ELSE l.postal_code END AS postal) pc
	WHERE r.`+inRange+`) m
WHERE s.seq = m.seq`, hasState, hasCountry, hasLocation, hasPostalCode)

// applyProperties (over the rows seq in [$1, $2): the staging table holds
// only the organization's rows) takes each row's property (found or made by
// property.EnsureByAddressTx) with its address and location. A property
// found at the address also gives its amenities as features, and its facts
// where the row says nothing; one just made from the row has the row's own.
var applyProperties = fmt.Sprintf(`UPDATE pg_temp.import_rows SET property_id = p_id,
	street_address = p_address_line1, city = p_city, postal_code = p_postal_code, state_province = p_state_province,
	country = p_country, latitude = p_latitude, longitude = p_longitude,
	features = CASE WHEN p_created THEN features ELSE p_amenities END,
	bedrooms_total = CASE WHEN NOT p_created AND present & %[1]d = 0 THEN p_bedrooms ELSE bedrooms_total END,
	bathrooms_total = CASE WHEN NOT p_created AND present & %[2]d = 0 THEN p_bathrooms ELSE bathrooms_total END,
	living_area = CASE WHEN NOT p_created AND present & %[3]d = 0 THEN p_living_area ELSE living_area END,
	lot_size_area = CASE WHEN NOT p_created AND present & %[4]d = 0 THEN p_lot_size ELSE lot_size_area END,
	year_built = CASE WHEN NOT p_created AND present & %[5]d = 0 THEN p_year_built ELSE year_built END
WHERE property_id IS NULL AND p_id IS NOT NULL AND seq >= $1 AND seq < $2`, hasBedrooms, hasBathrooms, hasLivingArea, hasLotSize, hasYearBuilt)

// insertListings inserts the rows no listing matched, with the ids encodeRow
// gave them (an INSERT … SELECT filling the volatile id default would not
// route on Citus). The database's triggers set the timestamps and search document and write the
// NewListing history entry.
const insertListings = `INSERT INTO listing.listings (id, organization_id, property_id, listing_key, listing_id,
	originating_system_name, originating_system_key, list_type, standard_status, mls_status, property_type, property_sub_type,
	list_price, original_list_price, close_price, listing_contract_date, on_market_date, off_market_date, close_date,
	expiration_date, list_agent_id, public_remarks, private_remarks, street_address, unit_number, city, state_province,
	postal_code, country, latitude, longitude, bedrooms_total, bathrooms_total, living_area, lot_size_area, year_built,
	features, appliances, cooling, heating, flooring, view, pool_features)
SELECT new_id, $1, property_id, listing_key, listing_id, originating_system_name, originating_system_key, coalesce(list_type, 'sale'),
	coalesce(standard_status, 'Active')::listing.standard_status, mls_status, coalesce(property_type, 'Residential'),
	property_sub_type, list_price, original_list_price, close_price, listing_contract_date, on_market_date, off_market_date,
	close_date, expiration_date, list_agent_id, public_remarks, private_remarks, street_address, unit_number, city,
	state_province, postal_code, country, latitude, longitude, bedrooms_total, bathrooms_total, living_area, lot_size_area,
	year_built, coalesce(features, '{}'), coalesce(appliances, '{}'), coalesce(cooling, '{}'), coalesce(heating, '{}'),
	coalesce(flooring, '{}'), coalesce(view, '{}'), coalesce(pool_features, '{}')
FROM pg_temp.import_rows WHERE target_id IS NULL AND ` + inRange + ` ORDER BY seq`

// updateListings changes the matched listings that differ from their rows,
// and only those: a row equal to its listing is not written at all, so it
// leaves no history and no audit entry. Fields a row does not carry keep
// their value. The database's triggers write the history of a status or
// price change.
var updateListings = buildUpdate()

// pickedColumns are the listing columns an update sets only when the row
// carries their field (besides dates and lists).
var pickedColumns = []importField{{"ListingId", "listing_id", hasListingID},
	{"StandardStatus", "standard_status", hasStatus}, {"MlsStatus", "mls_status", hasMlsStatus},
	{"PropertyType", "property_type", hasPropertyType}, {"PropertyType", "list_type", hasPropertyType},
	{"PropertySubType", "property_sub_type", hasSubType}, {"OriginalListPrice", "original_list_price", hasOriginalPrice},
	{"ClosePrice", "close_price", hasClosePrice}, {"ListAgentEmail", "list_agent_id", hasAgent},
	{"PublicRemarks", "public_remarks", hasPublicRemarks}, {"PrivateRemarks", "private_remarks", hasPrivateRemarks},
	{"UnitNumber", "unit_number", hasUnitNumber}, {"BedroomsTotal", "bedrooms_total", hasBedrooms},
	{"BathroomsTotalInteger", "bathrooms_total", hasBathrooms}, {"LivingArea", "living_area", hasLivingArea},
	{"LotSizeArea", "lot_size_area", hasLotSize}, {"YearBuilt", "year_built", hasYearBuilt}}

func buildUpdate() string {
	// Always set: the key, the price, and the property with its location.
	targets := []string{"property_id", "listing_key", "list_price", "street_address", "city", "state_province",
		"postal_code", "country", "latitude", "longitude"}
	values := make([]string, len(targets))
	for i, c := range targets {
		values[i] = "s." + c
	}
	picked := append(append(slices.Clone(pickedColumns), dateFields[:]...), listFields[:]...)
	for _, p := range picked {
		cast := ""
		if p.col == "standard_status" {
			cast = "::listing.standard_status"
		}
		targets = append(targets, p.col)
		values = append(values, fmt.Sprintf("CASE WHEN s.present & %d <> 0 THEN s.%s%s ELSE l.%s END", p.bit, p.col, cast, p.col))
	}
	sets := make([]string, len(targets))
	olds := make([]string, len(targets))
	for i, c := range targets {
		sets[i] = c + " = " + values[i]
		olds[i] = "l." + c
	}
	return `UPDATE listing.listings l SET ` + strings.Join(sets, ",\n\t") + `
FROM pg_temp.import_rows s
WHERE l.organization_id = $1 AND l.id = s.target_id AND s.` + inRange + `
	AND (` + strings.Join(olds, ", ") + `) IS DISTINCT FROM (` + strings.Join(values, ", ") + `)`
}

// mergeCounts are what merging a range of rows did.
type mergeCounts struct{ inserted, updated int }

// mergeRange merges the staged rows seq in [lo, hi) under a savepoint, set
// based. When a row breaks a database constraint the range is rolled back
// and split in halves until the row is alone, so the rest goes in and the
// row is rejected, naming the constraint; nothing of it is written. Other
// errors end the batch.
func mergeRange(ctx context.Context, tx pgx.Tx, actor realty.Actor, rows []importRow, lo, hi int, out *mergeCounts, reject func(Reject)) error {
	c, err := mergeOnce(ctx, tx, actor, lo, hi)
	if err == nil {
		out.inserted += c.inserted
		out.updated += c.updated
		return nil
	}
	if !isRowError(err) {
		return err
	}
	if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT import_range; RELEASE SAVEPOINT import_range"); rerr != nil {
		return errors.Join(err, rerr)
	}
	if hi-lo == 1 {
		reject(Reject{Row: rows[lo].row, ListingKey: rows[lo].listingKey, Reason: dbReason(err)})
		return nil
	}
	mid := lo + (hi-lo)/2
	if err := mergeRange(ctx, tx, actor, rows, lo, mid, out, reject); err != nil {
		return err
	}
	return mergeRange(ctx, tx, actor, rows, mid, hi, out, reject)
}

// Plan modes of the merge statements. The probes of an organization's
// listings and properties (markExisting, property.EnsureByAddressTx's
// lookup, updateListings) run with generic plans: a custom plan takes the
// statistics' view of the organization, which lags behind an import (an
// organization that had no listings at the last ANALYZE "has" none), and
// then scans the whole organization by any index that starts with
// organization_id, once per staged row; a generic plan assumes an average
// organization and probes the unique or address index. The other statements
// go back to the default mode (postgres.DefaultPlans says why).

// mergeStep is one statement of a merge; ranged ones take the
// organization and the range [lo, hi) as $1, $2 and $3.
type mergeStep struct {
	sql    string
	ranged bool
	// staged: the statement reads and writes the staging table alone and
	// takes only the range, as $1 and $2.
	staged bool
}

// Around property.EnsureByAddressTx, which gives the rows their properties,
// a merge sends these statements, each list in one round trip.
var (
	mergeBefore = []mergeStep{{sql: "SAVEPOINT import_range"}, {sql: postgres.GenericPlans}, {sql: markExisting, ranged: true}}
	mergeAfter  = []mergeStep{{sql: postgres.DefaultPlans}, {sql: applyProperties, ranged: true, staged: true},
		{sql: insertListings, ranged: true}, {sql: postgres.GenericPlans}, {sql: updateListings, ranged: true},
		{sql: "RELEASE SAVEPOINT import_range"}}
)

// mergeOnce runs the merge statements for one range: listings matched, then
// properties found or made, then listings inserted and updated.
func mergeOnce(ctx context.Context, tx pgx.Tx, actor realty.Actor, lo, hi int) (mergeCounts, error) {
	var c mergeCounts
	if err := sendSteps(ctx, tx, actor.OrgID, lo, hi, mergeBefore, &c); err != nil {
		return c, err
	}
	if err := property.EnsureByAddressTx(ctx, tx, actor, stagingTable, lo, hi); err != nil {
		return c, err
	}
	return c, sendSteps(ctx, tx, actor.OrgID, lo, hi, mergeAfter, &c)
}

// sendSteps sends steps in one round trip and counts the listings inserted
// and updated.
func sendSteps(ctx context.Context, tx pgx.Tx, org realty.ID, lo, hi int, steps []mergeStep, c *mergeCounts) error {
	b := &pgx.Batch{}
	for _, st := range steps {
		switch {
		case st.staged:
			b.Queue(st.sql, lo, hi)
		case st.ranged:
			b.Queue(st.sql, org, lo, hi)
		default:
			b.Queue(st.sql)
		}
	}
	br := tx.SendBatch(ctx, b)
	var err error
	for _, st := range steps {
		var tag pgconn.CommandTag
		if tag, err = br.Exec(); err != nil {
			break
		}
		switch st.sql {
		case insertListings:
			c.inserted = int(tag.RowsAffected())
		case updateListings:
			c.updated = int(tag.RowsAffected())
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// isRowError reports whether err is a row's data breaking a rule (SQLSTATE
// classes 22 and 23), or rows needing more new properties than the plan
// allows (so the rows that fit go in and the others are rejected), as
// opposed to a failure of the import itself.
func isRowError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23")) || org.IsPlanLimit(err)
}

// resoNames are the RESO names of the columns a constraint may name.
var resoNames = map[string]string{
	"listing_key": "ListingKey", "originating_system_key": "OriginatingSystemKey", "list_price": "ListPrice",
	"close_price": "ClosePrice", "property_type": "PropertyType", "bedrooms_total": "BedroomsTotal",
	"bathrooms_total": "BathroomsTotalInteger", "living_area": "LivingArea", "off_market_date": "OffMarketDate",
	"list_agent_id": "ListAgentEmail", "address_line1": "UnparsedAddress", "city": "City", "country": "Country",
	"latitude": "Latitude", "longitude": "Longitude", "year_built": "YearBuilt",
}

// dbReason says why the database refused a row, in RESO terms.
func dbReason(err error) string {
	mapped := postgres.MapError(err)
	if realty.KindOf(mapped) == realty.Internal {
		var pe *pgconn.PgError
		errors.As(err, &pe)
		return fmt.Sprintf("refused by the database (SQLSTATE %s %s)", pe.Code, pe.ConstraintName)
	}
	for field, msg := range realty.FieldsOf(mapped) {
		if name, ok := resoNames[field]; ok {
			field = name
		}
		return field + ": " + msg
	}
	return realty.MessageOf(mapped)
}
