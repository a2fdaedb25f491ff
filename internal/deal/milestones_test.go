package deal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
)

// usHolidays puts the US public holidays of the years on o's calendar
// (seeding gave it the current and the next year; the tests' dates are
// fixed).
func usHolidays(t *testing.T, svc *deal.Service, o fixture.Org, years ...int) {
	t.Helper()
	for _, y := range years {
		for _, h := range deal.PublicHolidays("US", y) {
			if _, err := svc.AddHoliday(context.Background(), o.Personas["broker"].Actor, h); err != nil && realty.KindOf(err) != realty.Conflict {
				t.Fatal(err)
			}
		}
	}
}

// underContract opens a deal with the dates given and walks it to
// under_contract, where it gets its template's milestones.
func underContract(t *testing.T, env fixturetest.Env, svc *deal.Service, o fixture.Org, title, contract, close string) deal.Deal {
	t.Helper()
	ctx := context.Background()
	agent := o.Personas["agent"].Actor
	c, e := day(contract), day(close)
	d, err := svc.Create(ctx, agent, deal.Input{Title: title, Kind: "purchase", Side: "buyer", ContractDate: &c, ExpectedClose: &e})
	if err != nil {
		t.Fatal(err)
	}
	env.ExecuteContract(t, o.Organization.ID, d.ID)
	for _, to := range []string{deal.Active, deal.Offer, deal.UnderContract} {
		if d, err = svc.Move(ctx, agent, d.ID, deal.MoveInput{To: to}); err != nil {
			t.Fatalf("move to %s: %v", to, err)
		}
	}
	return d
}

func dueByKey(t *testing.T, ms []deal.Milestone) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range ms {
		out[m.Key] = "none"
		if m.DueDate != nil {
			out[m.Key] = m.DueDate.String()
		}
	}
	return out
}

func wantDue(t *testing.T, when string, got map[string]string, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s due %s, want %s", when, k, got[k], w)
		}
	}
}

// TestMilestonesFollowTheContract: a deal going under contract gets the
// default template's milestones with dates computed over weekends and the
// Independence Day holiday (observed on Friday 3 July 2026); moving the
// contract date or overriding the closing recomputes what hangs on them;
// the deal cannot close until every required milestone is complete, and
// the refusal names the open ones.
func TestMilestonesFollowTheContract(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	usHolidays(t, env.Deal, acme, 2026)
	d := underContract(t, env, env.Deal, acme, "12 Elm", "2026-06-30", "2026-08-14")
	ms, err := env.Deal.Milestones(ctx, agent, d.ID)
	if err != nil || len(ms) != 8 {
		t.Fatalf("milestones: %d (%v), want the default template's 8", len(ms), err)
	}
	wantDue(t, "contract 30 June", dueByKey(t, ms), map[string]string{
		"offer_accepted": "2026-06-30", "earnest_money": "2026-07-06", "inspection": "2026-07-10", "appraisal": "2026-07-21",
		"financing": "2026-07-30", "title": "2026-08-07", "final_walkthrough": "2026-08-13", "closing": "2026-08-14"})

	err = postgres.Tx(ctx, env.Pool, agent, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE deal.deals SET contract_date = '2026-07-01' WHERE organization_id = $1 AND id = $2`, agent.OrgID, d.ID); err != nil {
			return err
		}
		return deal.RecomputeMilestonesTx(ctx, tx, agent, d.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ = env.Deal.Milestones(ctx, agent, d.ID)
	wantDue(t, "contract moved to 1 July", dueByKey(t, ms), map[string]string{
		"offer_accepted": "2026-07-01", "earnest_money": "2026-07-07", "inspection": "2026-07-13", "closing": "2026-08-14"})

	byKey := map[string]deal.Milestone{}
	for _, m := range ms {
		byKey[m.Key] = m
	}
	later := day("2026-08-21")
	if _, err := env.Deal.SetMilestoneDue(ctx, agent, byKey["closing"].ID, &later); err != nil {
		t.Fatal(err)
	}
	ms, _ = env.Deal.Milestones(ctx, agent, d.ID)
	wantDue(t, "closing moved to 21 August", dueByKey(t, ms), map[string]string{
		"closing": "2026-08-21", "title": "2026-08-14", "final_walkthrough": "2026-08-20", "inspection": "2026-07-13"})

	if _, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.ClearToClose}); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:6] {
		if _, err := env.Deal.CompleteMilestone(ctx, agent, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	amount := decimal.NewFromInt(9000)
	if _, err := env.Deal.SetCommission(ctx, agent, d.ID, deal.CommissionInput{GrossAmount: &amount}); err != nil {
		t.Fatal(err)
	}
	_, err = env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.Closed})
	if why := realty.FieldsOf(err)["to"]; !strings.Contains(why, "Final walkthrough and Closing") || strings.Contains(why, "Appraisal") {
		t.Fatalf("closing with two required milestones open: %v, want a refusal naming them", err)
	}
	done, err := env.Deal.CompleteMilestone(ctx, agent, byKey["final_walkthrough"].ID)
	if err != nil || done.CompletedAt == nil || done.CompletedBy == nil || *done.CompletedBy != agent.MemberID {
		t.Fatalf("completed: %+v (%v), want who and when", done, err)
	}
	if _, err := env.Deal.CompleteMilestone(ctx, agent, byKey["closing"].ID); err != nil {
		t.Fatal(err)
	}
	undone, err := env.Deal.UncompleteMilestone(ctx, agent, byKey["closing"].ID)
	if err != nil || undone.CompletedAt != nil || undone.CompletedBy != nil {
		t.Fatalf("reopened: %+v (%v)", undone, err)
	}
	if _, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.Closed}); !strings.Contains(realty.FieldsOf(err)["to"], "still open: Closing") {
		t.Fatalf("closing with the reopened milestone: %v", err)
	}
	if _, err := env.Deal.CompleteMilestone(ctx, agent, byKey["closing"].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.Closed}); err != nil {
		t.Fatalf("closing with every required milestone complete: %v", err)
	}
}

// TestMilestonesFenced: another organization, or another agent, cannot
// see or change a deal's milestones; applying twice is a conflict.
func TestMilestonesFenced(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "Fenced")
	ms, err := env.Deal.ApplyTemplate(ctx, acme.Personas["agent"].Actor, d.ID)
	if err != nil || len(ms) == 0 {
		t.Fatalf("apply: %d (%v)", len(ms), err)
	}
	if ms[0].DueDate != nil {
		t.Errorf("a deal without a contract date has a due date: %v", ms[0].DueDate)
	}
	if _, err := env.Deal.ApplyTemplate(ctx, acme.Personas["broker"].Actor, d.ID); realty.KindOf(err) != realty.Conflict {
		t.Errorf("applying twice: %v, want Conflict", err)
	}
	other := globex.Personas["broker"].Actor
	if _, err := env.Deal.Milestones(ctx, other, d.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another organization reads the milestones: %v", err)
	}
	if _, err := env.Deal.CompleteMilestone(ctx, other, ms[0].ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another organization completes a milestone: %v", err)
	}
	broker := acme.Personas["broker"].Actor
	bd, err := env.Deal.Create(ctx, broker, deal.Input{Title: "The broker's own", Kind: "sale", Side: "seller"})
	if err != nil {
		t.Fatal(err)
	}
	bms, err := env.Deal.ApplyTemplate(ctx, broker, bd.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Deal.CompleteMilestone(ctx, acme.Personas["agent"].Actor, bms[0].ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("an agent completes a milestone of another agent's deal: %v", err)
	}
	if _, err := env.Deal.Milestones(ctx, acme.Personas["accountant"].Actor, d.ID); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("an accountant reads milestones: %v", err)
	}
}
