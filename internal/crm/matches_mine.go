package crm

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// AgentMatch is a match of one of the agent's clients, with the client's
// name.
type AgentMatch struct {
	Match
	ClientName string `db:"client_name" json:"client_name"`
}

// NewMatchesOfMine returns the active matches still new or notified of the
// clients assigned to the actor, best first (score, then newest), at most
// limit of them (the page size when out of range). A broker sees their own
// clients' here too: it is their day, not the office's. Forbidden without
// client.read; an actor that is no member has none.
func (s *Service) NewMatchesOfMine(ctx context.Context, actor realty.Actor, limit int) ([]AgentMatch, error) {
	if err := actor.Require("client.read"); err != nil {
		return nil, err
	}
	if me(actor) == nil {
		return []AgentMatch{}, nil
	}
	return postgres.ReadAll[AgentMatch](ctx, s.pool, actor, `SELECT `+matchColumns+`,
			trim(c.first_name || ' ' || coalesce(c.last_name, '')) AS client_name
		FROM crm.property_matches m JOIN crm.clients c ON c.organization_id = m.organization_id AND c.id = m.client_id
		WHERE m.organization_id = @org AND c.organization_id = @org AND c.merged_into IS NULL AND c.assigned_agent_id = @me
		  AND m.active AND m.status IN ('new', 'notified')
		ORDER BY m.score DESC, m.id DESC LIMIT @limit`, pgx.NamedArgs{"org": actor.OrgID, "me": actor.MemberID, "limit": pageSize(limit)})
}
