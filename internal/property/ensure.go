package property

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

// AddressColumns are the columns a caller's table needs besides its own for
// EnsureByAddressTx, as a fragment of CREATE TABLE: addr_key, the address as
// properties.address_key has it (a stored column, so matching it is plain
// text equality, which row-level security lets an index serve);
// new_property_id, which the caller fills with a fresh id (realty.NewID) for
// each row, the id of a property made from it; and the p_* columns
// EnsureByAddressTx fills: the property's id, whether it was made just now,
// and its address, location, amenities and facts.
const AddressColumns = `addr_key text GENERATED ALWAYS AS (lower(street_address) || chr(31) || lower(city) || chr(31) ||
		lower(coalesce(postal_code, ''))) STORED, new_property_id uuid,
	p_id uuid, p_created bool, p_address_line1 text, p_city text, p_state_province text, p_postal_code text,
	p_country text, p_latitude numeric(9, 6), p_longitude numeric(9, 6), p_amenities text[], p_bedrooms int,
	p_bathrooms numeric(4, 1), p_living_area numeric(12, 2), p_lot_size numeric(14, 2), p_year_built int`

// ensureLink finds, for each row needing a property, the organization's
// oldest property at its address, one index probe per row (LATERAL …
// LIMIT 1) whatever the statistics believe of the organization's size.
const ensureLink = `UPDATE %[1]s s SET p_id = m.id, p_created = false, p_address_line1 = m.address_line1, p_city = m.city,
	p_postal_code = m.postal_code, p_state_province = m.state_province, p_country = m.country, p_latitude = m.latitude,
	p_longitude = m.longitude, p_amenities = m.amenities, p_bedrooms = m.bedrooms, p_bathrooms = m.bathrooms,
	p_living_area = m.living_area, p_lot_size = m.lot_size, p_year_built = m.year_built
FROM (
	SELECT r.seq, p.* FROM %[1]s r
	CROSS JOIN LATERAL (SELECT * FROM (SELECT p.id, p.address_line1, p.city, p.postal_code, p.state_province, p.country,
			p.latitude, p.longitude, p.amenities, p.bedrooms, p.bathrooms, p.living_area, p.lot_size, p.year_built
			FROM property.properties p WHERE p.organization_id = $1 AND p.deleted_at IS NULL AND p.address_key = r.addr_key
			OFFSET 0) same_address -- planned apart: by the address index, never by id order under the LIMIT
		ORDER BY id LIMIT 1) p
	WHERE r.property_id IS NULL AND r.seq >= $2 AND r.seq < $3) m
WHERE s.seq = m.seq`

// ensureCreate makes one property per address still unmatched, from the
// first row naming it (with that row's new_property_id: ids come from Go, as
// an INSERT … SELECT filling a volatile default would not route on Citus),
// and gives it to every row at that address.
const ensureCreate = `WITH need AS (
	SELECT DISTINCT ON (addr_key) new_property_id, street_address, city, state_province, postal_code, country, latitude, longitude,
		property_kind, property_sub_type, year_built, living_area, lot_size_area, bedrooms_total, bathrooms_total
	FROM %[1]s WHERE property_id IS NULL AND p_id IS NULL AND seq >= $2 AND seq < $3
	ORDER BY addr_key, seq),
made AS (
	INSERT INTO property.properties (id, organization_id, name, property_type, subtype, address_line1, city, state_province,
		postal_code, country, latitude, longitude, year_built, living_area, lot_size, bedrooms, bathrooms)
	SELECT new_property_id, $1, street_address, property_kind, property_sub_type, street_address, city, coalesce(state_province, ''), postal_code,
		coalesce(country, 'US'), latitude, longitude, year_built, living_area, lot_size_area, bedrooms_total, bathrooms_total
	FROM need
	RETURNING id, address_key, address_line1, city, state_province, postal_code, country, latitude, longitude, amenities,
		bedrooms, bathrooms, living_area, lot_size, year_built)
UPDATE %[1]s s SET p_id = made.id, p_created = true, p_address_line1 = made.address_line1, p_city = made.city,
	p_postal_code = made.postal_code, p_state_province = made.state_province, p_country = made.country,
	p_latitude = made.latitude, p_longitude = made.longitude, p_amenities = made.amenities, p_bedrooms = made.bedrooms,
	p_bathrooms = made.bathrooms, p_living_area = made.living_area, p_lot_size = made.lot_size, p_year_built = made.year_built
FROM made
WHERE s.property_id IS NULL AND s.p_id IS NULL AND s.seq >= $2 AND s.seq < $3 AND made.address_key = s.addr_key`

// EnsureStatements are EnsureByAddressTx's statements over table, in order,
// each taking the organization and the range [lo, hi) of seq as $1, $2 and
// $3; for measurements and plan tests.
func EnsureStatements(table pgx.Identifier) []string {
	t := table.Sanitize()
	return []string{fmt.Sprintf(ensureLink, t), fmt.Sprintf(ensureCreate, t)}
}

// EnsureByAddressTx gives every row of table whose seq is in [lo, hi) and
// whose property_id is NULL a property of actor's organization at its
// address: the oldest one there, or one made from the first such row's
// facts and with its new_property_id. It fills the row's p_* columns (AddressColumns) and leaves the
// caller's own columns alone. table is the caller's temporary table with
// AddressColumns and seq, property_id, street_address, city, state_province,
// postal_code, country, latitude, longitude, property_kind (one of
// properties' property types), property_sub_type, year_built, living_area,
// lot_size_area, bedrooms_total and bathrooms_total. The lookup runs with
// generic plans (an average organization, probed by address) and the
// insert with the default mode, which stays set. Like CreateTx it checks no
// permission: the caller's use case (an MLS import) has checked its own. A
// row whose facts break a property rule fails with the database's error
// (SQLSTATE class 22 or 23) naming the constraint; a range needing more new
// properties than the organization's plan has room for fails with
// org.PlanLimitError before any is made.
func EnsureByAddressTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, table pgx.Identifier, lo, hi int) error {
	st := EnsureStatements(table)
	limit, err := org.LimitTx(ctx, tx, actor.OrgID, org.LimitProperties)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(postgres.GenericPlans)
	b.Queue(st[0], actor.OrgID, lo, hi)
	b.Queue(postgres.DefaultPlans)
	if limit != nil {
		// The plan counts: make what the range needs only if it fits.
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		var need int
		if err := tx.QueryRow(ctx, fmt.Sprintf(ensureNeed, table.Sanitize()), lo, hi).Scan(&need); err != nil {
			return err
		}
		if err := checkRoomTx(ctx, tx, actor.OrgID, need); err != nil {
			return err
		}
		b = &pgx.Batch{}
	}
	b.Queue(st[1], actor.OrgID, lo, hi)
	return tx.SendBatch(ctx, b).Close()
}

// ensureNeed counts the properties ensureCreate would make: the distinct
// addresses still unmatched.
const ensureNeed = `SELECT count(DISTINCT addr_key) FROM %s WHERE property_id IS NULL AND p_id IS NULL AND seq >= $1 AND seq < $2`
