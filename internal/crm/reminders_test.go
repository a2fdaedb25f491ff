package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/messaging"
)

func dueNotices(t *testing.T, env fixturetest.Env, actor realty.Actor) map[string]int {
	t.Helper()
	p, err := env.Messaging.Notifications(context.Background(), actor, messaging.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, n := range p.Items {
		if n.Kind == "task.due" {
			out[n.Payload["title"].(string)]++
		}
	}
	return out
}

// TestTaskReminders: the periodic run reminds each open task coming due
// (within ReminderLead, or passed within ReminderGrace) once, through the
// owner's notification preferences (in the app; by e-mail once they turn
// that on), in every organization; a done task, one far ahead and one long
// overdue are not reminded; moving a task's due time re-arms it.
func TestTaskReminders(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, other := env.Organization(t, "acme"), env.Organization(t, "other")
	ctx := context.Background()
	agent := acme.Personas["agent"].Actor
	if _, err := env.Messaging.SetPreference(ctx, agent, "task.due", messaging.ChannelEmail, true); err != nil {
		t.Fatal(err)
	}
	svc, clk := clocked(env)
	at := func(d time.Duration) *time.Time { v := clk.now().Add(d); return &v }
	task := func(actor realty.Actor, title string, due *time.Time) crm.Task {
		tk, err := svc.CreateTask(ctx, actor, crm.TaskInput{Title: title, DueAt: due})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	soon := task(agent, "soon", at(10*time.Minute))
	task(agent, "just passed", at(-30*time.Minute))
	task(agent, "later", at(2*time.Hour))
	task(agent, "long overdue", at(-3*time.Hour))
	task(agent, "no due time", nil)
	done := task(agent, "done", at(5*time.Minute))
	if _, err := svc.CompleteTask(ctx, agent, done.ID); err != nil {
		t.Fatal(err)
	}
	task(other.Personas["agent"].Actor, "elsewhere", at(time.Minute))
	worker := &crm.TaskRemindersWorker{CRM: svc}
	run := func() {
		t.Helper()
		if err := worker.Work(ctx, &river.Job[crm.TaskRemindersArgs]{}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	got := dueNotices(t, env, agent)
	if len(got) != 2 || got["soon"] != 1 || got["just passed"] != 1 {
		t.Fatalf("reminders: %v, want soon and just passed once each", got)
	}
	if got := dueNotices(t, env, other.Personas["agent"].Actor); got["elsewhere"] != 1 {
		t.Fatalf("the other organization's reminders: %v", got)
	}
	mails, err := env.Messaging.Deliveries(ctx, acme.Personas["owner"].Actor, messaging.DeliveryFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range mails.Items {
		if d.Kind == "task.due" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d task.due e-mails, want 2 (the owner turned e-mail on)", n)
	}
	run()
	if got := dueNotices(t, env, agent); got["soon"] != 1 || got["just passed"] != 1 {
		t.Fatalf("a second run reminded again: %v", got)
	}
	// Moving the due time re-arms the reminder; keeping it does not.
	if _, err := svc.UpdateTask(ctx, agent, soon.ID, crm.TaskPatch{DueAt: soon.DueAt, Title: ptr("soon")}); err != nil {
		t.Fatal(err)
	}
	run()
	if got := dueNotices(t, env, agent); got["soon"] != 1 {
		t.Fatalf("an unchanged due time reminded again: %v", got)
	}
	if _, err := svc.UpdateTask(ctx, agent, soon.ID, crm.TaskPatch{DueAt: at(5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	run()
	if got := dueNotices(t, env, agent); got["soon"] != 1 {
		t.Fatalf("reminded 5 hours early: %v", got)
	}
	clk.advance(5 * time.Hour)
	run()
	if got := dueNotices(t, env, agent); got["soon"] != 2 || got["later"] != 0 {
		t.Fatalf("after moving the due time: %v, want soon reminded again (and later, now 3 hours past, not)", got)
	}
}
