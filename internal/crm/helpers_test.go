package crm_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/postgres/pgtest"

	"github.com/shopspring/decimal"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var seq atomic.Int64

// extraAgent adds another agent to o and returns their actor.
func extraAgent(t *testing.T, env fixturetest.Env, o fixture.Org) realty.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := env.Identity.CreateUser(ctx, identity.NewUser{Email: fmt.Sprintf("agent%d@%s.example", seq.Add(1), o.Organization.Slug),
		Password: fixturetest.Password})
	if err != nil {
		t.Fatal(err)
	}
	m, err := env.Org.AddMember(ctx, realty.System(o.Organization.ID), u.ID, "agent", "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.Org.MemberActor(ctx, o.Organization.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustClient(t *testing.T, env fixturetest.Env, actor realty.Actor, in crm.Input) crm.Client {
	t.Helper()
	c, err := env.CRM.Create(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("create %+v: %v", in, err)
	}
	return c
}

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func orgPatchZone(zone string) org.OrganizationPatch { return org.OrganizationPatch{TimeZone: &zone} }
