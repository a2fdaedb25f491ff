package listing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Query is a listing search. Every set filter must match.
type Query struct {
	Statuses      []string
	ListType      string
	PropertyTypes []string
	SubType       string
	MinPrice      *decimal.Decimal
	MaxPrice      *decimal.Decimal
	MinBeds       *int
	MinBaths      *float64
	MinArea       *float64
	MaxArea       *float64
	City          string
	PostalCode    string
	AgentID       *realty.ID
	ModifiedSince *time.Time
	// Lat, Lng and RadiusKm select listings within the radius; Lat and Lng
	// alone allow sorting by distance.
	Lat, Lng *float64
	RadiusKm *float64
	// Q searches address, features and remarks (full text, ranked), and
	// partial street addresses.
	Q string
	// Sort is price_asc, price_desc, newest, distance or relevance;
	// default relevance with Q, else distance with Lat/Lng, else newest.
	Sort   string
	Cursor string
	Limit  int
	Count  bool
}

// Summary is a listing as search results show it.
type Summary struct {
	ID                     realty.ID        `db:"id" json:"id"`
	ListingKey             string           `db:"listing_key" json:"listing_key"`
	StandardStatus         string           `db:"standard_status" json:"standard_status"`
	ListType               string           `db:"list_type" json:"list_type"`
	PropertyType           string           `db:"property_type" json:"property_type"`
	ListPrice              decimal.Decimal  `db:"list_price" json:"list_price"`
	StreetAddress          string           `db:"street_address" json:"street_address"`
	City                   string           `db:"city" json:"city"`
	StateProvince          string           `db:"state_province" json:"state_province"`
	PostalCode             *string          `db:"postal_code" json:"postal_code,omitempty"`
	Latitude               *float64         `db:"latitude" json:"latitude,omitempty"`
	Longitude              *float64         `db:"longitude" json:"longitude,omitempty"`
	BedroomsTotal          *int             `db:"bedrooms_total" json:"bedrooms_total,omitempty"`
	BathroomsTotal         *float64         `db:"bathrooms_total" json:"bathrooms_total,omitempty"`
	LivingArea             *float64         `db:"living_area" json:"living_area,omitempty"`
	PrimaryPhoto           *string          `db:"primary_photo" json:"-"`
	PhotosCount            int              `db:"photos_count" json:"photos_count"`
	ListAgentID            *realty.ID       `db:"list_agent_id" json:"list_agent_id,omitempty"`
	DaysOnMarket           *int             `db:"days_on_market" json:"days_on_market,omitempty"`
	OriginalEntryTimestamp time.Time        `db:"original_entry_timestamp" json:"original_entry_timestamp"`
	ModificationTimestamp  time.Time        `db:"modification_timestamp" json:"modification_timestamp"`
	DistanceM              *decimal.Decimal `db:"distance_m" json:"distance_m,omitempty" doc:"metres from lat/lng, when given"`
	Relevance              *decimal.Decimal `db:"relevance" json:"relevance,omitempty" doc:"full-text rank, when q is given"`
}

// Results are a page of search results.
type Results struct {
	Items      []Summary `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty"`
	Total      *int      `json:"total,omitempty" doc:"all matches, when count=true"`
}

// summaryColumns send decimals as integers scaled to their stored digits
// ((list_price * 100)::int8): decoding an int8 is far cheaper than a numeric,
// and the value is exact. scaled turns them back.
const summaryColumns = `id, listing_key, standard_status::text AS standard_status, list_type, property_type,
	(list_price * 100)::int8 AS list_price,
	street_address, city, state_province, postal_code, latitude::float8 AS latitude, longitude::float8 AS longitude,
	bedrooms_total, bathrooms_total::float8 AS bathrooms_total, living_area::float8 AS living_area, primary_photo,
	photos_count, list_agent_id, ` + daysOnMarket + ` AS days_on_market, original_entry_timestamp, modification_timestamp`

// Search-related expressions, matching the indexes of migrations 0004, 0008
// and 0009 (app.geo_point is ll_to_earth bound to its schemas).
const (
	pointExpr    = `app.geo_point(latitude::float8, longitude::float8)`
	centreExpr   = `app.geo_point(@lat::float8, @lng::float8)`
	distanceExpr = `round(earth_distance(` + centreExpr + `, ` + pointExpr + `)::numeric, 3)`
	tsqueryExpr  = `websearch_to_tsquery('english', @q)`
	rankExpr     = `round(ts_rank(search_document, ` + tsqueryExpr + `)::numeric, 6)`
)

// sortSpec is one allowed ordering: its key expression, direction, and how
// a cursor value is read back.
type sortSpec struct {
	key  string
	desc bool
}

var sorts = map[string]sortSpec{
	// Qualified: the SELECT list's list_price is the scaled integer, and a
	// bare name in ORDER BY would sort by it instead of the indexed column.
	"price_asc":  {"listings.list_price", false},
	"price_desc": {"listings.list_price", true},
	"newest":     {"original_entry_timestamp", true},
	"distance":   {distanceExpr, false},
	"relevance":  {rankExpr, true},
}

// MaxLimit caps a page.
const MaxLimit = 100

// Search finds listings. Forbidden without listing.read; Invalid naming the
// parameter at fault.
func (s *Service) Search(ctx context.Context, actor realty.Actor, q Query) (Results, error) {
	if err := actor.Require("listing.read"); err != nil {
		return Results{}, err
	}
	plan, err := planSearch(actor, q)
	if err != nil {
		return Results{}, err
	}
	var res Results
	err = postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(plan.sql, plan.args)
		if q.Count {
			b.Queue(plan.countSQL, plan.args)
		}
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		if res.Items, err = collectSummaries(rows); err != nil {
			return err
		}
		if q.Count {
			var n int
			if err := br.QueryRow().Scan(&n); err != nil {
				return err
			}
			res.Total = &n
		}
		return nil
	})
	if err != nil {
		return Results{}, err
	}
	return plan.page(res), nil
}

// plan is a validated search as SQL.
type plan struct {
	sql, countSQL string
	args          pgx.NamedArgs
	sort          string
	limit         int
}

func (p plan) page(res Results) Results {
	if res.Items == nil {
		res.Items = []Summary{}
	}
	if len(res.Items) > p.limit {
		res.Items = res.Items[:p.limit]
		res.NextCursor = cursorOf(p.sort, res.Items[p.limit-1])
	}
	return res
}

// cursorOf encodes the keyset position after item.
func cursorOf(sort string, item Summary) string {
	switch sort {
	case "price_asc", "price_desc":
		return postgres.EncodeCursor(sort, item.ListPrice.String(), item.ID)
	case "distance":
		return postgres.EncodeCursor(sort, item.DistanceM.String(), item.ID)
	case "relevance":
		return postgres.EncodeCursor(sort, item.Relevance.String(), item.ID)
	}
	return postgres.EncodeCursor(sort, item.OriginalEntryTimestamp.UTC().Format(time.RFC3339Nano), item.ID)
}

// CursorOf is the cursor of the page ending with item under the query's
// ordering (for tests that check pages against another computation).
func CursorOf(q Query, item Summary) string { return cursorOf(sortOf(q), item) }

func sortOf(q Query) string {
	switch {
	case q.Sort != "":
		return q.Sort
	case q.Q != "":
		return "relevance"
	case q.Lat != nil:
		return "distance"
	}
	return "newest"
}

var errBadCursor = realty.FieldError("cursor", "is not a cursor this search returned")

func planSearch(actor realty.Actor, q Query) (plan, error) {
	where, args, err := filters(actor, q)
	if err != nil {
		return plan{}, err
	}
	p := plan{sort: sortOf(q), limit: q.Limit, args: args}
	spec, ok := sorts[p.sort]
	switch {
	case !ok:
		return plan{}, realty.FieldError("sort", "must be price_asc, price_desc, newest, distance or relevance")
	case p.sort == "distance" && q.Lat == nil:
		return plan{}, realty.FieldError("sort", "distance needs lat and lng")
	case p.sort == "relevance" && q.Q == "":
		return plan{}, realty.FieldError("sort", "relevance needs q")
	}
	if p.limit <= 0 {
		p.limit = 20
	}
	if p.limit > MaxLimit {
		return plan{}, realty.FieldError("limit", "must be at most 100")
	}
	countWhere := slices.Clone(where)
	if q.Cursor != "" {
		clause, err := keyset(spec, p.sort, q.Cursor, args)
		if err != nil {
			return plan{}, err
		}
		where = append(where, clause)
	}
	args["limit"] = p.limit + 1
	dir := " ASC"
	if spec.desc {
		dir = " DESC"
	}
	p.sql = `SELECT ` + summaryColumns + `, ` + optional(q.Lat != nil, `(`+distanceExpr+` * 1000)::int8`) + ` AS distance_m, ` +
		optional(q.Q != "", `(`+rankExpr+` * 1000000)::int8`) + ` AS relevance FROM listing.listings WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + spec.key + dir + `, id` + dir + ` LIMIT @limit`
	p.countSQL = `SELECT count(*) FROM listing.listings WHERE ` + strings.Join(countWhere, " AND ")
	return p, nil
}

func optional(on bool, expr string) string {
	if on {
		return expr
	}
	return "NULL::int8"
}

// keyset returns the clause continuing after the cursor's position.
func keyset(spec sortSpec, sort, cursor string, args pgx.NamedArgs) (string, error) {
	var cursorSort, value string
	var id realty.ID
	if err := postgres.DecodeCursor(cursor, &cursorSort, &value, &id); err != nil || cursorSort != sort {
		return "", errBadCursor
	}
	cmp := " > "
	if spec.desc {
		cmp = " < "
	}
	args["c_id"] = id
	if sort == "newest" {
		t, err := time.Parse(time.RFC3339Nano, value)
		if err != nil {
			return "", errBadCursor
		}
		args["c_value"] = t
		return "(" + spec.key + ", id)" + cmp + "(@c_value::timestamptz, @c_id)", nil
	}
	d, err := decimal.NewFromString(value)
	if err != nil {
		return "", errBadCursor
	}
	args["c_value"] = d
	return "(" + spec.key + ", id)" + cmp + "(@c_value::numeric, @c_id)", nil
}

// SearchSQL is the statement Search runs for q on actor's behalf, with its
// named arguments, for measurements that run the same SQL without realty
// (the benchmark harness and docs/search.md). Errors as Search's.
func SearchSQL(actor realty.Actor, q Query) (string, pgx.NamedArgs, error) {
	p, err := planSearch(actor, q)
	return p.sql, p.args, err
}

// SearchCountSQL is the count Search runs beside the page when q.Count is
// set, like SearchSQL.
func SearchCountSQL(actor realty.Actor, q Query) (string, pgx.NamedArgs, error) {
	p, err := planSearch(actor, q)
	return p.countSQL, p.args, err
}
