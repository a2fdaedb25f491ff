package listing

import (
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
)

// filters turns a query's filters into WHERE clauses and named arguments,
// refusing values that could never match. The error names the parameter.
func filters(actor realty.Actor, q Query) ([]string, pgx.NamedArgs, error) {
	where := []string{scoped}
	args := pgx.NamedArgs{"org": actor.OrgID, "scope": actor.PropertyScope}
	add := func(clause, name string, v any) {
		where = append(where, clause)
		args[name] = v
	}
	if err := statusFilter(q.Statuses, add); err != nil {
		return nil, nil, err
	}
	if err := typeFilters(q, add); err != nil {
		return nil, nil, err
	}
	if q.MinPrice != nil {
		add("list_price >= @min_price", "min_price", *q.MinPrice)
	}
	if q.MaxPrice != nil {
		add("list_price <= @max_price", "max_price", *q.MaxPrice)
	}
	if q.MinBeds != nil {
		add("bedrooms_total >= @min_beds", "min_beds", *q.MinBeds)
	}
	if q.MinBaths != nil {
		add("bathrooms_total >= @min_baths", "min_baths", *q.MinBaths)
	}
	if q.MinArea != nil {
		add("living_area >= @min_area", "min_area", *q.MinArea)
	}
	if q.MaxArea != nil {
		add("living_area <= @max_area", "max_area", *q.MaxArea)
	}
	if q.City != "" {
		add("city_key = lower(@city)", "city", strings.TrimSpace(q.City))
	}
	if q.PostalCode != "" {
		add("postal_code = @postal", "postal", strings.TrimSpace(q.PostalCode))
	}
	if q.AgentID != nil {
		add("list_agent_id = @agent", "agent", *q.AgentID)
	}
	if q.ModifiedSince != nil {
		add("modification_timestamp >= @since", "since", *q.ModifiedSince)
	}
	if err := geoFilter(q, add, args); err != nil {
		return nil, nil, err
	}
	if err := textFilter(q.Q, add, args); err != nil {
		return nil, nil, err
	}
	return where, args, nil
}

type addFunc func(clause, name string, v any)

func statusFilter(statuses []string, add addFunc) error {
	for _, st := range statuses {
		if !slices.Contains(StandardStatuses, st) {
			return realty.FieldError("status", st+" is not a RESO StandardStatus: one of "+strings.Join(StandardStatuses, ", "))
		}
	}
	switch len(statuses) {
	case 0:
	case 1: // plain equality keeps index order for the sort
		add("standard_status = @status::listing.standard_status", "status", statuses[0])
	default:
		add("standard_status = ANY(@statuses::text[]::listing.standard_status[])", "statuses", statuses)
	}
	return nil
}

func typeFilters(q Query, add addFunc) error {
	switch q.ListType {
	case "":
	case "sale", "lease":
		add("list_type = @list_type", "list_type", q.ListType)
	default:
		return realty.FieldError("list_type", "must be sale or lease")
	}
	for _, t := range q.PropertyTypes {
		if !slices.Contains(PropertyTypes, t) {
			return realty.FieldError("property_type", t+" is not a RESO PropertyType: one of "+strings.Join(PropertyTypes, ", "))
		}
	}
	if len(q.PropertyTypes) > 0 {
		add("property_type = ANY(@types)", "types", q.PropertyTypes)
	}
	if q.SubType != "" {
		add("property_sub_type = @subtype", "subtype", q.SubType)
	}
	return nil
}

func geoFilter(q Query, add addFunc, args pgx.NamedArgs) error {
	if (q.Lat == nil) != (q.Lng == nil) {
		return realty.FieldError("lat", "lat and lng go together")
	}
	if q.Lat == nil {
		if q.RadiusKm != nil {
			return realty.FieldError("radius_km", "needs lat and lng")
		}
		return nil
	}
	switch {
	case *q.Lat < -90 || *q.Lat > 90:
		return realty.FieldError("lat", "must be between -90 and 90")
	case *q.Lng < -180 || *q.Lng > 180:
		return realty.FieldError("lng", "must be between -180 and 180")
	}
	args["lat"], args["lng"] = *q.Lat, *q.Lng
	if q.RadiusKm == nil {
		add("latitude IS NOT NULL", "geo", true)
		return nil
	}
	if *q.RadiusKm <= 0 || *q.RadiusKm > 500 {
		return realty.FieldError("radius_km", "must be more than 0 and at most 500")
	}
	add("latitude IS NOT NULL AND earth_box("+centreExpr+", @radius_m) @> "+pointExpr+
		" AND earth_distance("+centreExpr+", "+pointExpr+") <= @radius_m", "radius_m", *q.RadiusKm*1000)
	return nil
}

func textFilter(q string, add addFunc, args pgx.NamedArgs) error {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	if len(q) > 200 {
		return realty.FieldError("q", "must be at most 200 characters")
	}
	args["q"] = q
	add("(search_document @@ "+tsqueryExpr+" OR street_address ILIKE @q_like)", "q_like", "%"+escapeLike(q)+"%")
	return nil
}

// escapeLike makes s match itself in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
