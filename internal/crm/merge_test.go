package crm_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
)

// TestMerge: the duplicates' interactions, tasks and stage history end on
// the survivor, which takes the contact data it lacked; the duplicates are
// gone from reads and lists.
func TestMerge(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	survivor := mustClient(t, env, broker, crm.Input{FirstName: "Dana", Tags: []string{"buyer"}})
	dup := mustClient(t, env, broker, crm.Input{FirstName: "Dana", LastName: "Ray", Email: "dana@example.com", Tags: []string{"vip"}})
	dup2 := mustClient(t, env, broker, crm.Input{FirstName: "D.", Phone: "+14155550100"})
	for _, c := range []realty.ID{survivor.ID, dup.ID, dup2.ID} {
		if _, err := env.CRM.LogInteraction(ctx, broker, c, crm.InteractionInput{Type: "call"}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.CRM.CreateTask(ctx, broker, crm.TaskInput{Title: "Call back", ClientID: &c}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := env.CRM.ChangeStage(ctx, broker, dup.ID, "prospect", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.Merge(ctx, broker, survivor.ID, []realty.ID{dup.ID, realty.NewID()}); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("merge with an unknown duplicate: %v, want NotFound", err)
	}
	if n := timelineLen(t, env, broker, dup.ID); n != 4 {
		t.Fatalf("a failed merge moved rows: the duplicate's timeline has %d entries", n)
	}
	if _, err := env.CRM.Merge(ctx, broker, survivor.ID, []realty.ID{survivor.ID}); realty.FieldsOf(err)["duplicate_ids"] == "" {
		t.Errorf("merge into itself: %v", err)
	}
	if _, err := env.CRM.Merge(ctx, acme.Personas["agent"].Actor, survivor.ID, []realty.ID{dup.ID}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("agent merges: %v", err)
	}
	res, err := env.CRM.Merge(ctx, broker, survivor.ID, []realty.ID{dup.ID, dup2.ID})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Survivor
	if s.Email == nil || *s.Email != "dana@example.com" || s.Phone == nil || *s.Phone != "+14155550100" ||
		!slices.Equal(s.Tags, []string{"buyer", "vip"}) || s.LastContactedAt == nil {
		t.Errorf("survivor after merge: %+v", s)
	}
	// 3 interactions, 3 tasks, 4 stage entries (three creations, one change).
	if n := timelineLen(t, env, broker, survivor.ID); n != 10 {
		t.Errorf("survivor's timeline has %d entries, want 10", n)
	}
	for _, d := range []realty.ID{dup.ID, dup2.ID} {
		if _, err := env.CRM.Get(ctx, broker, d); realty.KindOf(err) != realty.NotFound {
			t.Errorf("merged duplicate still reads: %v", err)
		}
	}
	if p, _ := env.CRM.List(ctx, broker, crm.Filter{}); len(p.Items) != 1 {
		t.Errorf("list after merge: %d clients", len(p.Items))
	}
	if p, _ := env.CRM.Tasks(ctx, broker, crm.TaskFilter{ClientID: &survivor.ID}); len(p.Items) != 3 {
		t.Errorf("survivor's tasks: %d", len(p.Items))
	}
}

func timelineLen(t *testing.T, env fixturetest.Env, actor realty.Actor, id realty.ID) int {
	t.Helper()
	tl, err := env.CRM.Timeline(context.Background(), actor, id, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(tl.Items)
}

// TestMergeMovesEveryClientTable: every table of the crm schema with a
// client_id column is in the list Merge moves.
func TestMergeMovesEveryClientTable(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	var tables []string
	err := postgres.Read(context.Background(), env.Pool, realty.Actor{}, func(rows pgx.Rows) error {
		var err error
		tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}, `SELECT table_schema || '.' || table_name FROM information_schema.columns
		WHERE table_schema = 'crm' AND column_name = 'client_id' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	moved := slices.Sorted(slices.Values(crm.ClientOwned))
	if !slices.Equal(tables, moved) {
		t.Errorf("tables with client_id %v, merge moves %v", tables, moved)
	}
}

// TestRoundRobinSkipsLeavers: a pool member who has left the organization
// is passed over; with every pool member gone, a lead is dealt to no one.
func TestRoundRobinSkipsLeavers(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	owner := acme.Personas["owner"].Actor
	stays, leaves := acme.Personas["agent"].MemberID, extraAgent(t, env, acme).MemberID
	if _, err := env.CRM.SetSettings(ctx, owner, crm.Settings{PoolMembers: []realty.ID{leaves, stays}}); err != nil {
		t.Fatal(err)
	}
	if err := env.Org.RemoveMember(ctx, owner, leaves); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		c, err := env.CRM.CaptureLead(ctx, owner, crm.Input{FirstName: fmt.Sprintf("Lead %d", i)})
		if err != nil || c.AssignedAgentID == nil || *c.AssignedAgentID != stays {
			t.Fatalf("lead %d: %v %v, want the agent who stayed", i, c.AssignedAgentID, err)
		}
	}
	if err := env.Org.RemoveMember(ctx, owner, stays); err != nil {
		t.Fatal(err)
	}
	if c, err := env.CRM.CaptureLead(ctx, owner, crm.Input{FirstName: "Nobody's"}); err != nil || c.AssignedAgentID != nil {
		t.Fatalf("with the whole pool gone: %v %v, want unassigned", c.AssignedAgentID, err)
	}
}

// TestRoundRobin: leads without an assignee are dealt to the pool's agents
// in turn, and concurrent leads never take the same turn.
func TestRoundRobin(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	owner := acme.Personas["owner"].Actor
	agents := []realty.ID{acme.Personas["agent"].MemberID, extraAgent(t, env, acme).MemberID, extraAgent(t, env, acme).MemberID}
	if _, err := env.CRM.SetSettings(ctx, owner, crm.Settings{PoolMembers: agents}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		c, err := env.CRM.CaptureLead(ctx, owner, crm.Input{FirstName: "Seq"})
		if err != nil || c.AssignedAgentID == nil || *c.AssignedAgentID != agents[i%3] || c.Source != "website" {
			t.Fatalf("lead %d: %+v %v, want agent %d", i, c.AssignedAgentID, err, i%3)
		}
	}
	const n = 30
	var wg sync.WaitGroup
	got := make([]realty.ID, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := env.CRM.CaptureLead(ctx, realty.System(acme.Organization.ID), crm.Input{FirstName: "Concurrent"})
			errs[i] = err
			if err == nil && c.AssignedAgentID != nil {
				got[i] = *c.AssignedAgentID
			}
		}()
	}
	wg.Wait()
	count := map[realty.ID]int{}
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		count[got[i]]++
	}
	for _, a := range agents {
		if count[a] != n/3 {
			t.Errorf("agent %s got %d of %d concurrent leads, want %d (%v)", a, count[a], n, n/3, count)
		}
	}
	// Created by the agent themselves: theirs, not the pool's.
	c := mustClient(t, env, acme.Personas["agent"].Actor, crm.Input{FirstName: "Own"})
	if *c.AssignedAgentID != agents[0] {
		t.Errorf("agent's own client went to %v", c.AssignedAgentID)
	}
}
