package app

import (
	"context"

	"realty"
	"realty/internal/document"
)

// documentLinker checks the entity a document is filed against through its
// own domain (so the actor must be able to see it) and returns the property
// it belongs to, which the document keeps for property-scoped members.
func documentLinker(s Services) document.Linker {
	return func(ctx context.Context, actor realty.Actor, entityType string, id realty.ID) (*realty.ID, error) {
		switch entityType {
		case "property":
			p, err := s.Property.Get(ctx, actor, id)
			return &p.ID, err
		case "listing":
			l, err := s.Listing.Get(ctx, actor, id)
			return &l.PropertyID, err
		case "unit":
			u, err := s.Property.Unit(ctx, actor, id)
			return &u.PropertyID, err
		case "lease":
			l, err := s.Leasing.Lease(ctx, actor, id)
			return &l.PropertyID, err
		case "work_order":
			w, err := s.Maintenance.WorkOrder(ctx, actor, id)
			return &w.PropertyID, err
		case "deal":
			d, err := s.Deal.Get(ctx, actor, id)
			return d.PropertyID, err
		case "client":
			_, err := s.CRM.Get(ctx, actor, id)
			return nil, err
		}
		return nil, realty.FieldError("entity_type", "must be one of property, listing, client, deal, lease, unit or work_order")
	}
}

// documentParticipation answers whether the actor takes part in the entity
// a document is filed against: only deals have participants who sign in.
func documentParticipation(s Services) document.Participation {
	return func(ctx context.Context, actor realty.Actor, entityType string, id realty.ID) error {
		if entityType == "deal" {
			return s.Deal.TakesPart(ctx, actor, id)
		}
		return &realty.Error{Kind: realty.NotFound, Message: entityType + " not found"}
	}
}
