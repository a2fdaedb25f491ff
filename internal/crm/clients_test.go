package crm_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
)

// TestDuplicates: the same e-mail address (in any case) or the same phone
// number (in any notation) is a 409 naming the client that has it.
func TestDuplicates(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	broker := acme.Personas["broker"].Actor
	first := mustClient(t, env, broker, crm.Input{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Phone: "(415) 555-2671"})
	if first.Phone == nil || *first.Phone != "+14155552671" {
		t.Fatalf("phone not normalised to E.164: %v", first.Phone)
	}
	for _, in := range []crm.Input{
		{FirstName: "Annie", Email: "ANN@example.com"},
		{FirstName: "Someone", Phone: "+1 415-555-2671"},
		{FirstName: "Ann", LastName: "Lee", Phone: "415.555.2671"},
	} {
		_, err := env.CRM.Create(ctx, broker, in)
		if realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), first.ID.String()) {
			t.Errorf("duplicate %+v: %v, want a Conflict naming %s", in, err, first.ID)
		}
	}
	for _, q := range []string{"(415) 555-26", "ANN@EXAMPLE", "lee"} {
		if p, err := env.CRM.List(ctx, broker, crm.Filter{Q: q}); err != nil || len(p.Items) != 1 || p.Items[0].ID != first.ID {
			t.Errorf("search %q: %+v %v", q, p.Items, err)
		}
	}
	other := mustClient(t, env, broker, crm.Input{FirstName: "Bob", Email: "bob@example.com"})
	if _, err := env.CRM.Update(ctx, broker, other.ID, crm.Patch{Phone: ptr("+14155552671")}); realty.KindOf(err) != realty.Conflict {
		t.Errorf("update to a taken phone: %v, want Conflict", err)
	}
	if _, err := env.CRM.Update(ctx, broker, first.ID, crm.Patch{Phone: ptr("+1 (415) 555 2671"), LastName: ptr("Lee-Smith")}); err != nil {
		t.Errorf("update keeping one's own phone: %v", err)
	}
	for field, in := range map[string]crm.Input{
		"phone":      {FirstName: "X", Phone: "12"},
		"first_name": {FirstName: " "},
		"email":      {FirstName: "X", Email: "not-an-address"},
		"budget_min": {FirstName: "X", BudgetMin: dec("500000"), BudgetMax: dec("100000")},
	} {
		_, err := env.CRM.Create(ctx, broker, in)
		if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)[field] == "" {
			t.Errorf("%s: %v, want Invalid naming it", field, err)
		}
	}
	// Another organization may hold the same person.
	globex := env.Organization(t, "globex")
	mustClient(t, env, globex.Personas["broker"].Actor, crm.Input{FirstName: "Ann", Email: "ann@example.com", Phone: "+14155552671"})
}

// TestConcurrentDuplicates: of simultaneous creates of one phone number (or
// one e-mail address), exactly one wins; the others are Conflicts.
func TestConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	broker := env.Organization(t, "acme").Personas["broker"].Actor
	for _, same := range []func(i int) crm.Input{
		func(i int) crm.Input { return crm.Input{FirstName: fmt.Sprintf("Caller %d", i), Phone: "+14155550100"} },
		func(i int) crm.Input {
			return crm.Input{FirstName: fmt.Sprintf("Writer %d", i), Email: "same@example.com"}
		},
	} {
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = env.CRM.Create(context.Background(), broker, same(i))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case realty.KindOf(err) != realty.Conflict:
				t.Errorf("a losing create: %v, want a Conflict", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d simultaneous creates of %+v won, want 1", won, n, same(0))
		}
		// The race the check above may not hit: the database itself refuses
		// a second live client with the number or address, naming it.
		err := env.CRM.InsertUnchecked(context.Background(), broker, same(n))
		if f := realty.FieldsOf(err); realty.KindOf(err) != realty.Conflict || f["phone"]+f["email"] == "" {
			t.Errorf("a duplicate past the service's check: %v, want a Conflict naming the field", err)
		}
	}
}

// TestPhoneRegion: numbers without a country code are read in the
// organization's region.
func TestPhoneRegion(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ raw, region, want string }{
		{"(415) 555-2671", "US", "+14155552671"},
		{"030 123456", "DE", "+4930123456"},
		{"+44 20 7946 0958", "US", "+442079460958"},
		{"020 7946 0958", "GB", "+442079460958"},
	} {
		got, err := crm.NormalizePhone(c.raw, c.region, "phone")
		if err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q, %s) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
		}
	}
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner := acme.Personas["owner"].Actor
	if _, err := env.CRM.SetSettings(context.Background(), owner, crm.Settings{PhoneRegion: "GB"}); err != nil {
		t.Fatal(err)
	}
	c := mustClient(t, env, owner, crm.Input{FirstName: "Ada", Phone: "020 7946 0958"})
	if *c.Phone != "+442079460958" {
		t.Errorf("phone in GB: %s", *c.Phone)
	}
}

// TestStages: only the allowed moves happen, each recorded with who, when
// and why, after the stage the client was created in.
func TestStages(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	agent := acme.Personas["agent"]
	c := mustClient(t, env, agent.Actor, crm.Input{FirstName: "Carl"})
	steps := []struct {
		to string
		ok bool
	}{{"closed", false}, {"prospect", true}, {"prospect", false}, {"under_contract", true}, {"closed", true}, {"lost", false},
		{"nowhere", false}}
	for _, s := range steps {
		_, change, err := env.CRM.ChangeStage(ctx, agent.Actor, c.ID, s.to, "because "+s.to)
		if s.ok && (err != nil || change.ToStage != s.to || *change.ChangedBy != agent.MemberID) {
			t.Errorf("move to %s: %+v %v", s.to, change, err)
		}
		if !s.ok && (realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)["stage"] == "") {
			t.Errorf("move to %s: %v, want Invalid naming stage", s.to, err)
		}
	}
	h, err := env.CRM.StageHistory(ctx, agent.Actor, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"lead", "prospect", "under_contract", "closed"}
	if len(h) != len(want) {
		t.Fatalf("history %+v, want %v", h, want)
	}
	for i, w := range want {
		if h[i].ToStage != w || (i > 0 && (*h[i].FromStage != want[i-1] || *h[i].Reason != "because "+w)) {
			t.Errorf("history[%d] = %+v, want to %s", i, h[i], w)
		}
	}
	got, _ := env.CRM.Get(ctx, agent.Actor, c.ID)
	if got.Stage != "closed" {
		t.Errorf("stage %s, want closed", got.Stage)
	}
}

// TestAgentScope: an agent sees and changes the clients assigned to them or
// created by them; another agent's client is NotFound; a broker sees all.
func TestAgentScope(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	a, b, broker := acme.Personas["agent"].Actor, extraAgent(t, env, acme), acme.Personas["broker"].Actor
	mine := mustClient(t, env, a, crm.Input{FirstName: "Mine"})
	if mine.AssignedAgentID == nil || *mine.AssignedAgentID != a.MemberID {
		t.Fatalf("an agent's client goes to them: %v", mine.AssignedAgentID)
	}
	if _, err := env.CRM.Create(ctx, a, crm.Input{FirstName: "Pushed", AssignedAgentID: &b.MemberID}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("agent assigning to another: %v, want Forbidden", err)
	}
	if _, err := env.CRM.Get(ctx, b, mine.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("other agent reads: %v, want NotFound", err)
	}
	if _, err := env.CRM.Update(ctx, b, mine.ID, crm.Patch{Notes: ptr("x")}); realty.KindOf(err) != realty.NotFound {
		t.Errorf("other agent updates: %v, want NotFound", err)
	}
	if _, err := env.CRM.LogInteraction(ctx, b, mine.ID, crm.InteractionInput{Type: "call"}); realty.KindOf(err) != realty.NotFound {
		t.Errorf("other agent logs: %v, want NotFound", err)
	}
	if _, err := env.CRM.Timeline(ctx, b, mine.ID, "", 10); realty.KindOf(err) != realty.NotFound {
		t.Errorf("other agent's timeline: %v, want NotFound", err)
	}
	if p, _ := env.CRM.List(ctx, b, crm.Filter{}); len(p.Items) != 0 {
		t.Errorf("other agent lists %d clients", len(p.Items))
	}
	if _, err := env.CRM.Assign(ctx, a, mine.ID, &b.MemberID); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("agent reassigns: %v, want Forbidden", err)
	}
	if _, err := env.CRM.Get(ctx, broker, mine.ID); err != nil {
		t.Errorf("broker reads: %v", err)
	}
	if _, err := env.CRM.Assign(ctx, broker, mine.ID, &b.MemberID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.Get(ctx, b, mine.ID); err != nil {
		t.Errorf("new assignee reads: %v", err)
	}
	if _, err := env.CRM.Get(ctx, a, mine.ID); err != nil {
		t.Errorf("creator still reads after reassignment: %v", err)
	}
	if p, _ := env.CRM.List(ctx, broker, crm.Filter{AgentID: &b.MemberID}); len(p.Items) != 1 {
		t.Errorf("broker filter by agent: %d", len(p.Items))
	}
}

func ptr[T any](v T) *T { return &v }
