package org_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/property"

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
	// A resident holds only their own tenancy and its maintenance requests,
	// and is fenced to it.
	if r := o.Personas["resident"].Actor; len(r.Permissions) != 2 || !r.Can("tenancy.own") || !r.Can("maintenance.request") ||
		!r.Resident || r.MemberID.IsZero() {
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

func TestInvitations(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	other := env.Organization(t, "globex")
	ctx := context.Background()
	owner := o.Personas["owner"].Actor
	agentRole := roleID(t, env, owner, "agent")
	t.Run("OKNewAccount", func(t *testing.T) {
		_, token, err := env.Org.Invite(ctx, owner, org.NewInvitation{Email: "newbie@example.com", RoleID: agentRole})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := env.Org.AcceptInvitation(ctx, org.Acceptance{Token: token}); realty.FieldsOf(err)["password"] == "" {
			t.Fatalf("accepted without a password for a new account: %v", err)
		}
		got, u, err := env.Org.AcceptInvitation(ctx, org.Acceptance{Token: token, Password: fixturetest.Password, FirstName: "New"})
		if err != nil || got.ID != o.Organization.ID || u.Email != "newbie@example.com" {
			t.Fatalf("accept: %+v %+v %v", got, u, err)
		}
		a, err := env.Org.ActorFor(ctx, o.Organization.ID, u.ID)
		if err != nil || !a.Can("member.read") || a.Can("member.write") {
			t.Fatalf("invitee actor %+v %v", a, err)
		}
		if _, _, err := env.Org.AcceptInvitation(ctx, org.Acceptance{Token: token, Password: fixturetest.Password}); realty.KindOf(err) != realty.NotFound {
			t.Fatalf("invitation accepted twice: %v", err)
		}
	})
	t.Run("OKExistingAccount", func(t *testing.T) {
		globexAgent := other.Personas["agent"]
		_, token, err := env.Org.Invite(ctx, owner, org.NewInvitation{Email: globexAgent.Email, RoleID: agentRole})
		if err != nil {
			t.Fatal(err)
		}
		someoneElse := o.Personas["client"].User.ID
		if _, _, err := env.Org.AcceptInvitation(ctx, org.Acceptance{Token: token, SignedIn: &someoneElse}); realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("someone else accepted: %v", err)
		}
		if _, _, err := env.Org.AcceptInvitation(ctx, org.Acceptance{Token: token, SignedIn: &globexAgent.User.ID}); err != nil {
			t.Fatal(err)
		}
		ms, err := env.Org.Memberships(ctx, globexAgent.User.ID)
		if err != nil || len(ms) != 2 {
			t.Fatalf("user now in %d organizations (%v)", len(ms), err)
		}
	})
	t.Run("ErrNoWiderThanInviter", func(t *testing.T) {
		broker := o.Personas["broker"].Actor
		_, _, err := env.Org.Invite(ctx, broker, org.NewInvitation{Email: "boss@example.com", RoleID: roleID(t, env, owner, "owner")})
		if realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("broker invited an owner: %v", err)
		}
		_, _, err = env.Org.Invite(ctx, broker, org.NewInvitation{Email: "adm@example.com", RoleID: roleID(t, env, owner, "admin")})
		if realty.FieldsOf(err)["role_id"] == "" {
			t.Fatalf("broker granted permissions they lack: %v", err)
		}
	})
	t.Run("ErrTamperedToken", func(t *testing.T) {
		_, token, err := env.Org.Invite(ctx, owner, org.NewInvitation{Email: "x@example.com", RoleID: agentRole})
		if err != nil {
			t.Fatal(err)
		}
		forged := "inv_" + strings.ReplaceAll(other.Organization.ID.String(), "-", "") + token[strings.LastIndexByte(token, '_'):]
		if _, _, err := env.Org.AcceptInvitation(ctx, org.Acceptance{Token: forged, Password: fixturetest.Password}); realty.KindOf(err) != realty.NotFound {
			t.Fatalf("token moved to another organization: %v", err)
		}
	})
}

func roleID(t *testing.T, env fixturetest.Env, actor realty.Actor, key string) realty.ID {
	t.Helper()
	roles, err := env.Org.Roles(context.Background(), actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		if r.Key == key {
			return r.ID
		}
	}
	t.Fatalf("no role %s", key)
	return realty.ID{}
}

func TestOwners(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	ctx := context.Background()
	owner, admin := o.Personas["owner"], o.Personas["admin"]
	if err := env.Org.RemoveMember(ctx, admin.Actor, owner.MemberID); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("admin removed the owner: %v", err)
	}
	if err := env.Org.RemoveMember(ctx, owner.Actor, owner.MemberID); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("the last owner left: %v", err)
	}
	as, err := env.Org.Assignments(ctx, owner.Actor, &owner.MemberID)
	if err != nil || len(as) != 1 {
		t.Fatalf("owner assignments %v %v", as, err)
	}
	if err := env.Org.Unassign(ctx, owner.Actor, as[0].ID); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("the last owner role was withdrawn: %v", err)
	}
	if _, err := env.Org.Assign(ctx, admin.Actor, org.NewAssignment{MemberID: admin.MemberID, RoleID: as[0].RoleID}); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("admin made themselves owner: %v", err)
	}
}

func TestPropertyScopeAndMFAPolicy(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	ctx := context.Background()
	owner := o.Personas["owner"].Actor
	pm := o.Personas["property_manager"]
	scope, err := env.Property.Create(ctx, owner, property.Input{AddressLine1: "1 Scope Street", City: "Springfield"})
	if err != nil {
		t.Fatal(err)
	}
	as, err := env.Org.Assignments(ctx, owner, &pm.MemberID)
	if err != nil || len(as) != 1 {
		t.Fatal(as, err)
	}
	if err := env.Org.Unassign(ctx, owner, as[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Org.Assign(ctx, owner, org.NewAssignment{MemberID: pm.MemberID, RoleID: as[0].RoleID, PropertyID: &scope.ID}); err != nil {
		t.Fatal(err)
	}
	a, err := env.Org.ActorFor(ctx, o.Organization.ID, pm.User.ID)
	if err != nil || !a.InScope(scope.ID) || a.InScope(realty.NewID()) || !a.Can("member.invite") {
		t.Fatalf("property-scoped actor %+v %v", a, err)
	}
	roles := []string{"broker"}
	if _, err := env.Org.UpdateOrganization(ctx, owner, org.OrganizationPatch{MFARequiredRoles: &roles}); err != nil {
		t.Fatal(err)
	}
	p, err := env.Org.Authenticate(ctx, signIn(t, env, o.Personas["broker"].Email), identity.Client{})
	if err != nil || !p.MFASetupRequired || len(p.Actor.Permissions) != 0 {
		t.Fatalf("broker without MFA under an MFA policy: %+v %v", p, err)
	}
	bad := []string{"nope"}
	if _, err := env.Org.UpdateOrganization(ctx, owner, org.OrganizationPatch{MFARequiredRoles: &bad}); realty.FieldsOf(err)["mfa_required_roles"] == "" {
		t.Fatalf("unknown role accepted in the MFA policy: %v", err)
	}
}

func signIn(t *testing.T, env fixturetest.Env, email string) string {
	t.Helper()
	res, err := env.Org.Login(context.Background(), org.LoginInput{Email: email, Password: fixturetest.Password, Kind: identity.KindAPI})
	if err != nil {
		t.Fatal(err)
	}
	return res.Tokens.Token
}

// TestSessionAfterMembershipEnds: a session names its organization without
// a foreign key, so the membership is checked when the session is used: a
// session left unrevoked after its membership ended acts in no organization.
func TestSessionAfterMembershipEnds(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	ctx := context.Background()
	agent := o.Personas["agent"]
	token := signIn(t, env, agent.Email)
	p, err := env.Org.Authenticate(ctx, token, identity.Client{})
	if err != nil || p.Actor.OrgID != o.Organization.ID {
		t.Fatalf("member's session: %+v %v", p.Actor, err)
	}
	admin, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// Around the service, which would also revoke the session.
	if _, err := admin.Exec(ctx, `SELECT set_config('app.org_id', $1, false)`, o.Organization.ID.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `UPDATE org.members SET status = 'inactive' WHERE organization_id = $1 AND id = $2`,
		o.Organization.ID, agent.MemberID); err != nil {
		t.Fatal(err)
	}
	p, err = env.Org.Authenticate(ctx, token, identity.Client{})
	if err != nil || !p.Actor.OrgID.IsZero() || len(p.Actor.Permissions) != 0 {
		t.Fatalf("a session whose membership ended still acts in the organization: %+v %v", p.Actor, err)
	}
}
