package crm

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"crm.client_preferences_name_check":            {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 100 characters"},
		"crm.client_preferences_list_type_check":       {Kind: realty.Invalid, Field: "list_type", Message: "must be sale or lease"},
		"crm.client_preferences_price_min_check":       {Kind: realty.Invalid, Field: "price_min", Message: "must not be negative"},
		"crm.client_preferences_price_max_check":       {Kind: realty.Invalid, Field: "price_max", Message: "must be positive"},
		"crm.client_preferences_bedrooms_check":        {Kind: realty.Invalid, Field: "bedrooms_min", Message: "must be between 0 and 200"},
		"crm.client_preferences_bathrooms_check":       {Kind: realty.Invalid, Field: "bathrooms_min", Message: "must be between 0 and 200"},
		"crm.client_preferences_property_types_check":  {Kind: realty.Invalid, Field: "property_types", Message: "must be RESO PropertyType values"},
		"crm.client_preferences_centre_lat_check":      {Kind: realty.Invalid, Field: "centre_lat", Message: "must be between -90 and 90"},
		"crm.client_preferences_centre_lon_check":      {Kind: realty.Invalid, Field: "centre_lon", Message: "must be between -180 and 180"},
		"crm.client_preferences_radius_check":          {Kind: realty.Invalid, Field: "radius_km", Message: "must be more than 0 and at most 500"},
		"crm.client_preferences_cities_check":          {Kind: realty.Invalid, Field: "cities", Message: "at most 50 cities"},
		"crm.client_preferences_postal_codes_check":    {Kind: realty.Invalid, Field: "postal_codes", Message: "at most 50 postal codes"},
		"crm.client_preferences_living_area_min_check": {Kind: realty.Invalid, Field: "living_area_min", Message: "must be positive"},
		"crm.client_preferences_living_area_max_check": {Kind: realty.Invalid, Field: "living_area_max", Message: "must be positive"},
		"crm.client_preferences_features_check":        {Kind: realty.Invalid, Field: "features", Message: "at most 30 features"},
		"crm.client_preferences_keywords_check":        {Kind: realty.Invalid, Field: "keywords", Message: "at most 30 keywords"},
		"crm.client_preferences_extra_check":           {Kind: realty.Invalid, Field: "extra", Message: "must be an object of at most 8000 characters"},
		"crm.client_preferences_alert_frequency_check": {Kind: realty.Invalid, Field: "alert_frequency", Message: "must be instant, daily, weekly or never"},
		"crm.client_preferences_client_fkey":           {Kind: realty.Invalid, Field: "client_id", Message: "no such client"},
		"crm.client_preferences_price_check":           {Kind: realty.Invalid, Field: "price_min", Message: "must not exceed price_max"},
		"crm.client_preferences_living_area_check":     {Kind: realty.Invalid, Field: "living_area_min", Message: "must not exceed living_area_max"},
		"crm.client_preferences_centre_check":          {Kind: realty.Invalid, Field: "radius_km", Message: "a radius needs a centre (centre_lat, centre_lon) and a centre a radius"},
		"crm.property_matches_score_check":             {Kind: realty.Invalid, Field: "score", Message: "must be between 0 and 100"},
		"crm.property_matches_status_check":            {Kind: realty.Invalid, Field: "status", Message: "must be new, notified, viewed, interested or dismissed"},
	})
}

// Alert frequencies of a preference: each new match e-mailed at once, in a
// daily or weekly digest, or not at all.
var AlertFrequencies = []string{"instant", "daily", "weekly", "never"}

// ClientPreference is what a client is looking for: typed criteria the match
// engine scores listings against, and Extra for whatever else was said.
type ClientPreference struct {
	ID             realty.ID        `db:"id" json:"id"`
	ClientID       realty.ID        `db:"client_id" json:"client_id"`
	Name           string           `db:"name" json:"name"`
	ListType       string           `db:"list_type" json:"list_type" enum:"sale,lease"`
	PriceMin       *decimal.Decimal `db:"price_min" json:"price_min,omitempty"`
	PriceMax       *decimal.Decimal `db:"price_max" json:"price_max,omitempty"`
	BedroomsMin    *int             `db:"bedrooms_min" json:"bedrooms_min,omitempty"`
	BathroomsMin   *float64         `db:"bathrooms_min" json:"bathrooms_min,omitempty"`
	PropertyTypes  []string         `db:"property_types" json:"property_types"`
	CentreLat      *float64         `db:"centre_lat" json:"centre_lat,omitempty"`
	CentreLon      *float64         `db:"centre_lon" json:"centre_lon,omitempty"`
	RadiusKm       *float64         `db:"radius_km" json:"radius_km,omitempty"`
	Cities         []string         `db:"cities" json:"cities"`
	PostalCodes    []string         `db:"postal_codes" json:"postal_codes"`
	LivingAreaMin  *float64         `db:"living_area_min" json:"living_area_min,omitempty"`
	LivingAreaMax  *float64         `db:"living_area_max" json:"living_area_max,omitempty"`
	Features       []string         `db:"features" json:"features" doc:"must-haves"`
	Keywords       []string         `db:"keywords" json:"keywords" doc:"words looked for in the remarks and features"`
	Extra          map[string]any   `db:"extra" json:"extra" doc:"whatever else the client asked for, not matched"`
	Active         bool             `db:"active" json:"active"`
	AlertFrequency string           `db:"alert_frequency" json:"alert_frequency" enum:"instant,daily,weekly,never"`
	LastDigestAt   *time.Time       `db:"last_digest_at" json:"last_digest_at,omitempty"`
	BoxMinLat      *float64         `db:"box_min_lat" json:"-"`
	BoxMaxLat      *float64         `db:"box_max_lat" json:"-"`
	BoxMinLon      *float64         `db:"box_min_lon" json:"-"`
	BoxMaxLon      *float64         `db:"box_max_lon" json:"-"`
	CreatedAt      time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time        `db:"updated_at" json:"updated_at"`
}

const preferenceColumns = `p.id, p.client_id, p.name, p.list_type, p.price_min, p.price_max, p.bedrooms_min,
	p.bathrooms_min::float8 AS bathrooms_min, p.property_types, p.centre_lat::float8 AS centre_lat, p.centre_lon::float8 AS centre_lon,
	p.radius_km::float8 AS radius_km, p.cities, p.postal_codes, p.living_area_min::float8 AS living_area_min,
	p.living_area_max::float8 AS living_area_max, p.features, p.keywords, p.extra, p.active, p.alert_frequency, p.last_digest_at,
	p.box_min_lat, p.box_max_lat, p.box_min_lon, p.box_max_lon, p.created_at, p.updated_at`

// preferenceScope joins a preference to its client under clientScope.
const preferenceScope = `crm.client_preferences p JOIN crm.clients c ON c.organization_id = p.organization_id AND c.id = p.client_id
	WHERE p.organization_id = @org AND ` + clientScope

var errPreferenceNotFound = &realty.Error{Kind: realty.NotFound, Message: "preference not found"}

// PreferenceInput is a preference's criteria, all of them (a change
// replaces every one). Zero values: name "Saved search", list type sale,
// alert frequency instant, active.
type PreferenceInput struct {
	Name           string
	ListType       string
	PriceMin       *decimal.Decimal
	PriceMax       *decimal.Decimal
	BedroomsMin    *int
	BathroomsMin   *float64
	PropertyTypes  []string
	CentreLat      *float64
	CentreLon      *float64
	RadiusKm       *float64
	Cities         []string
	PostalCodes    []string
	LivingAreaMin  *float64
	LivingAreaMax  *float64
	Features       []string
	Keywords       []string
	Extra          map[string]any
	Active         *bool
	AlertFrequency string
}

// checkPreference fills defaults and returns Invalid naming the first bad
// field.
func checkPreference(in *PreferenceInput) error {
	if in.Name = strings.TrimSpace(in.Name); in.Name == "" {
		in.Name = "Saved search"
	}
	if in.ListType == "" {
		in.ListType = "sale"
	}
	if in.AlertFrequency == "" {
		in.AlertFrequency = "instant"
	}
	switch {
	case in.ListType != "sale" && in.ListType != "lease":
		return realty.FieldError("list_type", "must be sale or lease")
	case !slices.Contains(AlertFrequencies, in.AlertFrequency):
		return realty.FieldError("alert_frequency", "must be instant, daily, weekly or never")
	case in.PriceMin != nil && in.PriceMin.IsNegative():
		return realty.FieldError("price_min", "must not be negative")
	case in.PriceMax != nil && !in.PriceMax.IsPositive():
		return realty.FieldError("price_max", "must be positive")
	case in.PriceMin != nil && in.PriceMax != nil && in.PriceMin.GreaterThan(*in.PriceMax):
		return realty.FieldError("price_min", "must not exceed price_max")
	case in.BedroomsMin != nil && (*in.BedroomsMin < 0 || *in.BedroomsMin > 200):
		return realty.FieldError("bedrooms_min", "must be between 0 and 200")
	case in.BathroomsMin != nil && (*in.BathroomsMin < 0 || *in.BathroomsMin > 200):
		return realty.FieldError("bathrooms_min", "must be between 0 and 200")
	case in.LivingAreaMin != nil && *in.LivingAreaMin <= 0:
		return realty.FieldError("living_area_min", "must be positive")
	case in.LivingAreaMax != nil && *in.LivingAreaMax <= 0:
		return realty.FieldError("living_area_max", "must be positive")
	case in.LivingAreaMin != nil && in.LivingAreaMax != nil && *in.LivingAreaMin > *in.LivingAreaMax:
		return realty.FieldError("living_area_min", "must not exceed living_area_max")
	}
	for _, t := range in.PropertyTypes {
		if !slices.Contains(listing.PropertyTypes, t) {
			return realty.FieldError("property_types", t+" is not one of "+strings.Join(listing.PropertyTypes, ", "))
		}
	}
	if err := checkPlace(in); err != nil {
		return err
	}
	var err error
	for field, l := range map[string]*[]string{"cities": &in.Cities, "postal_codes": &in.PostalCodes, "features": &in.Features, "keywords": &in.Keywords} {
		if *l, err = cleanList(field, *l); err != nil {
			return err
		}
	}
	if in.Extra == nil {
		in.Extra = map[string]any{}
	}
	if b, _ := json.Marshal(in.Extra); len(b) > 8000 {
		return realty.FieldError("extra", "must be at most 8000 characters")
	}
	return nil
}

// checkPlace checks the location: a centre and a radius, or cities and
// postal codes, or nothing.
func checkPlace(in *PreferenceInput) error {
	centre := in.CentreLat != nil || in.CentreLon != nil
	switch {
	case in.RadiusKm != nil && (in.CentreLat == nil || in.CentreLon == nil):
		if in.CentreLat == nil {
			return realty.FieldError("centre_lat", "is required with radius_km")
		}
		return realty.FieldError("centre_lon", "is required with radius_km")
	case centre && in.RadiusKm == nil:
		return realty.FieldError("radius_km", "is required with a centre")
	case centre && (in.CentreLat == nil || in.CentreLon == nil):
		return realty.FieldError("centre_lon", "give both centre_lat and centre_lon")
	case in.CentreLat != nil && math.Abs(*in.CentreLat) > 90:
		return realty.FieldError("centre_lat", "must be between -90 and 90")
	case in.CentreLon != nil && math.Abs(*in.CentreLon) > 180:
		return realty.FieldError("centre_lon", "must be between -180 and 180")
	case in.RadiusKm != nil && (*in.RadiusKm <= 0 || *in.RadiusKm > 500):
		return realty.FieldError("radius_km", "must be more than 0 and at most 500")
	case centre && (len(in.Cities) > 0 || len(in.PostalCodes) > 0):
		return realty.FieldError("cities", "give a centre and radius, or cities and postal codes, not both")
	}
	return nil
}

// cleanList trims items, drops empty ones and repeats, and bounds them.
func cleanList(field string, l []string) ([]string, error) {
	out := []string{}
	for _, s := range l {
		s = strings.TrimSpace(s)
		if len(s) > 100 {
			return nil, realty.FieldError(field, "each must be at most 100 characters")
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) > 50 {
		return nil, realty.FieldError(field, "at most 50 items")
	}
	return out, nil
}

// preferenceArgs are the columns a create or change writes.
func preferenceArgs(actor realty.Actor, in PreferenceInput) pgx.NamedArgs {
	active := in.Active == nil || *in.Active
	keys := make([]string, len(in.Cities))
	for i, c := range in.Cities {
		keys[i] = strings.ToLower(c)
	}
	args := pgx.NamedArgs{"org": actor.OrgID, "name": in.Name, "list_type": in.ListType, "price_min": in.PriceMin,
		"price_max": in.PriceMax, "beds": in.BedroomsMin, "baths": in.BathroomsMin, "types": orEmptyList(in.PropertyTypes),
		"lat": in.CentreLat, "lon": in.CentreLon, "radius": in.RadiusKm, "cities": in.Cities, "city_keys": keys,
		"postals": in.PostalCodes, "area_min": in.LivingAreaMin, "area_max": in.LivingAreaMax, "features": in.Features,
		"keywords": in.Keywords, "extra": in.Extra, "active": active, "frequency": in.AlertFrequency,
		"box_min_lat": nil, "box_max_lat": nil, "box_min_lon": nil, "box_max_lon": nil}
	if in.RadiusKm != nil {
		b := boxAround(*in.CentreLat, *in.CentreLon, *in.RadiusKm*DistanceTolerance)
		args["box_min_lat"], args["box_max_lat"], args["box_min_lon"], args["box_max_lon"] = b.MinLat, b.MaxLat, b.MinLon, b.MaxLon
	}
	return args
}

func orEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// CreatePreference saves what a client is looking for, and queues its first
// matching against the organization's listings. Forbidden without
// client.write; NotFound for a client the actor does not see; Invalid
// naming the field (price_min above price_max, a radius without a centre,
// an unknown property type…).
func (s *Service) CreatePreference(ctx context.Context, actor realty.Actor, client realty.ID, in PreferenceInput) (ClientPreference, error) {
	if err := actor.Require("client.write"); err != nil {
		return ClientPreference{}, err
	}
	if err := checkPreference(&in); err != nil {
		return ClientPreference{}, err
	}
	var out ClientPreference
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := lockClient(ctx, tx, actor, client); err != nil {
			return err
		}
		args := preferenceArgs(actor, in)
		args["id"], args["client"], args["me"] = realty.NewID(), client, me(actor)
		rows, err := tx.Query(ctx, `INSERT INTO crm.client_preferences AS p (organization_id, id, client_id, name, list_type, price_min,
			price_max, bedrooms_min, bathrooms_min, property_types, centre_lat, centre_lon, radius_km, box_min_lat, box_max_lat,
			box_min_lon, box_max_lon, cities, city_keys, postal_codes, living_area_min, living_area_max, features, keywords, extra,
			active, alert_frequency, created_by)
			VALUES (@org, @id, @client, @name, @list_type, @price_min, @price_max, @beds, @baths, @types, @lat, @lon, @radius,
			@box_min_lat, @box_max_lat, @box_min_lon, @box_max_lon, @cities, @city_keys, @postals, @area_min, @area_max, @features,
			@keywords, @extra, @active, @frequency, @me) RETURNING `+preferenceColumns, args)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ClientPreference]); err != nil {
			return err
		}
		return s.queueRematch(ctx, tx, actor.OrgID, &out.ID)
	})
	return out, err
}

// UpdatePreference replaces a preference's criteria and queues its
// rematching. Errors as CreatePreference; NotFound for a preference the
// actor does not see.
func (s *Service) UpdatePreference(ctx context.Context, actor realty.Actor, id realty.ID, in PreferenceInput) (ClientPreference, error) {
	if err := actor.Require("client.write"); err != nil {
		return ClientPreference{}, err
	}
	if err := checkPreference(&in); err != nil {
		return ClientPreference{}, err
	}
	var out ClientPreference
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		args := preferenceArgs(actor, in)
		for k, v := range scopeArgs(actor) {
			args[k] = v
		}
		args["id"] = id
		rows, err := tx.Query(ctx, `UPDATE crm.client_preferences p SET name = @name, list_type = @list_type, price_min = @price_min,
			price_max = @price_max, bedrooms_min = @beds, bathrooms_min = @baths, property_types = @types, centre_lat = @lat,
			centre_lon = @lon, radius_km = @radius, box_min_lat = @box_min_lat, box_max_lat = @box_max_lat, box_min_lon = @box_min_lon,
			box_max_lon = @box_max_lon, cities = @cities, city_keys = @city_keys, postal_codes = @postals, living_area_min = @area_min,
			living_area_max = @area_max, features = @features, keywords = @keywords, extra = @extra, active = @active,
			alert_frequency = @frequency, updated_at = now()
			FROM crm.clients c WHERE c.organization_id = p.organization_id AND c.id = p.client_id AND p.organization_id = @org
			AND p.id = @id AND `+clientScope+` RETURNING `+preferenceColumns, args)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ClientPreference])
		if err == pgx.ErrNoRows {
			return errPreferenceNotFound
		}
		if err != nil {
			return err
		}
		return s.queueRematch(ctx, tx, actor.OrgID, &out.ID)
	})
	return out, err
}

// ClientPreference returns one preference. Forbidden without client.read;
// NotFound for one the actor does not see.
func (s *Service) ClientPreference(ctx context.Context, actor realty.Actor, id realty.ID) (ClientPreference, error) {
	if err := actor.Require("client.read"); err != nil {
		return ClientPreference{}, err
	}
	args := scopeArgs(actor)
	args["id"] = id
	items, err := postgres.ReadAll[ClientPreference](ctx, s.pool, actor, `SELECT `+preferenceColumns+` FROM `+preferenceScope+` AND p.id = @id`,
		pgx.NamedArgs(args))
	if err != nil {
		return ClientPreference{}, err
	}
	if len(items) == 0 {
		return ClientPreference{}, errPreferenceNotFound
	}
	return items[0], nil
}

// Preferences returns a client's preferences, oldest first. Forbidden
// without client.read; NotFound as Get.
func (s *Service) Preferences(ctx context.Context, actor realty.Actor, client realty.ID) ([]ClientPreference, error) {
	if _, err := s.Get(ctx, actor, client); err != nil {
		return nil, err
	}
	items, err := postgres.ReadAll[ClientPreference](ctx, s.pool, actor, `SELECT `+preferenceColumns+` FROM crm.client_preferences p
		WHERE p.organization_id = $1 AND p.client_id = $2 ORDER BY p.created_at, p.id`, actor.OrgID, client)
	if items == nil {
		items = []ClientPreference{}
	}
	return items, err
}

// DeletePreference removes a preference and its matches. Forbidden without
// client.write; NotFound for one the actor does not see.
func (s *Service) DeletePreference(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("client.write"); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		args := scopeArgs(actor)
		args["id"] = id
		tag, err := tx.Exec(ctx, `DELETE FROM crm.client_preferences p USING crm.clients c
			WHERE c.organization_id = p.organization_id AND c.id = p.client_id AND p.organization_id = @org AND p.id = @id AND `+clientScope,
			pgx.NamedArgs(args))
		if err == nil && tag.RowsAffected() == 0 {
			return errPreferenceNotFound
		}
		return err
	})
}
