package crm

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// settings is the organization's CRM settings row (defaults when it has
// none yet).
type settings struct {
	PhoneRegion  string
	NextPosition int
	found        bool
}

// settingsTx reads the settings, locking the row for the rest of tx: every
// create takes the round-robin turn under this lock, so concurrent leads
// are dealt out one after another, in commit order.
func settingsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) (settings, error) {
	st := settings{PhoneRegion: "US"}
	err := tx.QueryRow(ctx, `SELECT phone_region, next_position FROM crm.settings WHERE organization_id = $1 FOR UPDATE`,
		actor.OrgID).Scan(&st.PhoneRegion, &st.NextPosition)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	st.found = err == nil
	return st, err
}

// nextAgent takes the round-robin turn: the first active pool member from
// the next position on (wrapping around), advancing the turn past them. A
// member who has left the organization (inactive, or gone) is passed over,
// so no lead is dealt to someone who cannot see it. nil when no pool member
// is active. The settings row must be locked by tx.
func (s *Service) nextAgent(ctx context.Context, tx pgx.Tx, actor realty.Actor, next int) (*realty.ID, error) {
	type turn struct {
		Member   realty.ID `db:"member_id"`
		Position int       `db:"position"`
	}
	rows, err := tx.Query(ctx, `SELECT member_id, position FROM crm.pool_members WHERE organization_id = $1
		ORDER BY position >= $2 DESC, position`, actor.OrgID, next)
	if err != nil {
		return nil, err
	}
	turns, err := pgx.CollectRows(rows, pgx.RowToStructByName[turn])
	if err != nil {
		return nil, err
	}
	for _, t := range turns {
		m, err := s.orgs.MemberTx(ctx, tx, realty.System(actor.OrgID), t.Member)
		if realty.KindOf(err) == realty.NotFound || (err == nil && m.Status != "active") {
			continue
		} else if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE crm.settings SET next_position = $2 WHERE organization_id = $1`, actor.OrgID, t.Position+1); err != nil {
			return nil, err
		}
		return &t.Member, nil
	}
	return nil, nil
}

// Settings are the organization's CRM settings.
type Settings struct {
	PhoneRegion string      `json:"phone_region" doc:"ISO 3166 region phone numbers without a country code are read in"`
	PoolMembers []realty.ID `json:"pool_member_ids" doc:"the agents new leads are dealt to in turn, in order"`
}

// GetSettings returns the CRM settings. Forbidden without client.manage.
func (s *Service) GetSettings(ctx context.Context, actor realty.Actor) (Settings, error) {
	if err := actor.Require("client.manage"); err != nil {
		return Settings{}, err
	}
	out := Settings{PhoneRegion: "US", PoolMembers: []realty.ID{}}
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		st, err := settingsTx(ctx, tx, actor)
		if err != nil {
			return err
		}
		out.PhoneRegion = st.PhoneRegion
		rows, err := tx.Query(ctx, `SELECT member_id FROM crm.pool_members WHERE organization_id = $1 ORDER BY position`, actor.OrgID)
		if err != nil {
			return err
		}
		out.PoolMembers, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
		return err
	})
	return out, err
}

// SetSettings replaces the CRM settings: the phone region and the pool (the
// turn starts again at its first member). Forbidden without client.manage;
// Invalid naming phone_region or member_ids (an unknown or repeated member).
func (s *Service) SetSettings(ctx context.Context, actor realty.Actor, in Settings) (Settings, error) {
	if err := actor.Require("client.manage"); err != nil {
		return Settings{}, err
	}
	if in.PhoneRegion = strings.ToUpper(strings.TrimSpace(in.PhoneRegion)); in.PhoneRegion == "" {
		in.PhoneRegion = "US"
	}
	if in.PoolMembers == nil {
		in.PoolMembers = []realty.ID{}
	}
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO crm.settings (organization_id, id, phone_region) VALUES ($1, $2, $3)
			ON CONFLICT (organization_id) DO UPDATE SET phone_region = EXCLUDED.phone_region, next_position = 0`,
			actor.OrgID, realty.NewID(), in.PhoneRegion); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM crm.pool_members WHERE organization_id = $1`, actor.OrgID); err != nil {
			return err
		}
		for i, m := range in.PoolMembers {
			if _, err := tx.Exec(ctx, `INSERT INTO crm.pool_members (organization_id, id, member_id, position) VALUES ($1, $2, $3, $4)`,
				actor.OrgID, realty.NewID(), m, i); err != nil {
				return err
			}
		}
		return nil
	})
	return in, err
}

// Assign gives a client to an agent (nil: nobody) and returns the client
// as changed; the agent is told (lead.assigned). Forbidden without client.manage; NotFound for a client not in
// the organization; Invalid naming assigned_agent_id for an unknown member.
func (s *Service) Assign(ctx context.Context, actor realty.Actor, id realty.ID, agent *realty.ID) (Client, error) {
	if err := actor.Require("client.manage"); err != nil {
		return Client{}, err
	}
	var out Client
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		args := scopeArgs(actor)
		args["id"], args["agent"] = id, agent
		var err error
		if out, err = updateClient(ctx, tx, `assigned_agent_id = @agent`, args); err != nil {
			return err
		}
		return s.announceAssigned(ctx, tx, actor, out)
	})
	return out, err
}
