package org_test

import (
	"context"
	"slices"
	"testing"

	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestFixtureOrg(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	if len(o.Personas) != len(fixturetest.AllRoles()) {
		t.Fatalf("%d personas", len(o.Personas))
	}
	owner := o.Personas["owner"].Actor
	if owner.OrgID != o.Organization.ID || !owner.Can("role.write") || !owner.Can("audit.read") {
		t.Fatalf("owner actor %+v", owner)
	}
	if a := o.Personas["agent"].Actor; a.Can("member.write") || !a.Can("member.read") {
		t.Fatalf("agent actor %+v", a)
	}
	if r := o.Personas["resident"].Actor; len(r.Permissions) != 0 || r.MemberID.IsZero() {
		t.Fatalf("resident actor %+v", r)
	}
	ro := o.Personas["read_only"].Actor
	for _, p := range ro.Permissions {
		if p[len(p)-5:] != ".read" {
			t.Fatalf("read_only holds %s", p)
		}
	}
	members, err := env.Org.Members(context.Background(), owner)
	if err != nil || len(members) != len(fixturetest.AllRoles()) {
		t.Fatalf("members %d %v", len(members), err)
	}
	if !slices.Contains(members[0].Roles, members[0].Roles[0]) {
		t.Fatal("roles not listed")
	}
}
