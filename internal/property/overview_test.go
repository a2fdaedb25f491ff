package property_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/property"
)

// portfolio makes a property with units of the given statuses (and one
// building when building is set) as the organization's property manager.
func portfolio(t *testing.T, env fixturetest.Env, o fixture.Org, street string, building bool, statuses ...string) property.Property {
	t.Helper()
	ctx := context.Background()
	pm := o.Personas["property_manager"].Actor
	p, err := env.Property.Create(ctx, pm, property.Input{AddressLine1: street, City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	if building {
		if _, err := env.Property.CreateBuilding(ctx, pm, p.ID, property.BuildingInput{Name: "Main"}); err != nil {
			t.Fatal(err)
		}
	}
	for i, st := range statuses {
		if _, err := env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: string(rune('A' + i)), Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestOverview counts the properties, buildings and units an actor can
// see — never another organization's, never a deleted property's, only
// those in the actor's property scope — and lists the vacant units.
func TestOverview(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	ctx := context.Background()
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	tower := portfolio(t, env, acme, "1 Tower Road", true, "vacant", "occupied", "occupied")
	portfolio(t, env, acme, "2 Garden Lane", false, "maintenance")
	gone := portfolio(t, env, acme, "3 Gone Street", true, "vacant")
	if err := env.Listing.DeleteProperty(ctx, acme.Personas["property_manager"].Actor, gone.ID); err != nil {
		t.Fatal(err)
	}
	portfolio(t, env, globex, "9 Foreign Road", true, "vacant", "vacant", "unavailable")

	type summary struct {
		Properties, Buildings, Units int
		ByStatus                     []property.StatusCount
		Vacant                       []string
	}
	for name, c := range map[string]struct {
		actor realty.Actor
		want  summary
	}{
		"OKOrganization": {acme.Personas["maintenance"].Actor, summary{2, 1, 4,
			[]property.StatusCount{{"vacant", 1}, {"occupied", 2}, {"maintenance", 1}, {"unavailable", 0}}, []string{"1 Tower Road A"}}},
		"OKOtherOrganization": {globex.Personas["property_manager"].Actor, summary{1, 1, 3,
			[]property.StatusCount{{"vacant", 2}, {"occupied", 0}, {"maintenance", 0}, {"unavailable", 1}}, []string{"9 Foreign Road A", "9 Foreign Road B"}}},
		"OKPropertyScope": {scoped(acme.Personas["property_manager"].Actor, tower.ID), summary{1, 1, 3,
			[]property.StatusCount{{"vacant", 1}, {"occupied", 2}, {"maintenance", 0}, {"unavailable", 0}}, []string{"1 Tower Road A"}}},
	} {
		t.Run(name, func(t *testing.T) {
			o, err := env.Property.Overview(ctx, c.actor)
			if err != nil {
				t.Fatal(err)
			}
			got := summary{o.Properties, o.Buildings, o.Units, o.UnitsByStatus, nil}
			for _, v := range o.Vacant {
				got.Vacant = append(got.Vacant, v.PropertyName+" "+v.UnitNumber)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("overview (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("ErrWithoutPropertyRead", func(t *testing.T) {
		if _, err := env.Property.Overview(ctx, acme.Personas["resident"].Actor); realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("resident: %v, want Forbidden", err)
		}
	})
}

func scoped(a realty.Actor, ids ...realty.ID) realty.Actor {
	a.PropertyScope = ids
	return a
}
