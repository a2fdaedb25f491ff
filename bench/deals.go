package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/deal"
	"realty/internal/postgres"
)

// W10 reads what a brokerage reads most: the pipeline board (a column per
// stage with its count and latest moved deals) and a full-text search of
// its documents, for the first organization with -deals deals and
// -doc-versions document versions (deals_seed.go). The realty side is the
// API with the organization's key, as W9; the raw side sends the SQL the
// deal and document packages run for the same request, copied below.

// dealsResult describes W10's data for the report.
type dealsResult struct {
	Org       string `json:"organization"`
	Deals     int    `json:"deals"`
	Open      int    `json:"open_deals"`
	History   int    `json:"stage_history_rows"`
	Documents int    `json:"documents"`
	Versions  int    `json:"document_versions"`
	// SeedSeconds is how long this run's seeding took; 0 when the data
	// directory held it already.
	SeedSeconds float64 `json:"seed_seconds"`
	// Words are the words searched; MatchMin, MatchMedian and MatchMax the
	// share of the organization's documents (in per cent) whose current
	// version holds them.
	Words       int     `json:"search_words"`
	MatchMin    float64 `json:"match_min_pct"`
	MatchMedian float64 `json:"match_median_pct"`
	MatchMax    float64 `json:"match_max_pct"`
}

// w10Data is what the W10 requests draw from.
type w10Data struct {
	org   *orgData
	actor realty.Actor
	words []string
}

// w10 seeds the organization's deals and documents (once per data
// directory) and returns the two W10 workloads and what they read.
func w10(ctx context.Context, cfg config, e *env) ([]workload, *dealsResult, error) {
	admin, err := pgx.Connect(ctx, adminURL(e.srv))
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close(ctx)
	o := e.orgs[0]
	took, err := seedDeals(ctx, admin, o.ID, cfg.Deals, cfg.DocVersions)
	if err != nil {
		return nil, nil, fmt.Errorf("seed W10 deals and documents: %w", err)
	}
	res := &dealsResult{Org: o.Slug, SeedSeconds: took.Seconds()}
	if err := admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM deal.deals WHERE organization_id = $1)::int,
		(SELECT count(*) FROM deal.deals WHERE organization_id = $1 AND stage NOT IN ('closed', 'fell_through', 'withdrawn'))::int,
		(SELECT count(*) FROM deal.deal_stage_history WHERE organization_id = $1)::int,
		(SELECT count(*) FROM document.documents WHERE organization_id = $1 AND deleted_at IS NULL)::int,
		(SELECT count(*) FROM document.document_versions WHERE organization_id = $1)::int`, o.ID).
		Scan(&res.Deals, &res.Open, &res.History, &res.Documents, &res.Versions); err != nil {
		return nil, nil, err
	}
	d := &w10Data{org: o, actor: realty.Actor{OrgID: o.ID, Permissions: []string{"deal.read", "deal.manage", "document.read"}}}
	if err := d.loadWords(ctx, admin, res); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "  W10 %s: %d deals (%d open), %d stage changes, %d documents, %d versions; %d search words in %.2f–%.2f %% of the documents (median %.2f %%)\n",
		o.Slug, res.Deals, res.Open, res.History, res.Documents, res.Versions, res.Words, res.MatchMin, res.MatchMax, res.MatchMedian)
	return e.w10workloads(d), res, nil
}

// loadWords keeps the search terms and rare words that occur in at least
// one and at most 2 % of the organization's document versions (a word
// whose stem a common word shares would find more), and notes the share
// they find among the documents. Only current versions carry a search
// document, so counting the versions the GIN index matches counts the
// documents a search finds.
func (d *w10Data) loadWords(ctx context.Context, admin *pgx.Conn, res *dealsResult) error {
	rows, err := admin.Query(ctx, `SELECT w, (SELECT count(*) FROM document.document_versions v
			WHERE v.organization_id = $1 AND v.search_document @@ websearch_to_tsquery('english', w))::int AS n
		FROM unnest($2::text[]) AS w`, d.org.ID, append(slices.Clone(w10Terms), w10Rare...))
	if err != nil {
		return err
	}
	var shares []float64
	var w string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&w, &n}, func() error {
		if share := 100 * float64(n) / float64(max(res.Documents, 1)); n > 0 && share <= 2 {
			d.words = append(d.words, w)
			shares = append(shares, share)
		}
		return nil
	}); err != nil {
		return err
	}
	if len(d.words) == 0 {
		return fmt.Errorf("W10: no search word finds a document of %s", d.org.Slug)
	}
	slices.Sort(shares)
	res.Words, res.MatchMin, res.MatchMedian, res.MatchMax = len(d.words), shares[0], shares[len(shares)/2], shares[len(shares)-1]
	return nil
}

// w10Page is W10's search page size; realty asks the database for one more
// row to know whether a next page exists, and so does the raw side.
const w10Page = 20

func (e *env) w10workloads(d *w10Data) []workload {
	boardArgs := pgx.NamedArgs{"org": d.org.ID, "all": true, "me": d.actor.MemberID, "stages": deal.Stages, "limit": 50}
	api, raw := newRNGs(101), newRNGs(101)
	word := func(r *rngs, c int) string { return d.words[r.of(c).IntN(len(d.words))] }
	return []workload{
		{ID: "W10", Name: "board",
			realty: target{"realty", func(ctx context.Context, _, _ int) error {
				return e.get(ctx, "/api/v1/deal-board", d.org.Key, `{"columns":[`)
			}, e.srv.pid},
			raw: target{"raw SQL", func(ctx context.Context, _, _ int) error {
				return e.sqlBatch(ctx, d.actor, boardArgs, rawBoardCountsSQL, rawBoardDealsSQL)
			}, none}},
		{ID: "W10", Name: "doc_search",
			realty: target{"realty", func(ctx context.Context, c, _ int) error {
				v := url.Values{"q": {word(api, c)}, "limit": {fmt.Sprint(w10Page)}}
				return e.get(ctx, "/api/v1/documents?"+v.Encode(), d.org.Key, `{"items":[`)
			}, e.srv.pid},
			raw: target{"raw SQL", func(ctx context.Context, c, _ int) error {
				return e.sql(ctx, d.actor, rawDocSearchSQL, d.org.ID, []realty.ID(nil), w10Page+1, word(raw, c))
			}, none}},
	}
}

// sqlBatch sends what realty sends for a batched read (postgres.ReadBatch:
// the scoping and the queries in one pipeline, prepared), and decodes every
// row of each.
func (e *env) sqlBatch(ctx context.Context, actor realty.Actor, args pgx.NamedArgs, queries ...string) error {
	ctx = realty.WithRequestID(ctx, "bench")
	return postgres.ReadBatch(ctx, e.raw, actor, func(b *pgx.Batch) {
		for _, q := range queries {
			b.Queue(q, args)
		}
	}, func(br pgx.BatchResults) error {
		for range queries {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			for rows.Next() {
				if _, err := rows.Values(); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
}

// The raw side's SQL is the domains', copied (internal/deal: board.go's
// Board, deals.go's dealColumns; internal/document: search.go's List for a
// query without cursor, filters or property scope, documents.go's
// documentSelect) with the arguments they bind for an API key holding
// deal.manage and document.read; keep it in step when those change.
const (
	rawDealColumns = `id, title, kind, side, stage, property_id, listing_id, agent_id, price, contract_date,
	expected_close, actual_close, close_price, notes, stage_changed_at, created_by, created_at, updated_at`
	rawBoardCountsSQL = `SELECT stage, count(*)::int FROM deal.deals WHERE organization_id = @org AND (@all OR agent_id = @me)
			GROUP BY stage`
	rawBoardDealsSQL = `SELECT d.* FROM unnest(@stages::text[]) AS s(stage) CROSS JOIN LATERAL (SELECT ` + rawDealColumns + `
			FROM deal.deals WHERE organization_id = @org AND stage = s.stage AND (@all OR agent_id = @me)
			ORDER BY stage_changed_at DESC, id DESC LIMIT @limit) d`
	rawDocSearchSQL = `SELECT d.id, d.title, d.category, d.entity_type, d.entity_id, d.property_id, d.visibility,
	d.current_version_id, v.version, v.file_name, v.content_type, v.size_bytes, d.retain_until, d.created_by,
	d.created_at, d.updated_at, ts_rank(v.search_document, websearch_to_tsquery('english', $4)) AS rank
	FROM document.documents d
	JOIN document.document_versions v ON v.organization_id = d.organization_id AND v.id = d.current_version_id` +
		` WHERE d.organization_id = $1 AND d.deleted_at IS NULL AND ($2::uuid[] IS NULL OR d.property_id = ANY($2))` +
		` AND v.search_document @@ websearch_to_tsquery('english', $4) ORDER BY rank DESC, d.id DESC LIMIT $3`
)
