package crm_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/messaging"
)

// slot is a showing of title from start for d.
func slot(title string, start time.Time, d time.Duration) crm.AppointmentInput {
	return crm.AppointmentInput{Kind: "showing", Title: title, StartsAt: start, EndsAt: start.Add(d)}
}

// TestDoubleBooking: 20 agents' worth of concurrent bookings of
// overlapping slots for one agent — exactly one wins, every other is a
// Conflict naming the winner; back-to-back slots on either side are
// allowed; canceling the winner frees its slot; another agent may take the
// same slot meanwhile.
func TestDoubleBooking(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	agent := acme.Personas["agent"].Actor
	base := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	const n = 20
	var wg sync.WaitGroup
	results := make([]crm.Appointment, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			// Slot i is [base+i min, base+i min+1h): every two overlap.
			results[i], errs[i] = env.CRM.Book(ctx, agent, slot("Showing", base.Add(time.Duration(i)*time.Minute), time.Hour))
		})
	}
	wg.Wait()
	var won []crm.Appointment
	for i, err := range errs {
		if err == nil {
			won = append(won, results[i])
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d of %d overlapping bookings won (errors %v), want exactly one", len(won), n, errs)
	}
	winner := won[0]
	for i, err := range errs {
		if err == nil {
			continue
		}
		if realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), winner.ID.String()) ||
			realty.FieldsOf(err)["starts_at"] == "" {
			t.Errorf("booking %d: %v (fields %v), want a Conflict naming %s at starts_at", i, err, realty.FieldsOf(err), winner.ID)
		}
	}
	if _, err := env.CRM.Book(ctx, agent, slot("After", winner.EndsAt, 30*time.Minute)); err != nil {
		t.Errorf("back-to-back after: %v", err)
	}
	if _, err := env.CRM.Book(ctx, agent, slot("Before", winner.StartsAt.Add(-30*time.Minute), 30*time.Minute)); err != nil {
		t.Errorf("back-to-back before: %v", err)
	}
	other := extraAgent(t, env, acme)
	if _, err := env.CRM.Book(ctx, other, slot("Same time", winner.StartsAt, time.Hour)); err != nil {
		t.Errorf("another agent, same slot: %v", err)
	}
	retry := slot("Retry", winner.StartsAt.Add(10*time.Minute), 40*time.Minute)
	if _, err := env.CRM.Book(ctx, agent, retry); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("overlap before canceling: %v, want Conflict", err)
	}
	if _, err := env.CRM.SetAppointmentStatus(ctx, agent, winner.ID, "canceled", "client ill", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.Book(ctx, agent, retry); err != nil {
		t.Errorf("the canceled appointment's slot: %v, want it free", err)
	}
}

// TestRescheduleClash: moving an appointment onto another is the same
// Conflict; moving it within its own time is no clash with itself; a stale
// version is refused naming version.
func TestRescheduleClash(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	agent := acme.Personas["agent"].Actor
	base := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	a, err := env.CRM.Book(ctx, agent, slot("A", base, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.CRM.Book(ctx, agent, slot("B", base.Add(2*time.Hour), time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	onA := base.Add(30 * time.Minute)
	_, err = env.CRM.UpdateAppointment(ctx, agent, b.ID, crm.AppointmentPatch{StartsAt: &onA})
	if realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), a.ID.String()) {
		t.Errorf("reschedule onto A: %v, want a Conflict naming %s", err, a.ID)
	}
	later := b.StartsAt.Add(15 * time.Minute)
	got, err := env.CRM.UpdateAppointment(ctx, agent, b.ID, crm.AppointmentPatch{StartsAt: &later, Version: &b.Version})
	if err != nil || got.Version != b.Version+1 || !got.StartsAt.Equal(later) || !got.EndsAt.Equal(b.EndsAt) {
		t.Fatalf("reschedule within itself: %+v %v", got, err)
	}
	_, err = env.CRM.UpdateAppointment(ctx, agent, b.ID, crm.AppointmentPatch{Title: ptr("x"), Version: &b.Version})
	if realty.KindOf(err) != realty.Conflict || realty.FieldsOf(err)["version"] == "" {
		t.Errorf("stale version: %v, want a Conflict naming version", err)
	}
}

// TestAppointmentBadInput: each refusal names its field and writes nothing.
func TestAppointmentBadInput(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	agent := acme.Personas["agent"].Actor
	base := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	bad := map[string]crm.AppointmentInput{
		"ends_at":   slot("Backwards", base, -time.Hour),
		"title":     slot(" ", base, time.Hour),
		"starts_at": {Kind: "call", Title: "No start", EndsAt: base},
	}
	unknown := slot("Kind", base, time.Hour)
	unknown.Kind = "party"
	bad["kind"] = unknown
	stranger := mustClient(t, env, acme.Personas["broker"].Actor, crm.Input{FirstName: "Not", LastName: "Yours"})
	notMine := slot("Client", base, time.Hour)
	notMine.ClientID = &stranger.ID
	bad["client_id"] = notMine
	for field, in := range bad {
		if _, err := env.CRM.Book(ctx, agent, in); realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)[field] == "" {
			t.Errorf("%s: %v (fields %v), want Invalid naming it", field, err, realty.FieldsOf(err))
		}
	}
	a, err := env.CRM.Book(ctx, agent, slot("Fine", base, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.SetAppointmentStatus(ctx, agent, a.ID, "canceled", "  ", nil); realty.FieldsOf(err)["cancellation_reason"] == "" {
		t.Errorf("cancel without reason: %v, want Invalid naming cancellation_reason", err)
	}
	if p, _ := env.CRM.Appointments(ctx, agent, crm.AppointmentFilter{}); len(p.Items) != 1 || p.Items[0].Status != "scheduled" {
		t.Errorf("after the refusals: %+v, want the one scheduled appointment", p.Items)
	}
	done, err := env.CRM.SetAppointmentStatus(ctx, agent, a.ID, "completed", "", nil)
	if err != nil || done.Status != "completed" {
		t.Fatalf("complete: %+v %v", done, err)
	}
	if _, err := env.CRM.SetAppointmentStatus(ctx, agent, a.ID, "canceled", "late", nil); realty.KindOf(err) != realty.Conflict {
		t.Errorf("cancel a completed appointment: %v, want Conflict", err)
	}
}

// TestAppointmentScope: an agent sees and changes only their own
// appointments; a broker sees and changes everyone's and may book for an
// agent, who is told; the agent may not book for another.
func TestAppointmentScope(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	agent, broker := acme.Personas["agent"], acme.Personas["broker"].Actor
	other := extraAgent(t, env, acme)
	base := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	theirs, err := env.CRM.Book(ctx, other, slot("Theirs", base, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.Appointment(ctx, agent.Actor, theirs.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("agent reads another's: %v, want NotFound", err)
	}
	if _, err := env.CRM.SetAppointmentStatus(ctx, agent.Actor, theirs.ID, "confirmed", "", nil); realty.KindOf(err) != realty.NotFound {
		t.Errorf("agent confirms another's: %v, want NotFound", err)
	}
	if p, _ := env.CRM.Appointments(ctx, agent.Actor, crm.AppointmentFilter{}); len(p.Items) != 0 {
		t.Errorf("agent lists %d appointments, want none", len(p.Items))
	}
	in := slot("For you", base, time.Hour)
	in.AgentID = &other.MemberID
	if _, err := env.CRM.Book(ctx, agent.Actor, in); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("agent books for another: %v, want Forbidden", err)
	}
	in.AgentID = &agent.MemberID
	booked, err := env.CRM.Book(ctx, broker, in)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := env.CRM.Appointment(ctx, agent.Actor, booked.ID); err != nil || got.AgentID != agent.MemberID || got.TimeZone == "" {
		t.Errorf("agent reads what the broker booked: %+v %v", got, err)
	}
	if p, _ := env.CRM.Appointments(ctx, broker, crm.AppointmentFilter{From: &base}); len(p.Items) != 2 {
		t.Errorf("broker lists %d, want both agents' 2", len(p.Items))
	}
	notes, err := env.Messaging.Notifications(ctx, agent.Actor, messaging.Filter{Limit: 50})
	if err != nil || len(notes.Items) != 1 || notes.Items[0].Kind != "appointment.booked" {
		t.Errorf("the agent's notifications: %+v %v, want one appointment.booked", notes.Items, err)
	}
}

// TestAppointmentsInTimelineAndMerge: a client's appointments are in their
// timeline and move to the survivor of a merge.
func TestAppointmentsInTimelineAndMerge(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	keep := mustClient(t, env, broker, crm.Input{FirstName: "Keep"})
	dup := mustClient(t, env, broker, crm.Input{FirstName: "Dup"})
	in := slot("Viewing", time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC), time.Hour)
	in.ClientID = &dup.ID
	a, err := env.CRM.Book(ctx, broker, in)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := env.CRM.Timeline(ctx, broker, dup.ID, "", 10)
	if err != nil || len(tl.Items) == 0 || tl.Items[0].Kind != "appointment" || tl.Items[0].ID != a.ID || *tl.Items[0].Title != "Viewing" {
		t.Fatalf("timeline: %+v %v, want the appointment first", tl.Items, err)
	}
	if _, err := env.CRM.Merge(ctx, broker, keep.ID, []realty.ID{dup.ID}); err != nil {
		t.Fatal(err)
	}
	if got, err := env.CRM.Appointment(ctx, broker, a.ID); err != nil || got.ClientID == nil || *got.ClientID != keep.ID {
		t.Errorf("after the merge: %+v %v, want it on the survivor", got, err)
	}
	if p, _ := env.CRM.Appointments(ctx, broker, crm.AppointmentFilter{ClientID: &keep.ID}); len(p.Items) != 1 {
		t.Errorf("survivor's appointments: %d, want 1", len(p.Items))
	}
}

// TestAppointmentAnnouncements: booking and canceling go to the webhooks
// (appointment.booked, appointment.canceled); the agent is told, in the app
// and by e-mail, when the broker booked or canceled their time, and not
// when they did it themselves; a booking refused as a clash tells no one.
func TestAppointmentAnnouncements(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	owner, broker, agent := acme.Personas["owner"].Actor, acme.Personas["broker"].Actor, acme.Personas["agent"]
	if _, _, err := env.Messaging.CreateEndpoint(ctx, owner, messaging.NewEndpoint{URL: "https://93.184.216.34/hook",
		Events: []string{"appointment.booked", "appointment.canceled"}}); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	own, err := env.CRM.Book(ctx, agent.Actor, slot("Own", base, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.SetAppointmentStatus(ctx, agent.Actor, own.ID, "canceled", "moved", nil); err != nil {
		t.Fatal(err)
	}
	forAgent := slot("By the broker", base, time.Hour)
	forAgent.AgentID = &agent.MemberID
	booked, err := env.CRM.Book(ctx, broker, forAgent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.Book(ctx, broker, forAgent); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("clash: %v", err)
	}
	if _, err := env.CRM.SetAppointmentStatus(ctx, broker, booked.ID, "canceled", "seller away", nil); err != nil {
		t.Fatal(err)
	}
	notes, err := env.Messaging.Notifications(ctx, agent.Actor, messaging.Filter{Limit: 50})
	var kinds []string
	for _, n := range notes.Items {
		kinds = append(kinds, n.Kind)
		if n.Payload["appointment_id"] != booked.ID.String() {
			t.Errorf("notification %s about %v, want %s", n.Kind, n.Payload["appointment_id"], booked.ID)
		}
	}
	slices.Sort(kinds)
	if err != nil || !slices.Equal(kinds, []string{"appointment.booked", "appointment.canceled"}) {
		t.Errorf("the agent's notifications %v (%v), want appointment.booked and appointment.canceled by the broker", kinds, err)
	}
	out, err := env.Messaging.Deliveries(ctx, owner, messaging.DeliveryFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var hooks, mails []string
	for _, d := range out.Items {
		if d.Channel == "webhook" {
			hooks = append(hooks, d.Kind)
		} else {
			mails = append(mails, d.Kind)
		}
	}
	slices.Sort(hooks)
	slices.Sort(mails)
	if want := []string{"appointment.booked", "appointment.booked", "appointment.canceled", "appointment.canceled"}; !slices.Equal(hooks, want) {
		t.Errorf("webhook deliveries %v, want %v", hooks, want)
	}
	if want := []string{"appointment.booked", "appointment.canceled"}; !slices.Equal(mails, want) {
		t.Errorf("e-mails %v, want %v", mails, want)
	}
}
