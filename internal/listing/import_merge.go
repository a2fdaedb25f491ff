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
	"realty/internal/postgres"
)

// createStaging makes the batch's staging table: the rows as the file gave
// them, typed and validated, plus what the merge resolves (the listing
// already imported, the property). It lives until the transaction ends.
const createStaging = `CREATE TEMPORARY TABLE import_rows (
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
	-- The address as property.properties.address_key has it. A column, so
	-- that matching it is plain text equality: under row-level security a
	-- condition calling lower() (not LEAKPROOF) cannot use an index.
	addr_key text GENERATED ALWAYS AS (lower(street_address) || chr(31) || lower(city) || chr(31) ||
		lower(coalesce(postal_code, ''))) STORED
) ON COMMIT DROP`

// stagingColumns are the staging columns COPY fills, in encodeRow's order.
var stagingColumns = []string{"seq", "row_no", "present",
	"listing_key", "listing_id", "originating_system_name", "originating_system_key",
	"standard_status", "mls_status", "property_type", "property_sub_type", "list_type",
	"list_price", "original_list_price", "close_price",
	"listing_contract_date", "on_market_date", "off_market_date", "close_date", "expiration_date",
	"list_agent_id", "public_remarks", "private_remarks",
	"street_address", "unit_number", "city", "state_province", "postal_code", "country", "latitude", "longitude",
	"bedrooms_total", "bathrooms_total", "living_area", "lot_size_area", "year_built",
	"appliances", "cooling", "heating", "flooring", "view", "pool_features"}

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

// linkProperties links rows needing a property to the organization's
// oldest property at the same address, taking its location, its amenities
// as features, and its facts where the row says nothing.
var linkProperties = fmt.Sprintf(`UPDATE pg_temp.import_rows s SET property_id = m.id,
	street_address = m.address_line1, city = m.city, postal_code = m.postal_code, state_province = m.state_province,
	country = m.country, latitude = m.latitude, longitude = m.longitude, features = m.amenities,
	bedrooms_total = CASE WHEN s.present & %[1]d <> 0 THEN s.bedrooms_total ELSE m.bedrooms END,
	bathrooms_total = CASE WHEN s.present & %[2]d <> 0 THEN s.bathrooms_total ELSE m.bathrooms END,
	living_area = CASE WHEN s.present & %[3]d <> 0 THEN s.living_area ELSE m.living_area END,
	lot_size_area = CASE WHEN s.present & %[4]d <> 0 THEN s.lot_size_area ELSE m.lot_size END,
	year_built = CASE WHEN s.present & %[5]d <> 0 THEN s.year_built ELSE m.year_built END
FROM (
	SELECT r.seq, p.* FROM pg_temp.import_rows r
	CROSS JOIN LATERAL (SELECT * FROM (SELECT p.id, p.address_line1, p.city, p.postal_code, p.state_province, p.country,
			p.latitude, p.longitude, p.amenities, p.bedrooms, p.bathrooms, p.living_area, p.lot_size, p.year_built
			FROM property.properties p WHERE p.organization_id = $1 AND p.deleted_at IS NULL AND p.address_key = r.addr_key
			OFFSET 0) same_address -- planned apart: by the address index, never by id order under the LIMIT
		ORDER BY id LIMIT 1) p
	WHERE r.property_id IS NULL AND r.`+inRange+`) m
WHERE s.seq = m.seq`, hasBedrooms, hasBathrooms, hasLivingArea, hasLotSize, hasYearBuilt)

// createProperties creates one property per address still unmatched, from
// the first row naming it, and links every row at that address to it.
var createProperties = `WITH need AS (
	SELECT DISTINCT ON (addr_key) street_address, city, state_province, postal_code, country, latitude, longitude, property_type, property_sub_type,
		year_built, living_area, lot_size_area, bedrooms_total, bathrooms_total
	FROM pg_temp.import_rows WHERE property_id IS NULL AND ` + inRange + `
	ORDER BY addr_key, seq),
made AS (
	INSERT INTO property.properties (organization_id, name, property_type, subtype, address_line1, city, state_province,
		postal_code, country, latitude, longitude, year_built, living_area, lot_size, bedrooms, bathrooms)
	SELECT $1, street_address, CASE WHEN property_type IN ('CommercialSale', 'CommercialLease', 'BusinessOpportunity') THEN 'commercial'
			WHEN property_type IN ('Land', 'Farm') THEN 'land' ELSE 'residential' END,
		property_sub_type, street_address, city, coalesce(state_province, ''), postal_code, coalesce(country, 'US'),
		latitude, longitude, year_built, living_area, lot_size_area, bedrooms_total, bathrooms_total
	FROM need
	RETURNING id, address_key, address_line1, city, state_province, postal_code, country, latitude, longitude)
UPDATE pg_temp.import_rows s SET property_id = made.id, street_address = made.address_line1, city = made.city,
	state_province = made.state_province, postal_code = made.postal_code, country = made.country,
	latitude = made.latitude, longitude = made.longitude
FROM made
WHERE s.property_id IS NULL AND s.` + inRange + ` AND made.address_key = s.addr_key`

// insertListings inserts the rows no listing matched. The database's
// triggers set the timestamps and search document and write the
// NewListing history entry.
const insertListings = `INSERT INTO listing.listings (organization_id, property_id, listing_key, listing_id,
	originating_system_name, originating_system_key, list_type, standard_status, mls_status, property_type, property_sub_type,
	list_price, original_list_price, close_price, listing_contract_date, on_market_date, off_market_date, close_date,
	expiration_date, list_agent_id, public_remarks, private_remarks, street_address, unit_number, city, state_province,
	postal_code, country, latitude, longitude, bedrooms_total, bathrooms_total, living_area, lot_size_area, year_built,
	features, appliances, cooling, heating, flooring, view, pool_features)
SELECT $1, property_id, listing_key, listing_id, originating_system_name, originating_system_key, coalesce(list_type, 'sale'),
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
func mergeRange(ctx context.Context, tx pgx.Tx, org realty.ID, rows []importRow, lo, hi int, out *mergeCounts, reject func(Reject)) error {
	c, err := mergeOnce(ctx, tx, org, lo, hi)
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
	if err := mergeRange(ctx, tx, org, rows, lo, mid, out, reject); err != nil {
		return err
	}
	return mergeRange(ctx, tx, org, rows, mid, hi, out, reject)
}

// Plan modes of the merge statements. The probes of an organization's
// listings and properties (markExisting, linkProperties, updateListings)
// run with generic plans: a custom plan takes the statistics' view of the
// organization, which lags behind an import (an organization that had no
// listings at the last ANALYZE "has" none), and then scans the whole
// organization by any index that starts with organization_id, once per
// staged row; a generic plan assumes an average organization and probes the
// unique or address index. The other statements go back to the default
// mode, not to forced custom plans: the mode also rules the statements of
// the triggers an insert fires, which would then be planned again for every
// row.
const (
	genericPlans = "SET LOCAL plan_cache_mode = force_generic_plan"
	defaultPlans = "SET LOCAL plan_cache_mode TO DEFAULT"
)

// mergeStep is one statement of a merge; ranged ones take the
// organization and the range [lo, hi) as $1, $2 and $3.
type mergeStep struct {
	sql    string
	ranged bool
}

// mergeSteps are mergeOnce's statements in order.
var mergeSteps = []mergeStep{{"SAVEPOINT import_range", false}, {genericPlans, false},
	{markExisting, true}, {linkProperties, true}, {defaultPlans, false}, {createProperties, true},
	{insertListings, true}, {genericPlans, false}, {updateListings, true}, {"RELEASE SAVEPOINT import_range", false}}

// mergeOnce runs the merge statements for one range in one round trip.
func mergeOnce(ctx context.Context, tx pgx.Tx, org realty.ID, lo, hi int) (mergeCounts, error) {
	b := &pgx.Batch{}
	for _, st := range mergeSteps {
		if st.ranged {
			b.Queue(st.sql, org, lo, hi)
		} else {
			b.Queue(st.sql)
		}
	}
	br := tx.SendBatch(ctx, b)
	var c mergeCounts
	var err error
	for _, st := range mergeSteps {
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
	return c, err
}

// isRowError reports whether err is a row's data breaking a rule (SQLSTATE
// classes 22 and 23), as opposed to a failure of the import itself.
func isRowError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23"))
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
