package messaging

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Audience answers who a message reaches. Tenants, their leases and the
// units they rent belong to leasing and property, which sit beside
// messaging (crm and others import messaging; leasing may come to): so
// messaging imports neither, and app wires an Audience built on both.
type Audience interface {
	// ResidentTx returns one tenant's contact within tx: NotFound for a
	// tenant of no such id.
	ResidentTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenantID realty.ID) (Resident, error)
	// ResidentsTx returns, each once, the tenants on an active lease of a
	// unit in the scope, within tx. Invalid naming building_id or unit_id
	// for a building or unit not of the scope's property; NotFound for a
	// property the actor cannot see.
	ResidentsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, s Scope) ([]Resident, error)
	// PropertiesTx returns the properties of a tenant's active leases,
	// each once, within tx (none for a tenant without one).
	PropertiesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenantID realty.ID) ([]realty.ID, error)
}

// Resident is one tenant a message reaches: in-app through the member who
// uses the portal as them (when linked), by e-mail at that member's address
// or, without one, the tenant's own.
type Resident struct {
	TenantID realty.ID
	Name     string
	MemberID *realty.ID
	Email    *string
}

// Scope is where an announcement goes: a property, one of its buildings,
// or one of its units.
type Scope struct {
	Kind       string     `json:"scope" enum:"property,building,unit"`
	PropertyID realty.ID  `json:"property_id"`
	BuildingID *realty.ID `json:"building_id,omitempty"`
	UnitID     *realty.ID `json:"unit_id,omitempty"`
}

// check returns Invalid naming the field that does not fit the kind.
func (s Scope) check() error {
	if s.PropertyID.IsZero() {
		return realty.FieldError("property_id", "is required")
	}
	switch s.Kind {
	case "property":
		if s.BuildingID != nil || s.UnitID != nil {
			return realty.FieldError("scope", "a property announcement names no building or unit")
		}
	case "building":
		if s.BuildingID == nil || s.UnitID != nil {
			return realty.FieldError("building_id", "a building announcement names one building and no unit")
		}
	case "unit":
		if s.UnitID == nil || s.BuildingID != nil {
			return realty.FieldError("unit_id", "a unit announcement names one unit and no building")
		}
	default:
		return realty.FieldError("scope", "must be property, building or unit")
	}
	return nil
}
