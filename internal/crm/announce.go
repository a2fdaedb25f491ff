package crm

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Announcer tells people what changed in the CRM, inside the change's
// transaction, so a change rolled back tells no one: a notification to one
// member (as their preferences allow: in the app, by e-mail) and an event
// to the organization's webhooks. messaging.Service is the one the wiring
// gives. Either returns the error that must roll the change back.
type Announcer interface {
	NotifyMember(ctx context.Context, tx pgx.Tx, actor realty.Actor, member realty.ID, kind string, data map[string]any) error
	Emit(ctx context.Context, tx pgx.Tx, actor realty.Actor, event, key string, data map[string]any) error
	// EmailClient queues an e-mail of kind to a client's address, once per
	// key (the caller has checked the client's consent), and returns the
	// delivery's id (the first one's for a key queued before).
	EmailClient(ctx context.Context, tx pgx.Tx, actor realty.Actor, to, kind, key string, data map[string]any) (realty.ID, error)
}

// silent is the Announcer of a CRM wired without one: it tells no one.
type silent struct{}

func (silent) NotifyMember(context.Context, pgx.Tx, realty.Actor, realty.ID, string, map[string]any) error {
	return nil
}

func (silent) Emit(context.Context, pgx.Tx, realty.Actor, string, string, map[string]any) error {
	return nil
}

func (silent) EmailClient(context.Context, pgx.Tx, realty.Actor, string, string, string, map[string]any) (realty.ID, error) {
	return realty.NewID(), nil
}

// clientEvent is what a notification or webhook says of a client: who it
// is, not how to reach them (the receiver reads the rest with its rights).
func clientEvent(c Client) map[string]any {
	data := map[string]any{"client_id": c.ID, "name": fullName(c), "stage": c.Stage, "source": c.Source}
	if c.AssignedAgentID != nil {
		data["assigned_agent_id"] = *c.AssignedAgentID
	}
	return data
}

func fullName(c Client) string {
	if c.LastName == "" {
		return c.FirstName
	}
	return c.FirstName + " " + c.LastName
}

// announceCreated sends lead.created, and lead.assigned when the new client
// went to someone other than its creator.
func (s *Service) announceCreated(ctx context.Context, tx pgx.Tx, actor realty.Actor, c Client) error {
	if err := s.announce.Emit(ctx, tx, actor, "lead.created", "lead.created:"+c.ID.String(), clientEvent(c)); err != nil {
		return err
	}
	if c.AssignedAgentID == nil || *c.AssignedAgentID == actor.MemberID {
		return nil
	}
	return s.announceAssigned(ctx, tx, actor, c)
}

// announceAssigned tells the client's new agent, and the webhooks.
func (s *Service) announceAssigned(ctx context.Context, tx pgx.Tx, actor realty.Actor, c Client) error {
	if c.AssignedAgentID == nil {
		return nil
	}
	data := clientEvent(c)
	if err := s.announce.NotifyMember(ctx, tx, actor, *c.AssignedAgentID, "lead.assigned", data); err != nil {
		return err
	}
	return s.announce.Emit(ctx, tx, actor, "lead.assigned", "lead.assigned:"+realty.NewID().String(), data)
}

// announceStage sends client.stage_changed for one recorded change.
func (s *Service) announceStage(ctx context.Context, tx pgx.Tx, actor realty.Actor, c Client, change StageChange) error {
	data := clientEvent(c)
	data["to"] = change.ToStage
	if change.FromStage != nil {
		data["from"] = *change.FromStage
	}
	return s.announce.Emit(ctx, tx, actor, "client.stage_changed", "client.stage_changed:"+change.ID.String(), data)
}
