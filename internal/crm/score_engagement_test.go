package crm_test

import (
	"context"
	"testing"
	"time"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
)

// TestScoreAppointmentSignals: a kept appointment raises the score by the
// documented points, a missed one lowers it, an upcoming one raises it.
func TestScoreAppointmentSignals(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	svc, clk := clocked(env)
	c := mustClient(t, env, broker, crm.Input{FirstName: "Appt", Email: "appt@example.com"})
	prev := *rescore(t, svc, broker, c.ID).Score
	book := func(title string, at time.Time, status string) {
		t.Helper()
		in := slot(title, at, time.Hour)
		in.ClientID = &c.ID
		a, err := svc.Book(ctx, broker, in)
		if err != nil {
			t.Fatal(err)
		}
		if status != "" {
			if _, err := svc.SetAppointmentStatus(ctx, broker, a.ID, status, "", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := []struct {
		title  string
		at     time.Duration
		status string
		code   string
		points int
		delta  int
	}{
		{"Kept", -10 * 24 * time.Hour, "completed", "appointments_kept", 5, 5},
		{"Kept again", -9 * 24 * time.Hour, "completed", "appointments_kept", 10, 5},
		{"Missed", -5 * 24 * time.Hour, "no_show", "appointments_missed", -5, -5},
		{"Coming", 2 * 24 * time.Hour, "", "appointment_upcoming", 10, 10},
	}
	for _, st := range steps {
		book(st.title, clk.now().Add(st.at), st.status)
		s := rescore(t, svc, broker, c.ID)
		checkSum(t, s)
		if !has(s, st.code, st.points) {
			t.Fatalf("after %s: %+v, want %s %d", st.title, s.Reasons, st.code, st.points)
		}
		if *s.Score != prev+st.delta {
			t.Fatalf("after %s the score went from %d to %d", st.title, prev, *s.Score)
		}
		prev = *s.Score
	}
	book("Long ago", clk.now().Add(-120*24*time.Hour), "no_show")
	if s := rescore(t, svc, broker, c.ID); !has(s, "appointments_missed", -5) {
		t.Fatalf("a no-show 120 days ago counted: %+v", s.Reasons)
	}
	clk.advance(100 * 24 * time.Hour)
	s := rescore(t, svc, broker, c.ID)
	for _, code := range []string{"appointments_kept", "appointments_missed", "appointment_upcoming"} {
		if _, ok := reasonPoints(s, code); ok {
			t.Fatalf("100 days later %s still counts: %+v", code, s.Reasons)
		}
	}
}

// TestScoreMatchSignals: matches the client viewed or marked interesting
// raise the score by the documented points; dismissing five costs 5.
func TestScoreMatchSignals(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	owner := acme.Personas["owner"].Actor
	svc, _ := clocked(env)
	for range 5 {
		l := tListing{listType: "sale", status: "Active", ptype: "Residential", city: "Springfield", zip: "10000", price: 400_000,
			lat: 40.1, lon: -74.9, features: []string{"pool"}, remarks: "sunny"}
		createListing(t, env, owner, &l)
	}
	_, p, c := onePair(t, env, owner, "never", crm.Input{FirstName: "Mia", Email: "mia@example.com"})
	if _, _, err := svc.RematchPreference(ctx, acme.Organization.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	page, err := svc.Matches(ctx, owner, c.ID, crm.MatchFilter{})
	if err != nil || len(page.Items) != 6 {
		t.Fatalf("%d matches (%v), want 6", len(page.Items), err)
	}
	m := page.Items
	prev := *rescore(t, svc, owner, c.ID).Score
	steps := []struct {
		match  realty.ID
		status string
		code   string
		points int
		delta  int
	}{
		{m[0].ID, "viewed", "matches_viewed", 2, 2},
		{m[1].ID, "viewed", "matches_viewed", 4, 2},
		{m[1].ID, "interested", "matches_interested", 8, 6},
		{m[2].ID, "dismissed", "matches_interested", 8, 0},
		{m[3].ID, "dismissed", "", 0, 0},
		{m[4].ID, "dismissed", "", 0, 0},
		{m[5].ID, "dismissed", "", 0, 0},
		{m[0].ID, "dismissed", "matches_dismissed", -5, -7},
	}
	for i, st := range steps {
		if _, err := svc.SetMatchStatus(ctx, owner, st.match, st.status); err != nil {
			t.Fatal(err)
		}
		s := rescore(t, svc, owner, c.ID)
		checkSum(t, s)
		if st.code != "" && !has(s, st.code, st.points) {
			t.Fatalf("step %d (%s): %+v, want %s %d", i, st.status, s.Reasons, st.code, st.points)
		}
		if *s.Score != prev+st.delta {
			t.Fatalf("step %d (%s): score %d → %d, want %+d; %+v", i, st.status, prev, *s.Score, st.delta, s.Reasons)
		}
		prev = *s.Score
	}
}

// TestScoreJobAfterNoShow: marking an appointment no_show enqueues the
// client's rescore in the same transaction, and the job lowers the score.
func TestScoreJobAfterNoShow(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	agent := acme.Personas["agent"].Actor
	c := mustClient(t, env, agent, crm.Input{FirstName: "Nico", Email: "nico@example.com"})
	in := slot("Showing", time.Now().Add(-2*time.Hour), time.Hour)
	in.ClientID = &c.ID
	a, err := env.CRM.Book(ctx, agent, in)
	if err != nil {
		t.Fatal(err)
	}
	startWorkers(t, env)
	first := waitScore(t, env.CRM, agent, c.ID, func(s crm.Score) bool { return s.Score != nil })
	if _, err := env.CRM.SetAppointmentStatus(ctx, agent, a.ID, "no_show", "", nil); err != nil {
		t.Fatal(err)
	}
	s := waitScore(t, env.CRM, agent, c.ID, func(s crm.Score) bool { return has(s, "appointments_missed", -5) })
	if *s.Score >= *first.Score && *first.Score > 0 {
		t.Fatalf("no-show: %d → %d", *first.Score, *s.Score)
	}
}
