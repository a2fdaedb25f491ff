package deal_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
)

func TestMoveFollowsTheMachine(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "Machine")
	_, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.Closed})
	if realty.KindOf(err) != realty.Invalid || !strings.Contains(realty.FieldsOf(err)["to"], "may move only to active or withdrawn") {
		t.Fatalf("lead → closed: err = %v, want Invalid naming the allowed stages", err)
	}
	if _, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.Withdrawn, Reason: "client paused"}); err != nil {
		t.Fatal(err)
	}
	_, err = env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.Active})
	if !strings.Contains(realty.FieldsOf(err)["to"], "moves no more") {
		t.Fatalf("withdrawn → active: err = %v, want refused as final", err)
	}
}

// TestConcurrentMovesOneWins moves one deal from lead to active twice at
// once, many times: exactly one of each pair succeeds; the other is a
// Conflict (it read lead too) or Invalid (it read active).
func TestConcurrentMovesOneWins(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	for range 10 {
		d := env.OpenDeal(t, acme, "Race")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.Active})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch realty.KindOf(err) {
			case "":
				ok++
			case realty.Conflict, realty.Invalid:
			default:
				t.Fatalf("concurrent move: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("concurrent moves: %d succeeded (%v), want exactly 1", ok, errs)
		}
	}
}
