package crm

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// Reason is one named part of a lead score: its points (negative ones lower
// the score) and what earned them, in words for the agent.
type Reason struct {
	Code        string `json:"code" doc:"stable name of the reason, e.g. recent_interaction"`
	Points      int    `json:"points" doc:"points this reason adds (negative: takes away)"`
	Explanation string `json:"explanation" doc:"why, in words"`
}

// Score is a client's lead score, 0 to 100, and the reasons it is the sum
// of, largest |points| first. When the reasons' raw sum falls outside 0–100
// a last reason with code "clamp" brings it back, so the points of the
// reasons always add up to the score exactly.
type Score struct {
	ClientID   realty.ID  `json:"client_id"`
	Score      *int       `json:"score,omitempty" minimum:"0" maximum:"100" doc:"absent until first computed"`
	ComputedAt *time.Time `json:"computed_at,omitempty"`
	Reasons    []Reason   `json:"reasons"`
}

// Sum is the total of the reasons' points.
func Sum(reasons []Reason) int {
	total := 0
	for _, r := range reasons {
		total += r.Points
	}
	return total
}

// finish sorts the reasons (largest |points| first, then by code) and adds
// the clamp reason when the sum leaves 0–100; it returns the score.
func finish(reasons []Reason) (int, []Reason) {
	raw := Sum(reasons)
	score := min(max(raw, 0), 100)
	slices.SortStableFunc(reasons, func(a, b Reason) int {
		return cmp.Or(cmp.Compare(abs(b.Points), abs(a.Points)), cmp.Compare(a.Code, b.Code))
	})
	if score != raw {
		reasons = append(reasons, Reason{Code: "clamp", Points: score - raw,
			Explanation: "The score is kept between 0 and 100 (the reasons above add up to " + itoa(raw) + ")"})
	}
	if reasons == nil {
		reasons = []Reason{}
	}
	return score, reasons
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ClientScore returns the client's stored score and its reasons. Forbidden
// without client.read; NotFound as Get.
func (s *Service) ClientScore(ctx context.Context, actor realty.Actor, id realty.ID) (Score, error) {
	if err := actor.Require("client.read"); err != nil {
		return Score{}, err
	}
	args := scopeArgs(actor)
	args["id"] = id
	out := Score{ClientID: id}
	var raw []byte
	found := false
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		for rows.Next() {
			found = true
			if err := rows.Scan(&out.Score, &out.ComputedAt, &raw); err != nil {
				return err
			}
		}
		return rows.Err()
	}, `SELECT c.lead_score, c.score_computed_at, c.score_reasons FROM crm.clients c WHERE `+clientScope+` AND c.id = @id`,
		pgx.NamedArgs(args))
	if err != nil {
		return Score{}, err
	}
	if !found {
		return Score{}, errClientNotFound
	}
	if err := json.Unmarshal(raw, &out.Reasons); err != nil {
		return Score{}, err
	}
	if out.Reasons == nil {
		out.Reasons = []Reason{}
	}
	return out, nil
}

// scoreEnv is what the signals read a client's facts through: the
// transaction (scoped to the organization), the client, the moment the
// score is for, and the market, read once per organization and shared by
// every client a sweep scores.
type scoreEnv struct {
	tx     pgx.Tx
	org    realty.ID
	client Client
	now    time.Time
	market *listing.Market
}

// marketOf reads the organization's price spread on first use.
func (e *scoreEnv) marketOf(ctx context.Context) (listing.Market, error) {
	if e.market == nil {
		m, err := listing.MarketTx(ctx, e.tx, e.org)
		if err != nil {
			return listing.Market{}, err
		}
		e.market = &m
	}
	return *e.market, nil
}

// computeScore runs every signal over the client and sums their reasons.
func computeScore(ctx context.Context, e *scoreEnv) (int, []Reason, error) {
	var reasons []Reason
	for _, sig := range signals {
		rs, err := sig(ctx, e)
		if err != nil {
			return 0, nil, err
		}
		for _, r := range rs {
			if r.Points != 0 {
				reasons = append(reasons, r)
			}
		}
	}
	score, reasons := finish(reasons)
	return score, reasons, nil
}

// storeScore recomputes one client's score in tx, the client locked so a
// change of its inputs waits for (or is seen by) the recompute, and stores
// it. A client merged away or gone is left alone.
func storeScore(ctx context.Context, tx pgx.Tx, org, client realty.ID, now time.Time, market *listing.Market) (*listing.Market, error) {
	rows, err := tx.Query(ctx, `SELECT `+clientColumns+` FROM crm.clients c
		WHERE c.organization_id = $1 AND c.id = $2 AND c.merged_into IS NULL FOR UPDATE`, org, client)
	if err != nil {
		return market, err
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Client])
	if err != nil || len(cs) == 0 {
		return market, err
	}
	e := &scoreEnv{tx: tx, org: org, client: cs[0], now: now, market: market}
	score, reasons, err := computeScore(ctx, e)
	if err != nil {
		return e.market, err
	}
	_, err = tx.Exec(ctx, `UPDATE crm.clients SET lead_score = $3, score_reasons = $4, score_computed_at = $5,
		score_generation = score_generation + 1 WHERE organization_id = $1 AND id = $2`, org, client, score, reasons, now)
	return e.market, err
}

// Rescore recomputes and stores one client's score as of the service's
// clock (what the rescore job runs). A client merged away or deleted is
// left alone. It returns only database errors.
func (s *Service) Rescore(ctx context.Context, org, client realty.ID) error {
	return postgres.Tx(ctx, s.pool, realty.System(org), func(tx pgx.Tx) error {
		_, err := storeScore(ctx, tx, org, client, s.now(), nil)
		return err
	})
}

// rescoreBatch is how many clients one transaction of RescoreAll scores.
const rescoreBatch = 200

// RescoreAll recomputes every live client's score of the organization as
// of the service's clock (the nightly job: recency fades, so idle clients'
// scores decay), a batch of clients per transaction. It returns how many
// it scored, and only database errors.
func (s *Service) RescoreAll(ctx context.Context, org realty.ID) (int, error) {
	now := s.now()
	var after *realty.ID
	var market *listing.Market
	n := 0
	for {
		var ids []realty.ID
		err := postgres.Tx(ctx, s.pool, realty.System(org), func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id FROM crm.clients WHERE organization_id = $1 AND merged_into IS NULL
				AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3`, org, after, rescoreBatch)
			if err != nil {
				return err
			}
			if ids, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID]); err != nil {
				return err
			}
			for _, id := range ids {
				if market, err = storeScore(ctx, tx, org, id, now, market); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(ids)
		if len(ids) < rescoreBatch {
			return n, nil
		}
		after = &ids[len(ids)-1]
	}
}
