package deal_test

import (
	"context"
	"testing"

	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
)

// TestMilestonesFollowUpdate: moving a deal's contract date through
// Service.Update across the Independence Day weekend (observed Friday 3
// July 2026) moves the business-day milestones exactly; a milestone whose
// date was fixed on the deal keeps it; moving the expected close moves the
// closing and what hangs on it; an update that moves no date leaves the
// dates alone.
func TestMilestonesFollowUpdate(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	usHolidays(t, env.Deal, acme, 2026)
	d := underContract(t, env, env.Deal, acme, "14 Elm", "2026-06-30", "2026-08-14")
	ms, err := env.Deal.Milestones(ctx, agent, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]deal.Milestone{}
	for _, m := range ms {
		byKey[m.Key] = m
	}
	fixed := day("2026-07-20")
	if _, err := env.Deal.SetMilestoneDue(ctx, agent, byKey["appraisal"].ID, &fixed); err != nil {
		t.Fatal(err)
	}

	moved := day("2026-07-02")
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{ContractDate: &moved}); err != nil {
		t.Fatal(err)
	}
	ms, _ = env.Deal.Milestones(ctx, agent, d.ID)
	wantDue(t, "contract moved to Thursday 2 July", dueByKey(t, ms), map[string]string{
		"offer_accepted": "2026-07-02", "earnest_money": "2026-07-08", "inspection": "2026-07-13", "financing": "2026-08-03",
		"appraisal": "2026-07-20", "closing": "2026-08-14"})

	title := "14 Elm Street"
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{Title: &title}); err != nil {
		t.Fatal(err)
	}
	ms, _ = env.Deal.Milestones(ctx, agent, d.ID)
	wantDue(t, "title changed", dueByKey(t, ms), map[string]string{"earnest_money": "2026-07-08", "appraisal": "2026-07-20"})

	closeOn := day("2026-08-21")
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{ExpectedClose: &closeOn}); err != nil {
		t.Fatal(err)
	}
	ms, _ = env.Deal.Milestones(ctx, agent, d.ID)
	wantDue(t, "close moved to 21 August", dueByKey(t, ms), map[string]string{
		"closing": "2026-08-21", "title": "2026-08-14", "final_walkthrough": "2026-08-20",
		"earnest_money": "2026-07-08", "appraisal": "2026-07-20"})
}
