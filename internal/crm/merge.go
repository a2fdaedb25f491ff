package crm

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// clientOwned are the tables whose rows belong to a client through a
// client_id column: a merge moves every one of them onto the survivor. A
// new table holding client_id (appointments, preferences, matches) is added
// here, and TestMergeMovesEveryClientTable fails until it is.
// Preferences move with their matches; a match's key is its preference and
// listing, so two merged clients who matched the same listing keep one match
// per preference and never collide.
var clientOwned = []string{"crm.interactions", "crm.tasks", "crm.client_stage_changes", "crm.appointments", "crm.client_preferences", "crm.property_matches", "crm.client_messages"}

// MergeResult is what a merge did: the survivor as it is now and the
// duplicates merged into it.
type MergeResult struct {
	Survivor Client      `json:"survivor"`
	Merged   []realty.ID `json:"merged_ids"`
}

// Merge folds duplicates into survivor in one transaction: their
// interactions, tasks, stage history and appointments move onto the survivor, the
// survivor takes the e-mail address, phone number, budget and consent it
// lacks and every tag, and each duplicate is marked merged into it (kept
// for the record, gone from every list and read). Forbidden without
// client.manage; NotFound for a client not in the organization; Invalid
// naming duplicate_ids when it is empty, repeats one or names the survivor.
func (s *Service) Merge(ctx context.Context, actor realty.Actor, survivor realty.ID, duplicates []realty.ID) (MergeResult, error) {
	if err := actor.Require("client.manage"); err != nil {
		return MergeResult{}, err
	}
	if len(duplicates) == 0 || slices.Contains(duplicates, survivor) || len(uniq(duplicates)) != len(duplicates) {
		return MergeResult{}, realty.FieldError("duplicate_ids", "name one or more other clients, each once")
	}
	var out MergeResult
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		locked := append([]realty.ID{survivor}, duplicates...)
		slices.SortFunc(locked, func(a, b realty.ID) int { return compareIDs(a, b) }) // one lock order: no deadlock between merges
		for _, id := range locked {
			if _, err := lockClient(ctx, tx, actor, id); err != nil {
				return err
			}
		}
		for _, table := range clientOwned {
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET client_id = $2 WHERE organization_id = $1 AND client_id = ANY($3)`,
				actor.OrgID, survivor, duplicates); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE crm.clients SET merged_into = $2, merged_at = now()
			WHERE organization_id = $1 AND id = ANY($3)`, actor.OrgID, survivor, duplicates); err != nil {
			return err
		}
		var err error
		if out.Survivor, err = absorb(ctx, tx, actor, survivor, duplicates); err != nil {
			return err
		}
		out.Merged = duplicates
		return s.rescoreTx(ctx, tx, actor, survivor)
	})
	return out, err
}

// absorb fills what the survivor lacks from the duplicates (oldest first).
func absorb(ctx context.Context, tx pgx.Tx, actor realty.Actor, survivor realty.ID, duplicates []realty.ID) (Client, error) {
	rows, err := tx.Query(ctx, `WITH d AS (
			SELECT (array_agg(email ORDER BY created_at) FILTER (WHERE email IS NOT NULL))[1] AS email,
			       (array_agg(phone ORDER BY created_at) FILTER (WHERE phone IS NOT NULL))[1] AS phone,
			       (array_agg(budget_min ORDER BY created_at) FILTER (WHERE budget_min IS NOT NULL))[1] AS budget_min,
			       (array_agg(budget_max ORDER BY created_at) FILTER (WHERE budget_max IS NOT NULL))[1] AS budget_max,
			       bool_or(email_consent) AS email_consent, bool_or(sms_consent) AS sms_consent,
			       max(email_consent_at) AS email_consent_at, max(sms_consent_at) AS sms_consent_at,
			       max(last_contacted_at) AS last_contacted_at,
			       array(SELECT DISTINCT t FROM crm.clients x, unnest(x.tags) t WHERE x.organization_id = $1 AND x.id = ANY($3)) AS tags
			FROM crm.clients WHERE organization_id = $1 AND id = ANY($3))
		UPDATE crm.clients c SET email = coalesce(c.email, d.email), phone = coalesce(c.phone, d.phone),
			budget_min = CASE WHEN c.budget_min IS NULL AND c.budget_max IS NULL THEN d.budget_min ELSE c.budget_min END,
			budget_max = CASE WHEN c.budget_min IS NULL AND c.budget_max IS NULL THEN d.budget_max ELSE c.budget_max END,
			email_consent_at = CASE WHEN c.email_consent THEN c.email_consent_at ELSE d.email_consent_at END,
			sms_consent_at = CASE WHEN c.sms_consent THEN c.sms_consent_at ELSE d.sms_consent_at END,
			email_consent = c.email_consent OR coalesce(d.email_consent, false),
			sms_consent = c.sms_consent OR coalesce(d.sms_consent, false),
			last_contacted_at = greatest(c.last_contacted_at, d.last_contacted_at),
			tags = array(SELECT DISTINCT t FROM unnest(c.tags || d.tags) t ORDER BY t)
		FROM d WHERE c.organization_id = $1 AND c.id = $2 RETURNING `+clientColumns, actor.OrgID, survivor, duplicates)
	if err != nil {
		return Client{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Client])
}

func uniq(ids []realty.ID) []realty.ID {
	out := slices.Clone(ids)
	slices.SortFunc(out, compareIDs)
	return slices.Compact(out)
}

func compareIDs(a, b realty.ID) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}
