package deal_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// payoutLines are the lines of a split's payout entry as "key debit credit".
func payoutLines(t *testing.T, env fixturetest.Env, org, splitID realty.ID) (date string, lines []string) {
	t.Helper()
	err := postgres.Read(context.Background(), env.Pool, realty.System(org), func(rows pgx.Rows) error {
		for rows.Next() {
			var d, key, debit, credit string
			if err := rows.Scan(&d, &key, &debit, &credit); err != nil {
				return err
			}
			date, lines = d, append(lines, key+" "+debit+" "+credit)
		}
		return rows.Err()
	}, `SELECT e.entry_date::text, a.system_key, l.debit::text, l.credit::text FROM ledger.journal_entries e
		JOIN ledger.journal_lines l ON l.organization_id = e.organization_id AND l.entry_id = e.id
		JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
		WHERE e.organization_id = $1 AND e.source_type = 'commission_payout' AND e.source_id = $2 ORDER BY l.debit DESC`, org, splitID)
	if err != nil {
		t.Fatal(err)
	}
	return date, lines
}

// TestPayAgentSplit closes a deal and pays the agent's split: one entry
// debiting commissions payable and crediting operating cash by the split,
// the split shows it paid, the ledger check finds nothing; paying again,
// paying the brokerage's split, and another organization's broker paying
// are refused.
func TestPayAgentSplit(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, other := env.Organization(t, "acme"), env.Organization(t, "other")
	agent, broker := acme.Personas["agent"], acme.Personas["broker"].Actor
	ctx := context.Background()
	if _, err := env.Deal.SetAgentPlan(ctx, broker, agent.MemberID, deal.AgentPlanInput{AgentSplit: dec("70")}); err != nil {
		t.Fatal(err)
	}
	d := moneyDeal(t, env, acme, "Payout", "buyer", "300000")
	amount := dec("10000")
	if _, err := env.Deal.SetCommission(ctx, agent.Actor, d.ID, deal.CommissionInput{GrossAmount: &amount}); err != nil {
		t.Fatal(err)
	}
	c, err := env.Deal.Commission(ctx, agent.Actor, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Deal.PayCommissionSplit(ctx, broker, c.Splits[1].ID, deal.PayoutInput{}); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("paying before closing: err = %v, want Conflict", err)
	}
	walk(t, env, agent.Actor, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose, deal.Closed)
	if c, err = env.Deal.Commission(ctx, agent.Actor, d.ID); err != nil {
		t.Fatal(err)
	}
	house, split := c.Splits[0], c.Splits[1]
	if split.Payee != "agent" || !split.Amount.Equal(dec("7000")) || split.PaidOn != nil {
		t.Fatalf("agent's split after closing = %+v, want 7000 unpaid", split)
	}
	if _, err := env.Deal.PayCommissionSplit(ctx, agent.Actor, split.ID, deal.PayoutInput{}); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("the agent paying themselves: err = %v, want Forbidden", err)
	}
	if _, err := env.Deal.PayCommissionSplit(ctx, other.Personas["broker"].Actor, split.ID, deal.PayoutInput{}); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("another organization's broker paying: err = %v, want NotFound", err)
	}
	blank := "  "
	if _, err := env.Deal.PayCommissionSplit(ctx, broker, split.ID, deal.PayoutInput{Reference: &blank}); realty.FieldsOf(err)["reference"] == "" {
		t.Fatalf("a blank reference: err = %v, want Invalid naming reference", err)
	}
	on, ref := realty.Date{Year: 2030, Month: 6, Day: 3}, "CHK 1042"
	paid, err := env.Deal.PayCommissionSplit(ctx, broker, split.ID, deal.PayoutInput{PaidOn: &on, Reference: &ref})
	if err != nil {
		t.Fatal(err)
	}
	if paid.PaidOn == nil || *paid.PaidOn != on || paid.PaidReference == nil || *paid.PaidReference != ref || paid.PaidAt == nil {
		t.Fatalf("paid split = %+v", paid)
	}
	date, lines := payoutLines(t, env, acme.Organization.ID, split.ID)
	if date != "2030-06-03" || len(lines) != 2 || lines[0] != "commissions_payable 7000.00 0.00" || lines[1] != "operating_cash 0.00 7000.00" {
		t.Fatalf("payout entry on %s = %q, want commissions_payable 7000.00 debit, operating_cash 7000.00 credit on 2030-06-03", date, lines)
	}
	if got := balance(t, env, acme, "2400"); !got.IsZero() {
		t.Errorf("commissions payable after the payout = %s, want 0", got)
	}
	var findings []ledger.Finding
	err = postgres.Tx(ctx, env.Pool, realty.System(acme.Organization.ID), func(tx pgx.Tx) error {
		findings, err = ledger.CheckDB(ctx, tx, acme.Organization.ID)
		return err
	})
	if err != nil || len(findings) == 0 {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.OK() {
			t.Errorf("ledger check: %s: %v", f.Name, f.Rows)
		}
	}
	if _, err := env.Deal.PayCommissionSplit(ctx, broker, split.ID, deal.PayoutInput{}); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("paying twice: err = %v, want Conflict", err)
	}
	if _, err := env.Deal.PayCommissionSplit(ctx, broker, house.ID, deal.PayoutInput{}); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("paying the brokerage's split: err = %v, want Conflict", err)
	}
	if c, err = env.Deal.Commission(ctx, agent.Actor, d.ID); err != nil || c.Splits[1].PaidOn == nil {
		t.Fatalf("the commission after the payout: %+v, %v; want the agent's split paid", c.Splits, err)
	}
	booksOK(t, env, acme)
}
