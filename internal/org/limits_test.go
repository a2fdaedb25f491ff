package org_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/org"
)

func newUser(t *testing.T, env fixturetest.Env, email string) identity.User {
	t.Helper()
	u, err := env.Identity.CreateUser(context.Background(), identity.NewUser{Email: email, Password: fixturetest.Password})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestMemberLimit: with max_users reached, adding a member and accepting an
// invitation are a Conflict naming max_users and the count, and write
// nothing (no account for the invitee); a member already active does not
// take a second seat; concurrent additions at the limit let exactly the
// free seats through.
func TestMemberLimit(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	ctx := context.Background()
	owner := o.Personas["owner"].Actor
	members, err := env.Org.Members(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	seats := len(members) + 3
	env.SetPlanLimit(t, o.Organization.ID, org.LimitUsers, seats)
	var wg sync.WaitGroup
	start := make(chan struct{}) // all at once: the race the lock must win
	errs := make([]error, 8)
	for i := range errs {
		u := newUser(t, env, fmt.Sprintf("rush%d@example.com", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = env.Org.AddMember(ctx, owner, u.ID, "agent", "")
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !org.IsPlanLimit(err) || realty.KindOf(err) != realty.Conflict:
			t.Fatalf("past the limit: %v, want a plan-limit Conflict", err)
		case !strings.Contains(realty.MessageOf(err), fmt.Sprintf("allows %d members (max_users) and it has %d", seats, seats)):
			t.Errorf("message %q does not name the limit and the count", realty.MessageOf(err))
		}
	}
	if ok != 3 {
		t.Fatalf("%d of 8 concurrent additions went through, want the 3 free seats", ok)
	}
	// An active member added again takes no new seat.
	if _, err := env.Org.AddMember(ctx, owner, o.Personas["agent"].User.ID, "agent", ""); org.IsPlanLimit(err) {
		t.Errorf("re-adding an active member: %v", err)
	}
	roles, err := env.Org.Roles(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	var agentRole realty.ID
	for _, r := range roles {
		if r.Key == "agent" {
			agentRole = r.ID
		}
	}
	_, token, err := env.Org.Invite(ctx, owner, org.NewInvitation{Email: "late@example.com", RoleID: agentRole})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Org.AcceptInvitation(ctx, org.Acceptance{Token: token, Password: fixturetest.Password}); !org.IsPlanLimit(err) {
		t.Fatalf("accepting past the limit: %v, want a plan-limit Conflict", err)
	}
	if _, err := env.Identity.UserByEmail(ctx, "late@example.com"); realty.KindOf(err) != realty.NotFound {
		t.Errorf("the refused invitee's account was kept: %v", err)
	}
	env.SetPlanLimit(t, o.Organization.ID, org.LimitUsers, seats+1)
	if _, _, err := env.Org.AcceptInvitation(ctx, org.Acceptance{Token: token, Password: fixturetest.Password}); err != nil {
		t.Fatalf("accepting with a free seat: %v", err)
	}
}
