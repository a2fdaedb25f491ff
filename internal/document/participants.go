package document

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Participation tells whether the actor takes part in an entity (a client
// added to their deal): nil when they do, an error (NotFound) when not.
// The entity's domain answers it; the wiring sets it.
type Participation func(ctx context.Context, actor realty.Actor, entityType string, entityID realty.ID) error

// UseParticipation sets the check of taking part in an entity. Without
// one, nobody reads documents as a participant.
func (s *Service) UseParticipation(p Participation) { s.takesPart = p }

// sharedLimit bounds one entity's documents shown to its participants.
const sharedLimit = 200

// SharedWith lists the documents of an entity the actor takes part in
// that are visible to its participants (visibility participants or
// public, never staff), by title, at most 200. Taking part is the
// permission: it needs no document permission. Errors: NotFound when the
// actor does not take part in the entity.
func (s *Service) SharedWith(ctx context.Context, actor realty.Actor, entityType string, entityID realty.ID) ([]Document, error) {
	if err := s.participates(ctx, actor, entityType, entityID); err != nil {
		return nil, err
	}
	out, err := readAll[Document](ctx, s, actor, documentSelect+` WHERE d.organization_id = $1 AND d.entity_type = $2
		AND d.entity_id = $3 AND d.deleted_at IS NULL AND d.visibility <> 'staff' ORDER BY d.title, d.id LIMIT $4`,
		actor.OrgID, entityType, entityID, sharedLimit)
	if out == nil {
		out = []Document{}
	}
	return out, err
}

// participates is nil when the actor takes part in the entity.
func (s *Service) participates(ctx context.Context, actor realty.Actor, entityType string, entityID realty.ID) error {
	if s.takesPart == nil || actor.MemberID.IsZero() {
		return &realty.Error{Kind: realty.NotFound, Message: entityType + " not found"}
	}
	return s.takesPart(ctx, actor, entityType, entityID)
}

// participantMay is nil when an actor without document.read may open the
// document as a participant: it is visible to participants and filed
// against an entity the actor takes part in. Else denied, so a
// participant learns nothing of documents that are not theirs.
func (s *Service) participantMay(ctx context.Context, actor realty.Actor, id realty.ID, denied error) error {
	var d Document
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		d, err = getTx(ctx, tx, actor, id)
		return err
	})
	if err != nil {
		if realty.KindOf(err) == realty.NotFound {
			return denied
		}
		return err
	}
	if d.Visibility == "staff" {
		return denied
	}
	if err := s.participates(ctx, actor, d.EntityType, d.EntityID); err != nil {
		if realty.KindOf(err) == realty.NotFound {
			return denied
		}
		return err
	}
	return nil
}
