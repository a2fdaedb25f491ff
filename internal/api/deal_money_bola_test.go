package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
)

// globexDealMoneyIDs adds to foreign a globex deal with a deposit and a
// commission posted at closing, and a globex agent for the plan.
func globexDealMoneyIDs(t *testing.T, h *harness, foreign map[string]realty.ID) {
	t.Helper()
	ctx := context.Background()
	agent := h.b.Personas["agent"]
	price, amount := decimal.NewFromInt(200000), decimal.NewFromInt(6000)
	d, err := h.env.Deal.Create(ctx, agent.Actor, deal.Input{Title: "Globex sale", Kind: "sale", Side: "seller", Price: &price})
	if err != nil {
		t.Fatal(err)
	}
	dep, err := h.env.Deal.AddEscrowDeposit(ctx, agent.Actor, d.ID, deal.EscrowDepositInput{Holder: "brokerage", Amount: decimal.NewFromInt(500)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.Deal.SetCommission(ctx, agent.Actor, d.ID, deal.CommissionInput{GrossAmount: &amount}); err != nil {
		t.Fatal(err)
	}
	h.env.WalkDeal(t, agent.Actor, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose, deal.Closed)
	for _, op := range []string{"list-escrow-deposits", "create-escrow-deposit", "get-commission", "set-commission", "get-commission-authorization"} {
		foreign[op] = d.ID
	}
	foreign["receive-escrow-deposit"], foreign["set-agent-plan"] = dep.ID, agent.MemberID
	c, err := h.env.Deal.Commission(ctx, agent.Actor, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	foreign["pay-commission-split"] = c.Splits[len(c.Splits)-1].ID
}

// TestDealMoneyThroughTheAPI records and receives earnest money (keyed),
// sets a commission, closes, and reads the disbursement authorisation as
// HTML and GCI by agent; another organization's broker sees none of it.
func TestDealMoneyThroughTheAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent, broker := h.tokens["acme:agent"], h.tokens["acme:broker"]
	price := decimal.NewFromInt(500000)
	d, err := h.env.Deal.Create(context.Background(), h.a.Personas["agent"].Actor, deal.Input{Title: "API deal", Kind: "purchase", Side: "buyer", Price: &price})
	if err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/deals/" + d.ID.String()
	status, body := h.do("POST", base+"/escrow-deposits", agent, map[string]any{"holder": "brokerage", "amount": "5000.001"})
	if status != 422 || !strings.Contains(string(body), "amount") {
		t.Fatalf("a deposit past the cent: %d %s, want 422 naming amount", status, body)
	}
	status, body = h.do("POST", base+"/escrow-deposits", agent, map[string]any{"holder": "brokerage", "amount": "5000.00"})
	if status != 201 {
		t.Fatalf("record deposit: %d %s", status, body)
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	id := created.ID
	key := realty.NewID().String()
	s1, _, b1 := h.doKeyed("POST", "/api/v1/escrow-deposits/"+id+"/receive", agent, key, map[string]any{})
	s2, _, b2 := h.doKeyed("POST", "/api/v1/escrow-deposits/"+id+"/receive", agent, key, map[string]any{})
	if s1 != 200 || s2 != 200 || string(b1) != string(b2) || !strings.Contains(string(b1), `"received"`) {
		t.Fatalf("receive twice with one key: %d %s / %d %s, want the same 200", s1, b1, s2, b2)
	}
	if status, body = h.do("PUT", base+"/commission", agent, map[string]any{"gross_rate": "2.5", "gross_amount": "100.00"}); status != 422 {
		t.Fatalf("rate and amount: %d %s, want 422", status, body)
	}
	if status, body = h.do("PUT", base+"/commission", agent, map[string]any{"gross_rate": "2.5", "referral_rate": "25", "referral_name": "Other Realty"}); status != 200 {
		t.Fatalf("set commission: %d %s", status, body)
	}
	if status, body = h.do("GET", base+"/commission/authorization", agent, nil); status != 404 {
		t.Fatalf("authorisation before closing: %d %s, want 404", status, body)
	}
	h.env.WalkDeal(t, h.a.Personas["agent"].Actor, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose, deal.Closed)
	status, body = h.do("GET", base+"/commission/authorization", agent, nil)
	if status != 200 || !strings.Contains(string(body), "Other Realty") || !strings.Contains(string(body), "12500.00") {
		t.Fatalf("authorisation: %d %.300s", status, body)
	}
	status, body = h.do("GET", "/api/v1/commissions/gci", broker, nil)
	// 12,500.00 gross, 3,125.00 referral: the agent's side share is 9,375.00.
	if status != 200 || !strings.Contains(string(body), `"gci":"9375`) {
		t.Fatalf("GCI: %d %s", status, body)
	}
	status, body = h.do("GET", "/api/v1/commissions/gci", h.tokens["globex:broker"], nil)
	if status != 200 || strings.Contains(string(body), h.a.Personas["agent"].MemberID.String()) {
		t.Fatalf("globex GCI: %d %s", status, body)
	}
}
