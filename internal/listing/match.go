package listing

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Facts are what matching a listing against saved preferences needs: its
// hard facts, location, the features it lists and the text of its remarks.
type Facts struct {
	ID             realty.ID       `db:"id"`
	ListType       string          `db:"list_type"`
	StandardStatus string          `db:"standard_status"`
	PropertyType   string          `db:"property_type"`
	ListPrice      decimal.Decimal `db:"list_price"`
	Bedrooms       *int            `db:"bedrooms_total"`
	Bathrooms      *float64        `db:"bathrooms_total"`
	LivingArea     *float64        `db:"living_area"`
	City           string          `db:"city"`
	PostalCode     *string         `db:"postal_code"`
	Latitude       *float64        `db:"latitude"`
	Longitude      *float64        `db:"longitude"`
	Features       []string        `db:"features" doc:"features, appliances, cooling, heating, flooring, view and pool features together"`
	Remarks        string          `db:"remarks"`
	Title          string          `db:"title" doc:"the address people recognise it by"`
}

const factsColumns = `id, list_type, standard_status::text AS standard_status, property_type, list_price, bedrooms_total,
	bathrooms_total::float8 AS bathrooms_total, living_area::float8 AS living_area, city, postal_code,
	latitude::float8 AS latitude, longitude::float8 AS longitude,
	features || appliances || cooling || heating || flooring || view || pool_features AS features,
	coalesce(public_remarks, '') AS remarks, concat_ws(', ', street_address, city) AS title`

// MatchFacts returns one listing's Facts, for the match engine (which runs
// as the System actor of the organization). NotFound for a listing not in
// the organization.
func (s *Service) MatchFacts(ctx context.Context, actor realty.Actor, id realty.ID) (Facts, error) {
	rows, err := postgres.ReadAll[Facts](ctx, s.pool, actor,
		`SELECT `+factsColumns+` FROM listing.listings WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return Facts{}, err
	}
	if len(rows) == 0 {
		return Facts{}, &realty.Error{Kind: realty.NotFound, Message: "listing not found"}
	}
	return rows[0], nil
}

// Criteria are a saved preference's hard criteria as the listing side
// filters on them: every set one must hold. PriceLow and PriceHigh are the
// price band already widened by the engine's tolerance; a Box bounds a
// radius search.
type Criteria struct {
	ListType      string
	PriceLow      *decimal.Decimal
	PriceHigh     *decimal.Decimal
	BedroomsMin   *int
	BathroomsMin  *float64
	PropertyTypes []string
	CityKeys      []string // lower-case
	PostalCodes   []string
	Box           *Box
}

// Box is a latitude/longitude rectangle.
type Box struct{ MinLat, MaxLat, MinLon, MaxLon float64 }

// CandidatesSQL is the prefilter of the full rematch: the Active listings
// of one list type meeting a preference's hard criteria, by id after a
// cursor. The status and price lead, as in listings_status_price_idx.
const CandidatesSQL = `SELECT ` + factsColumns + ` FROM listing.listings
	WHERE organization_id = @org AND standard_status = 'Active' AND list_type = @list_type
	  AND (@price_low::numeric IS NULL OR list_price >= @price_low) AND (@price_high::numeric IS NULL OR list_price <= @price_high)
	  AND (@beds::int IS NULL OR bedrooms_total >= @beds) AND (@baths::numeric IS NULL OR bathrooms_total >= @baths)
	  AND (cardinality(@types::text[]) = 0 OR property_type = ANY (@types))
	  AND ((cardinality(@cities::text[]) = 0 AND cardinality(@postals::text[]) = 0)
	       OR city_key = ANY (@cities) OR postal_code = ANY (@postals))
	  AND (NOT @boxed::bool OR (latitude BETWEEN @min_lat AND @max_lat AND longitude BETWEEN @min_lon AND @max_lon))
	  AND id > @after
	ORDER BY id LIMIT @limit`

// Candidates returns up to limit Active listings meeting c, by id after
// the cursor after (the zero id for the first page).
func (s *Service) Candidates(ctx context.Context, actor realty.Actor, c Criteria, after realty.ID, limit int) ([]Facts, error) {
	return postgres.ReadAll[Facts](ctx, s.pool, actor, CandidatesSQL, CandidateArgs(actor.OrgID, c, after, limit))
}

// CandidateArgs are CandidatesSQL's arguments.
func CandidateArgs(org realty.ID, c Criteria, after realty.ID, limit int) pgx.NamedArgs {
	args := pgx.NamedArgs{"org": org, "list_type": c.ListType, "price_low": c.PriceLow, "price_high": c.PriceHigh,
		"beds": c.BedroomsMin, "baths": c.BathroomsMin, "types": orNone(c.PropertyTypes), "cities": orNone(c.CityKeys),
		"postals": orNone(c.PostalCodes), "boxed": c.Box != nil, "min_lat": 0.0, "max_lat": 0.0, "min_lon": 0.0, "max_lon": 0.0,
		"after": after, "limit": limit}
	if c.Box != nil {
		args["min_lat"], args["max_lat"], args["min_lon"], args["max_lon"] = c.Box.MinLat, c.Box.MaxLat, c.Box.MinLon, c.Box.MaxLon
	}
	return args
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ChangedArgs is the job a listing change enqueues in its own transaction:
// the listing was created, or its price, status or facts changed, so the
// CRM rematches it against saved preferences. All asks for a rematch of the
// whole organization instead (after a bulk import). The From/To fields say
// what changed, for the listing.price_changed and listing.status_changed
// webhook events. The CRM registers the worker.
type ChangedArgs struct {
	OrganizationID realty.ID  `json:"organization_id"`
	ListingID      *realty.ID `json:"listing_id,omitempty"`
	All            bool       `json:"all,omitempty"`
	Created        bool       `json:"created,omitempty"`
	PriceFrom      string     `json:"price_from,omitempty"`
	PriceTo        string     `json:"price_to,omitempty"`
	StatusFrom     string     `json:"status_from,omitempty"`
	StatusTo       string     `json:"status_to,omitempty"`
	// Change tells one change's job from another's (River keeps one job per
	// set of arguments while it waits).
	Change realty.ID `json:"change"`
}

// Kind names the job in River.
func (ChangedArgs) Kind() string { return "listing.changed" }

// InsertOpts retry a failed match a few times; matching is idempotent.
func (ChangedArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// announceChange enqueues the ChangedArgs job for a listing that was
// created (before is nil) or changed from before to after, in tx. Nothing
// without a job client (a service built without one).
func (s *Service) announceChange(ctx context.Context, tx pgx.Tx, actor realty.Actor, before *Listing, after Listing) error {
	if s.jobs == nil {
		return nil
	}
	args := ChangedArgs{OrganizationID: actor.OrgID, ListingID: &after.ID, Created: before == nil, Change: realty.NewID()}
	if before != nil {
		if !before.ListPrice.Equal(after.ListPrice) {
			args.PriceFrom, args.PriceTo = before.ListPrice.String(), after.ListPrice.String()
		}
		if before.StandardStatus != after.StandardStatus {
			args.StatusFrom, args.StatusTo = before.StandardStatus, after.StandardStatus
		}
	}
	if _, err := s.jobs.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("enqueue listing change: %w", err)
	}
	return nil
}

// announceImport enqueues one rematch of the organization after an import
// changed listings, in tx.
func (s *Service) announceImport(ctx context.Context, tx pgx.Tx, org realty.ID) error {
	if s.jobs == nil {
		return nil
	}
	if _, err := s.jobs.InsertTx(ctx, tx, ChangedArgs{OrganizationID: org, All: true, Change: realty.NewID()}, nil); err != nil {
		return fmt.Errorf("enqueue rematch: %w", err)
	}
	return nil
}

// CandidatesMany is the first page (up to limit listings) of Candidates for
// each of cs, all read in one round trip.
func (s *Service) CandidatesMany(ctx context.Context, actor realty.Actor, cs []Criteria, limit int) ([][]Facts, error) {
	out := make([][]Facts, len(cs))
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		for _, c := range cs {
			b.Queue(CandidatesSQL, CandidateArgs(actor.OrgID, c, realty.ID{}, limit))
		}
	}, func(br pgx.BatchResults) error {
		for i := range cs {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			if out[i], err = pgx.CollectRows(rows, pgx.RowToStructByName[Facts]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ActiveChunk returns up to limit of the organization's Active listings'
// Facts, by id after the cursor after (the zero id for the first chunk):
// the full rematch reads every Active listing once this way and checks
// each saved preference's hard criteria itself.
func (s *Service) ActiveChunk(ctx context.Context, actor realty.Actor, after realty.ID, limit int) ([]Facts, error) {
	return postgres.ReadAll[Facts](ctx, s.pool, actor, `SELECT `+factsColumns+` FROM listing.listings
		WHERE organization_id = $1 AND standard_status = 'Active' AND id > $2 ORDER BY id LIMIT $3`, actor.OrgID, after, limit)
}
