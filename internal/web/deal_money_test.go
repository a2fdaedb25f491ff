package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty/internal/deal"
)

// TestDealMoneyPages records earnest money and a commission through the
// deal's money forms (a bad amount comes back named, in place), closes the
// deal, and finds the posted splits, the disbursement authorisation and
// the broker's GCI by agent.
func TestDealMoneyPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agentActor := acme.Personas["agent"].Actor
	agent, broker := h.login(acme.Personas["agent"].Email, "acme"), h.login(acme.Personas["broker"].Email, "acme")
	price := decimal.NewFromInt(600000)
	d, err := h.env.Deal.Create(context.Background(), agentActor, deal.Input{Title: "9 Birch sale", Kind: "sale", Side: "seller", Price: &price})
	if err != nil {
		t.Fatal(err)
	}
	base := "/deal-money/" + d.ID.String()
	expect(t, h.get(base, agent), http.StatusOK, "9 Birch sale", "No earnest money recorded", "No commission set")
	r := h.post(base+"/deposits", url.Values{"form": {"deposit"}, "holder": {"brokerage"}, "amount": {"ten"}}, agent)
	expect(t, r, http.StatusUnprocessableEntity, "is not a number", `name="amount" inputmode="decimal" value="ten"`)
	r = h.post(base+"/deposits", url.Values{"form": {"deposit"}, "holder": {"brokerage"}, "amount": {"15000"}, "due_date": {"2026-05-01"}}, agent)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != base+"?notice=saved" {
		t.Fatalf("record deposit = %d %q: %.300s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	deps, err := h.env.Deal.EscrowDeposits(context.Background(), agentActor, d.ID)
	if err != nil || len(deps) != 1 {
		t.Fatalf("deposits = %v, %v", deps, err)
	}
	r = h.post(base+"/deposits/"+deps[0].ID.String()+"/receive", url.Values{"form": {"receive"}}, agent)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("receive = %d: %.300s", r.StatusCode, r.body)
	}
	r = h.post(base+"/commission", url.Values{"form": {"commission"}, "gross": {"3"}, "basis": {"rate"}, "referral": {"500"},
		"referral_basis": {"amount"}}, agent)
	expect(t, r, http.StatusUnprocessableEntity, "referral")
	r = h.post(base+"/commission", url.Values{"form": {"commission"}, "gross": {"3"}, "basis": {"rate"}, "back": {base}}, agent)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set commission = %d: %.300s", r.StatusCode, r.body)
	}
	expect(t, h.get(base, agent), http.StatusOK, "15,000", "received", "18,000", "a preview until closing")
	h.env.WalkDeal(t, agentActor, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose, deal.Closed)
	expect(t, h.get(base, agent), http.StatusOK, "posted at closing", "released", `id="cda-link"`)
	expect(t, h.get(base+"/authorization", agent), http.StatusOK, "Commission disbursement authorisation", "18000.00")
	r = h.get("/deal-money/gci", broker)
	expect(t, r, http.StatusOK, "GCI by agent", "18,000")
	if strings.Contains(h.get("/deal-money/gci?year=1999", broker).body, "18,000") {
		t.Error("GCI of 1999 shows this year's commission")
	}
}
