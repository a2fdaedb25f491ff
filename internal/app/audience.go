package app

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/leasing"
	"realty/internal/messaging"
	"realty/internal/property"
)

// Audience is messaging's view of tenants, built on leasing (tenants and
// their active leases) and property (buildings and units), so messaging
// imports neither: crm imports messaging, and leasing may come to.
type Audience struct {
	Leasing  *leasing.Service
	Property *property.Service
}

var _ messaging.Audience = Audience{}

func resident(c leasing.Contact) messaging.Resident {
	return messaging.Resident{TenantID: c.TenantID, Name: c.Name, MemberID: c.MemberID, Email: c.Email}
}

// ResidentTx returns one tenant's contact (leasing.Service.ContactTx).
func (a Audience) ResidentTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenantID realty.ID) (messaging.Resident, error) {
	c, err := a.Leasing.ContactTx(ctx, tx, actor, tenantID)
	return resident(c), err
}

// ResidentsTx returns the tenants on active leases in the scope: the
// scope's units come from property, the tenants from leasing.
func (a Audience) ResidentsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, s messaging.Scope) ([]messaging.Resident, error) {
	units, err := a.units(ctx, tx, actor, s)
	if err != nil {
		return nil, err
	}
	cs, err := a.Leasing.ActiveContactsTx(ctx, tx, actor, s.PropertyID, units)
	out := make([]messaging.Resident, 0, len(cs))
	for _, c := range cs {
		out = append(out, resident(c))
	}
	return out, err
}

// PropertiesTx returns the properties of the tenant's active leases
// (leasing.Service.TenantPropertiesTx).
func (a Audience) PropertiesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenantID realty.ID) ([]realty.ID, error) {
	return a.Leasing.TenantPropertiesTx(ctx, tx, actor, tenantID)
}

// units returns the scope's units: nil for a whole property (checked to
// exist), a building's units, or the one unit. Invalid naming building_id
// or unit_id for one not of the property.
func (a Audience) units(ctx context.Context, tx pgx.Tx, actor realty.Actor, s messaging.Scope) ([]realty.ID, error) {
	switch {
	case s.UnitID != nil:
		u, err := property.UnitTx(ctx, tx, actor, *s.UnitID)
		if err != nil || u.PropertyID != s.PropertyID {
			return nil, realty.FieldError("unit_id", "is not a unit of the property")
		}
		return []realty.ID{u.ID}, nil
	case s.BuildingID != nil:
		bs, err := a.Property.Buildings(ctx, actor, s.PropertyID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(bs, func(b property.Building) bool { return b.ID == *s.BuildingID }) {
			return nil, realty.FieldError("building_id", "is not a building of the property")
		}
		us, err := a.Property.Units(ctx, actor, s.PropertyID)
		ids := []realty.ID{}
		for _, u := range us {
			if u.BuildingID != nil && *u.BuildingID == *s.BuildingID {
				ids = append(ids, u.ID)
			}
		}
		return ids, err
	default:
		_, err := a.Property.Get(ctx, actor, s.PropertyID)
		return nil, err
	}
}
