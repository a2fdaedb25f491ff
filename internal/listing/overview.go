package listing

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Overview sizes and timing of the overview.
const (
	// OverviewItems caps each list of an Overview.
	OverviewItems = 5
	// OverviewWeek is how far back "this week" reaches.
	OverviewWeek = 7 * 24 * time.Hour
	// OverviewExpiryDays is how far ahead an expiring agreement is shown.
	OverviewExpiryDays = 30
)

// Overview is what an actor's listing work looks like today: how many
// listings are in each status, what was listed and repriced this week, and
// which agreements expire soon.
type Overview struct {
	// Own is true when the overview covers only the listings the actor is
	// the list agent of (without listing.manage), false for the whole
	// organization.
	Own bool `json:"own"`
	// ByStatus counts listings per status, in StandardStatuses order,
	// leaving out statuses with none.
	ByStatus []StatusCount `json:"by_status"`
	Total    int           `json:"total"`
	// NewListings are listed since Since, newest first; NewCount counts
	// them all.
	NewListings []Brief `json:"new_listings"`
	NewCount    int     `json:"new_count"`
	// PriceChanges are changes of price since Since, newest first.
	PriceChanges     []Brief `json:"price_changes"`
	PriceChangeCount int     `json:"price_change_count"`
	// Expiring are listings on the market whose agreement ends within
	// OverviewExpiryDays of Today, soonest first.
	Expiring      []Brief     `json:"expiring"`
	ExpiringCount int         `json:"expiring_count"`
	Since         time.Time   `json:"since"`
	Today         realty.Date `json:"today"`
}

// StatusCount is how many listings have one status.
type StatusCount struct {
	Status string `db:"status" json:"status"`
	Count  int    `db:"count" json:"count"`
}

// Brief is a listing in a list of the overview, with the moment or day
// that put it there.
type Brief struct {
	ID             realty.ID        `db:"id" json:"id"`
	StreetAddress  string           `db:"street_address" json:"street_address"`
	City           string           `db:"city" json:"city"`
	StandardStatus string           `db:"standard_status" json:"standard_status"`
	ListType       string           `db:"list_type" json:"list_type"`
	ListPrice      decimal.Decimal  `db:"list_price" json:"list_price"`
	PreviousPrice  *decimal.Decimal `db:"previous_price" json:"previous_price,omitempty" doc:"price changes only"`
	At             *time.Time       `db:"at" json:"at,omitempty" doc:"when it was listed or repriced"`
	ExpirationDate *realty.Date     `db:"expiration_date" json:"expiration_date,omitempty"`
}

// briefRow is a Brief and the count of every row its query matched.
type briefRow struct {
	Brief
	Total int `db:"total"`
}

// Overview summarises the listings the actor works: the organization's
// with listing.manage, else those the actor is the list agent of, within
// the actor's property scope. Forbidden without listing.read.
func (s *Service) Overview(ctx context.Context, actor realty.Actor) (Overview, error) {
	if err := actor.Require("listing.read"); err != nil {
		return Overview{}, err
	}
	now := s.now()
	o := Overview{Own: !actor.Can("listing.manage"), Since: now.Add(-OverviewWeek), Today: realty.DateOf(now.UTC())}
	args := pgx.NamedArgs{"org": actor.OrgID, "scope": actor.PropertyScope, "agent": actor.MemberID, "since": o.Since,
		"today": o.Today, "days": OverviewExpiryDays, "live": OnMarketStatuses, "limit": OverviewItems}
	mine := `SELECT id, street_address, city, standard_status, list_type, list_price, original_entry_timestamp,
		expiration_date FROM listing.listings WHERE ` + scoped
	if o.Own {
		mine += ` AND list_agent_id = @agent`
	}
	counts := map[string]int{}
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(`SELECT standard_status::text AS status, count(*)::int AS count FROM (`+mine+`) l GROUP BY standard_status`, args)
		b.Queue(overviewNewSQL(mine), args)
		b.Queue(overviewPriceSQL(mine), args)
		b.Queue(overviewExpiringSQL(mine), args)
	}, func(br pgx.BatchResults) error {
		return readOverview(br, counts, &o)
	})
	if err != nil {
		return Overview{}, err
	}
	for _, st := range StandardStatuses {
		if n := counts[st]; n > 0 {
			o.ByStatus = append(o.ByStatus, StatusCount{Status: st, Count: n})
			o.Total += n
		}
	}
	return o, nil
}

// briefColumns are a Brief's columns from a subquery l of listings.
const briefColumns = `l.id, l.street_address, l.city, l.standard_status::text AS standard_status, l.list_type, l.list_price,
	count(*) OVER ()::int AS total`

func overviewNewSQL(mine string) string {
	return `SELECT ` + briefColumns + `, NULL::numeric AS previous_price, l.original_entry_timestamp AS at,
		l.expiration_date FROM (` + mine + `) l WHERE l.original_entry_timestamp >= @since
		ORDER BY l.original_entry_timestamp DESC, l.id DESC LIMIT @limit`
}

func overviewPriceSQL(mine string) string {
	return `SELECT ` + briefColumns + `, h.previous_value::numeric AS previous_price, h.changed_at AS at, l.expiration_date
		FROM listing.listing_history h JOIN (` + mine + `) l ON l.id = h.listing_id
		WHERE h.organization_id = @org AND h.change_type = 'PriceChange' AND h.changed_at >= @since
		ORDER BY h.changed_at DESC, h.id DESC LIMIT @limit`
}

func overviewExpiringSQL(mine string) string {
	return `SELECT ` + briefColumns + `, NULL::numeric AS previous_price, NULL::timestamptz AS at, l.expiration_date
		FROM (` + mine + `) l WHERE l.standard_status::text = ANY(@live)
		AND l.expiration_date BETWEEN @today::date AND @today::date + @days::int
		ORDER BY l.expiration_date, l.id LIMIT @limit`
}

// readOverview reads the four results Overview queued, in order.
func readOverview(br pgx.BatchResults, counts map[string]int, o *Overview) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	byStatus, err := pgx.CollectRows(rows, pgx.RowToStructByName[StatusCount])
	if err != nil {
		return err
	}
	for _, c := range byStatus {
		counts[c.Status] = c.Count
	}
	for _, list := range []struct {
		items *[]Brief
		count *int
	}{{&o.NewListings, &o.NewCount}, {&o.PriceChanges, &o.PriceChangeCount}, {&o.Expiring, &o.ExpiringCount}} {
		if *list.items, *list.count, err = readBriefs(br); err != nil {
			return err
		}
	}
	return nil
}

// readBriefs reads one list of the overview and the count of all its rows.
func readBriefs(br pgx.BatchResults) ([]Brief, int, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, 0, err
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[briefRow])
	if err != nil {
		return nil, 0, err
	}
	items, total := make([]Brief, len(found)), 0
	for i, r := range found {
		items[i], total = r.Brief, r.Total
	}
	return items, total, nil
}
