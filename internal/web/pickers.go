package web

import (
	"context"

	"realty"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// maxPicked bounds the choices a form's picker loads (ten pages of
// properties); past it a form lists the first by name.
const maxPicked = 1000

// pickProperties is the properties a form offers, by name: every page of
// property.Service.List up to maxPicked, none when the actor may not read
// properties (the form then offers only "none").
func (s *site) pickProperties(ctx context.Context, actor realty.Actor) ([]property.Property, error) {
	if !actor.Can("property.read") {
		return nil, nil
	}
	var out []property.Property
	f := property.Filter{Limit: 100}
	for len(out) < maxPicked {
		page, err := s.Services.Property.List(ctx, actor, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	return out, nil
}

// pickVendors is the active vendors a bill form offers, by name
// (maintenance.Service.Vendors); nil when the actor may not read them,
// and the form asks for the vendor's id instead.
func (s *site) pickVendors(ctx context.Context, actor realty.Actor) ([]maintenance.Vendor, error) {
	if !actor.Can("maintenance.read") {
		return nil, nil
	}
	return s.Services.Maintenance.Vendors(ctx, actor, maintenance.VendorFilter{ActiveOnly: true})
}
