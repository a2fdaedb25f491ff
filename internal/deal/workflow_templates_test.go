package deal_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
)

// TestTemplatesChecked: a new organization has the default template; a
// template whose anchors cannot compute is refused naming the field; the
// most specific template applies; only deal.manage edits templates.
func TestTemplatesChecked(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	broker, agent := acme.Personas["broker"].Actor, acme.Personas["agent"].Actor
	ctx := context.Background()
	list, err := env.Deal.Templates(ctx, agent)
	if err != nil || len(list) != 1 || list[0].Kind != "any" || len(list[0].Milestones) != 8 {
		t.Fatalf("seeded templates: %+v (%v)", list, err)
	}
	fixed := day("2026-09-01")
	bad := map[string]deal.WorkflowTemplateInput{
		"milestones[0].anchor_key": {Name: "Loop", Milestones: []deal.MilestoneRule{
			{Key: "a", Name: "A", Anchor: "milestone", AnchorKey: "b"}, {Key: "b", Name: "B", Anchor: "milestone", AnchorKey: "a"}}},
		"milestones[1].anchor_key": {Name: "Dangling", Milestones: []deal.MilestoneRule{{Key: "a", Name: "A", Anchor: "contract_date"},
			{Key: "b", Name: "B", Anchor: "milestone", AnchorKey: "zz"}}},
		"milestones[0].due_fixed": {Name: "Both", Milestones: []deal.MilestoneRule{{Key: "a", Name: "A", Anchor: "contract_date", DueFixed: &fixed}}},
		"milestones[0].anchor":    {Name: "Neither", Milestones: []deal.MilestoneRule{{Key: "a", Name: "A"}}},
		"milestones[1].key": {Name: "Twice", Milestones: []deal.MilestoneRule{
			{Key: "a", Name: "A", Anchor: "contract_date"}, {Key: "a", Name: "B", Anchor: "contract_date"}}},
		"required_documents[0].stage": {Name: "Stage", RequiredDocuments: []deal.StageDocuments{{Stage: "escrow", Categories: []string{"x"}}}},
	}
	for field, in := range bad {
		if _, err := env.Deal.CreateTemplate(ctx, broker, in); realty.FieldsOf(err)[field] == "" {
			t.Errorf("%s: err = %v, want a field error on %s", in.Name, err, field)
		}
	}
	if _, err := env.Deal.CreateTemplate(ctx, broker, deal.WorkflowTemplateInput{Name: "Dup"}); realty.KindOf(err) != realty.Conflict {
		t.Errorf("a second template for any deal: %v, want Conflict", err)
	}
	own := deal.WorkflowTemplateInput{Name: "Buyer purchase", Kind: "purchase", Side: "buyer", Milestones: []deal.MilestoneRule{
		{Key: "walk", Name: "Walkthrough", Required: true, DueFixed: &fixed}}}
	if _, err := env.Deal.CreateTemplate(ctx, agent, own); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("an agent creates a template: %v", err)
	}
	tpl, err := env.Deal.CreateTemplate(ctx, broker, own)
	if err != nil {
		t.Fatal(err)
	}
	d := env.OpenDeal(t, acme, "Specific")
	ms, err := env.Deal.ApplyTemplate(ctx, agent, d.ID)
	if err != nil || len(ms) != 1 || ms[0].Key != "walk" || ms[0].DueDate == nil || *ms[0].DueDate != fixed || *ms[0].TemplateID != tpl.ID {
		t.Fatalf("the purchase/buyer template: %+v (%v)", ms, err)
	}
	own.Name = "Renamed"
	if got, err := env.Deal.ReplaceTemplate(ctx, broker, tpl.ID, own); err != nil || got.Name != "Renamed" {
		t.Fatalf("replace: %+v %v", got, err)
	}
	if err := env.Deal.DeleteTemplate(ctx, broker, tpl.ID); err != nil {
		t.Fatal(err)
	}
	if ms, err := env.Deal.Milestones(ctx, agent, d.ID); err != nil || len(ms) != 1 || ms[0].TemplateID != nil {
		t.Errorf("after the template went: %+v (%v), want the deal's milestone kept", ms, err)
	}
}

// docIndex is a DocumentIndex over a fixed map of deal → categories.
type docIndex map[realty.ID][]string

func (x docIndex) CategoriesTx(_ context.Context, _ pgx.Tx, _ realty.Actor, entityType string, id realty.ID) ([]string, error) {
	if entityType != "deal" {
		return nil, nil
	}
	return x[id], nil
}

// TestChecklistGuard: a stage whose template requires documents is
// refused without an index (fail closed), then refused naming the missing
// categories, and allowed once the deal holds them.
func TestChecklistGuard(t *testing.T) {
	env := fixturetest.New(t) // not parallel: the index is the process's
	acme := env.Organization(t, "acme")
	broker, agent := acme.Personas["broker"].Actor, acme.Personas["agent"].Actor
	ctx := context.Background()
	if _, err := env.Deal.CreateTemplate(ctx, broker, deal.WorkflowTemplateInput{Name: "Compliance", Kind: "purchase", Side: "buyer",
		RequiredDocuments: []deal.StageDocuments{{Stage: deal.UnderContract, Categories: []string{"purchase_agreement", "disclosure"}}}}); err != nil {
		t.Fatal(err)
	}
	d := env.OpenDeal(t, acme, "Checklist")
	for _, to := range []string{deal.Active, deal.Offer} {
		if _, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: to}); err != nil {
			t.Fatalf("to %s, a stage without a checklist: %v", to, err)
		}
	}
	env.ExecuteContract(t, acme.Organization.ID, d.ID)
	env.Deal.UseDocuments(nil)
	_, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.UnderContract})
	if why := realty.FieldsOf(err)["to"]; !strings.Contains(why, "cannot be checked") {
		t.Fatalf("without a document index: %v, want refused", err)
	}
	idx := docIndex{d.ID: {"purchase_agreement", "inspection_report"}}
	env.Deal.UseDocuments(idx)
	defer env.Deal.UseDocuments(nil)
	_, err = env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.UnderContract})
	if why := realty.FieldsOf(err)["to"]; !strings.Contains(why, "disclosure") || strings.Contains(why, "purchase_agreement") {
		t.Fatalf("a missing disclosure: %v, want refused naming only it", err)
	}
	idx[d.ID] = append(idx[d.ID], "disclosure")
	if _, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.UnderContract}); err != nil {
		t.Fatalf("with every required document: %v", err)
	}
}

// TestHolidayCalendar: a new organization's calendar holds its country's
// holidays of this year and the next; a day added shows and moves due
// dates; a seeded day removed stays removed; only deal.manage edits it.
func TestHolidayCalendar(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	broker, agent := acme.Personas["broker"].Actor, acme.Personas["agent"].Actor
	ctx := context.Background()
	year := time.Now().UTC().Year()
	for _, y := range []int{year, year + 1} {
		got, err := env.Deal.Holidays(ctx, agent, y)
		if err != nil {
			t.Fatal(err)
		}
		want := deal.PublicHolidays("US", y)
		if len(got) != len(want) || got[0].Day != want[0].Day || !got[0].Seeded {
			t.Errorf("%d: %d days seeded, want the %d US holidays", y, len(got), len(want))
		}
	}
	if _, err := env.Deal.AddHoliday(ctx, agent, deal.Holiday{Day: day("2030-03-04"), Name: "Office party"}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("an agent adds a holiday: %v", err)
	}
	if _, err := env.Deal.AddHoliday(ctx, broker, deal.Holiday{Day: day("2030-03-04"), Name: " "}); realty.FieldsOf(err)["name"] == "" {
		t.Errorf("a blank name: %v", err)
	}
	d := underContract(t, env, env.Deal, acme, "Calendar", "2030-03-01", "2030-04-30") // a Friday
	ms, _ := env.Deal.Milestones(ctx, agent, d.ID)
	wantDue(t, "before", dueByKey(t, ms), map[string]string{"earnest_money": "2030-03-06"})
	if _, err := env.Deal.AddHoliday(ctx, broker, deal.Holiday{Day: day("2030-03-04"), Name: "Office party"}); err != nil {
		t.Fatal(err)
	}
	ms, _ = env.Deal.Milestones(ctx, agent, d.ID)
	wantDue(t, "with 4 March off", dueByKey(t, ms), map[string]string{"earnest_money": "2030-03-07"})
	if err := env.Deal.RemoveHoliday(ctx, broker, day("2030-03-04")); err != nil {
		t.Fatal(err)
	}
	ms, _ = env.Deal.Milestones(ctx, agent, d.ID)
	wantDue(t, "4 March back at work", dueByKey(t, ms), map[string]string{"earnest_money": "2030-03-06"})

	first := deal.PublicHolidays("US", year+1)[0]
	if err := env.Deal.RemoveHoliday(ctx, broker, first.Day); err != nil {
		t.Fatal(err)
	}
	if err := env.Deal.RemoveHoliday(ctx, broker, first.Day); realty.KindOf(err) != realty.NotFound {
		t.Errorf("removing twice: %v", err)
	}
	// The periodic job seeds missing years; a removed day is not missing.
	if _, err := env.Deal.RemindMilestones(ctx, acme.Organization.ID, env.Org, env.Messaging); err != nil {
		t.Fatal(err)
	}
	got, _ := env.Deal.Holidays(ctx, agent, year+1)
	if slices.ContainsFunc(got, func(c deal.CalendarDay) bool { return c.Day == first.Day }) {
		t.Errorf("a removed holiday came back: %+v", got)
	}
}
