package crm

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/postgres"
)

// matchEvent is what an alert, a notification or the match.created
// webhook says of a match.
func matchEvent(f freshMatch, c Client) map[string]any {
	return map[string]any{"match_id": f.ID, "client_id": c.ID, "client": fullName(c), "preference_id": f.pair.pref.ID,
		"preference": f.pair.pref.Name, "listing_id": f.pair.listing.ID, "listing": f.pair.listing.Title,
		"price": money(f.pair.listing.ListPrice), "score": f.pair.scored.Score}
}

// alert announces matches that surfaced now, in their transaction: the
// match.created webhook event for each; for a preference alerting
// instantly an e-mail to the client (only with their e-mail consent) and a
// notification to their agent, after which the match is notified; for a
// daily or weekly one the digest job of its next period.
// The clients are read in one query and the e-mails recorded on their
// timelines in one statement, so a listing with many new matches costs a
// few round trips more than one with none, not several per match.
func (s *Service) alert(ctx context.Context, tx pgx.Tx, sys realty.Actor, fresh []freshMatch) error {
	if len(fresh) == 0 {
		return nil
	}
	ids := make([]realty.ID, len(fresh))
	for i, f := range fresh {
		ids[i] = f.pair.pref.ClientID
	}
	clients, err := clientsTx(ctx, tx, sys, ids)
	if err != nil {
		return err
	}
	digests := map[realty.ID]bool{}
	var notified []realty.ID
	var sent []clientMessage
	for _, f := range fresh {
		c, ok := clients[f.pair.pref.ClientID]
		if !ok {
			return fmt.Errorf("match %s: client %s: %w", f.ID, f.pair.pref.ClientID, pgx.ErrNoRows)
		}
		data := matchEvent(f, c)
		once := f.ID.String() + ":" + strconv.FormatInt(f.SurfacedAt.UnixMicro(), 10)
		if err := s.announce.Emit(ctx, tx, sys, "match.created", "match.created:"+once, data); err != nil {
			return err
		}
		switch f.pair.pref.AlertFrequency {
		case "instant":
			if err := s.tell(ctx, tx, sys, c, "match.alert", "match.alert:"+once, data, &sent); err != nil {
				return err
			}
			notified = append(notified, f.ID)
		case "daily", "weekly":
			if !digests[f.pair.pref.ID] {
				digests[f.pair.pref.ID] = true
				if err := s.queueDigest(ctx, tx, sys.OrgID, *f.pair.pref); err != nil {
					return err
				}
			}
		}
	}
	if err := recordMessages(ctx, tx, sys.OrgID, sent); err != nil {
		return err
	}
	return markNotified(ctx, tx, sys.OrgID, notified)
}

// tell e-mails the client (with their consent), adding the e-mail to sent
// for recordMessages, and notifies their agent.
func (s *Service) tell(ctx context.Context, tx pgx.Tx, sys realty.Actor, c Client, kind, key string, data map[string]any, sent *[]clientMessage) error {
	if c.Email != nil && c.EmailConsent {
		delivery, err := s.announce.EmailClient(ctx, tx, sys, *c.Email, kind, key, data)
		if err != nil {
			return err
		}
		*sent = append(*sent, clientMessage{client: c.ID, kind: kind, key: key, delivery: delivery, data: data})
	}
	if c.AssignedAgentID == nil {
		return nil
	}
	return s.announce.NotifyMember(ctx, tx, sys, *c.AssignedAgentID, "match.new", data)
}

func markNotified(ctx context.Context, tx pgx.Tx, org realty.ID, ids []realty.ID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE crm.property_matches SET status = 'notified', notified_at = now(), status_changed_at = now(),
		updated_at = now() WHERE organization_id = $1 AND id = ANY ($2) AND status = 'new'`, org, ids)
	return err
}

// clientTx reads a client for the engine (no scope: it runs as System).
func clientTx(ctx context.Context, tx pgx.Tx, sys realty.Actor, id realty.ID) (Client, error) {
	rows, err := tx.Query(ctx, `SELECT `+clientColumns+` FROM crm.clients c WHERE c.organization_id = $1 AND c.id = $2`, sys.OrgID, id)
	if err != nil {
		return Client{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Client])
}

// clientsTx reads the clients of ids in one query, by id (an id not the
// organization's is absent).
func clientsTx(ctx context.Context, tx pgx.Tx, sys realty.Actor, ids []realty.ID) (map[realty.ID]Client, error) {
	rows, err := tx.Query(ctx, `SELECT `+clientColumns+` FROM crm.clients c WHERE c.organization_id = $1 AND c.id = ANY ($2)`, sys.OrgID, ids)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Client])
	out := make(map[realty.ID]Client, len(list))
	for _, c := range list {
		out[c.ID] = c
	}
	return out, err
}

// nextDigest is when the digest of a frequency next goes out: the next
// midnight (UTC) for daily, the next Monday's for weekly.
func nextDigest(now time.Time, frequency string) time.Time {
	day := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if frequency == "weekly" {
		for day.Weekday() != time.Monday {
			day = day.Add(24 * time.Hour)
		}
	}
	return day
}

func (s *Service) queueDigest(ctx context.Context, tx pgx.Tx, org realty.ID, p ClientPreference) error {
	if s.jobs == nil {
		return nil
	}
	due := nextDigest(s.now(), p.AlertFrequency)
	_, err := s.jobs.InsertTx(ctx, tx, DigestArgs{OrganizationID: org, PreferenceID: p.ID, Due: due}, &river.InsertOpts{ScheduledAt: due})
	if err != nil {
		return fmt.Errorf("queue digest: %w", err)
	}
	return nil
}

// Digest sends a preference's new matches in one e-mail to the client (with
// their e-mail consent) and one notification to their agent, best first,
// and marks them notified. It returns how many matches it gathered (none:
// nothing is sent).
func (s *Service) Digest(ctx context.Context, org, preference realty.ID) (int, error) {
	sys := realty.System(org)
	var n int
	err := postgres.Tx(ctx, s.pool, sys, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT m.id, m.listing_title, m.price, m.score, m.client_id, p.name
			FROM crm.property_matches m JOIN crm.client_preferences p ON p.organization_id = m.organization_id AND p.id = m.preference_id
			WHERE m.organization_id = $1 AND m.preference_id = $2 AND m.status = 'new' AND m.active
			ORDER BY m.score DESC, m.id DESC FOR UPDATE OF m`, org, preference)
		if err != nil {
			return err
		}
		var ids []realty.ID
		var items []map[string]any
		var client realty.ID
		var name string
		for rows.Next() {
			var id realty.ID
			var title, price string
			var score int
			if err := rows.Scan(&id, &title, &price, &score, &client, &name); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			items = append(items, map[string]any{"match_id": id, "listing": title, "price": price, "score": score})
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		n = len(ids)
		c, err := clientTx(ctx, tx, sys, client)
		if err != nil {
			return err
		}
		data := map[string]any{"client_id": c.ID, "client": fullName(c), "preference_id": preference, "preference": name,
			"count": n, "matches": items, "listing": fmt.Sprintf("%d new listings", n)}
		key := "match.digest:" + preference.String() + ":" + strconv.FormatInt(s.now().UnixMicro(), 10)
		var sent []clientMessage
		if err := s.tell(ctx, tx, sys, c, "match.digest", key, data, &sent); err != nil {
			return err
		}
		if err := recordMessages(ctx, tx, org, sent); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE crm.client_preferences SET last_digest_at = now(), updated_at = now()
			WHERE organization_id = $1 AND id = $2`, org, preference); err != nil {
			return err
		}
		return markNotified(ctx, tx, org, ids)
	})
	return n, err
}
