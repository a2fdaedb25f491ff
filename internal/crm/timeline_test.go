package crm_test

import (
	"context"
	"testing"
	"time"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
)

// TestTimelinePages: interactions, tasks and stage changes merge newest
// first, and paging returns every entry exactly once.
func TestTimelinePages(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	agent := acme.Personas["agent"].Actor
	c := mustClient(t, env, agent, crm.Input{FirstName: "Eve"})
	base := time.Now().Add(-48 * time.Hour)
	for i := range 23 {
		// Some share an instant: the id breaks the tie.
		at := base.Add(time.Duration(i/2) * time.Minute)
		if _, err := env.CRM.LogInteraction(ctx, agent, c.ID, crm.InteractionInput{Type: "note", OccurredAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	for range 9 {
		if _, err := env.CRM.CreateTask(ctx, agent, crm.TaskInput{Title: "Follow up", ClientID: &c.ID}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"prospect", "active", "under_contract"} {
		if _, _, err := env.CRM.ChangeStage(ctx, agent, c.ID, s, ""); err != nil {
			t.Fatal(err)
		}
	}
	const want = 23 + 9 + 4
	seen := map[realty.ID]bool{}
	kinds := map[string]int{}
	cursor, pages := "", 0
	var last *crm.TimelineEntry
	for {
		page, err := env.CRM.Timeline(ctx, agent, c.ID, cursor, 5)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range page.Items {
			if seen[e.ID] {
				t.Errorf("entry %s (%s) seen twice", e.ID, e.Kind)
			}
			if last != nil && (e.At.After(last.At) || (e.At.Equal(last.At) && e.ID.String() > last.ID.String())) {
				t.Errorf("entry %s at %v after %s at %v: not newest first", e.ID, e.At, last.ID, last.At)
			}
			seen[e.ID], kinds[e.Kind] = true, kinds[e.Kind]+1
			last = &e
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != want || kinds["interaction"] != 23 || kinds["task"] != 9 || kinds["stage_change"] != 4 || pages != 8 {
		t.Errorf("timeline: %d entries %v in %d pages, want %d in 8", len(seen), kinds, pages, want)
	}
	if _, err := env.CRM.Timeline(ctx, agent, c.ID, "garbage", 5); realty.FieldsOf(err)["cursor"] == "" {
		t.Errorf("bad cursor: %v", err)
	}
	got, _ := env.CRM.Get(ctx, agent, c.ID)
	if got.LastContactedAt != nil {
		t.Errorf("notes moved last_contacted_at to %v", got.LastContactedAt)
	}
	call := base.Add(time.Hour)
	if _, err := env.CRM.LogInteraction(ctx, agent, c.ID, crm.InteractionInput{Type: "call", OccurredAt: call}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.LogInteraction(ctx, agent, c.ID, crm.InteractionInput{Type: "email", OccurredAt: base}); err != nil {
		t.Fatal(err)
	}
	if got, _ = env.CRM.Get(ctx, agent, c.ID); got.LastContactedAt == nil || !got.LastContactedAt.Equal(call.Truncate(time.Microsecond)) {
		t.Errorf("last_contacted_at %v, want the latest contact %v", got.LastContactedAt, call)
	}
}

// TestTaskViews: overdue, today and upcoming follow the organization's
// time zone; completing a task takes it out of every view.
func TestTaskViews(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	zone := "Pacific/Kiritimati" // UTC+14: its day differs from UTC's most of the time
	if _, err := env.Org.UpdateOrganization(ctx, acme.Personas["owner"].Actor, orgPatchZone(zone)); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation(zone)
	now := time.Now().In(loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	agent := acme.Personas["agent"].Actor
	due := map[string]time.Time{
		"yesterday":  midnight.Add(-time.Hour),
		"this-early": midnight.Add(time.Minute),
		"this-late":  midnight.Add(24*time.Hour - time.Minute),
		"tomorrow":   midnight.Add(25 * time.Hour),
	}
	ids := map[string]realty.ID{}
	for title, at := range due {
		task, err := env.CRM.CreateTask(ctx, agent, crm.TaskInput{Title: title, DueAt: &at, Priority: "high"})
		if err != nil {
			t.Fatal(err)
		}
		ids[title] = task.ID
	}
	views := map[string][]string{"overdue": {"yesterday", "this-early"}, "today": {"this-early", "this-late"}, "upcoming": {"tomorrow"}}
	if now.Sub(midnight) < time.Minute {
		t.Skip("too close to midnight in " + zone)
	}
	for view, want := range views {
		p, err := env.CRM.Tasks(ctx, agent, crm.TaskFilter{Mine: true, View: view})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, task := range p.Items {
			got = append(got, task.Title)
		}
		if len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Errorf("view %s: %v, want %v", view, got, want)
		}
	}
	done, err := env.CRM.CompleteTask(ctx, agent, ids["yesterday"])
	if err != nil || done.Status != "done" || done.Progress != 100 || done.CompletedAt == nil {
		t.Fatalf("complete: %+v %v", done, err)
	}
	if p, _ := env.CRM.Tasks(ctx, agent, crm.TaskFilter{Mine: true, View: "overdue"}); len(p.Items) != 1 {
		t.Errorf("overdue after completing one: %d", len(p.Items))
	}
	other := extraAgent(t, env, acme)
	if _, err := env.CRM.UpdateTask(ctx, other, ids["tomorrow"], crm.TaskPatch{Title: ptr("mine now")}); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another agent's task: %v, want NotFound", err)
	}
	if p, _ := env.CRM.Tasks(ctx, other, crm.TaskFilter{}); len(p.Items) != 0 {
		t.Errorf("another agent lists %d tasks", len(p.Items))
	}
	if _, err := env.CRM.CreateTask(ctx, agent, crm.TaskInput{Title: "x", OwnerID: &other.MemberID}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("agent gives a task away: %v", err)
	}
	if _, err := env.CRM.Tasks(ctx, agent, crm.TaskFilter{View: "someday"}); realty.FieldsOf(err)["view"] == "" {
		t.Errorf("unknown view: %v", err)
	}
}
