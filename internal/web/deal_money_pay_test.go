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

// TestDealMoneyPayButton closes a deal and pays the agent's split from the
// commission section: the broker sees a Pay button, the agent does not;
// the split then shows paid with its reference, and paying again is
// refused in place.
func TestDealMoneyPayButton(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agentActor := acme.Personas["agent"].Actor
	agent, broker := h.login(acme.Personas["agent"].Email, "acme"), h.login(acme.Personas["broker"].Email, "acme")
	price := decimal.NewFromInt(500000)
	d, err := h.env.Deal.Create(context.Background(), agentActor, deal.Input{Title: "4 Pay street", Kind: "sale", Side: "seller", Price: &price})
	if err != nil {
		t.Fatal(err)
	}
	h.env.WalkDeal(t, agentActor, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose, deal.Closed)
	c, err := h.env.Deal.Commission(context.Background(), agentActor, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	split := c.Splits[len(c.Splits)-1]
	base := "/deal-money/" + d.ID.String()
	action := base + "/splits/" + split.ID.String() + "/pay"
	expect(t, h.get(base, broker), http.StatusOK, `action="`+action+`"`, `id="cda-document"`)
	if strings.Contains(h.get(base, agent).body, action) {
		t.Error("the agent sees the Pay button")
	}
	r := h.post(action, url.Values{"form": {"pay"}, "reference": {"CHK 77"}, "back": {base}}, broker)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("pay = %d: %.300s", r.StatusCode, r.body)
	}
	page := h.get(base, broker)
	expect(t, page, http.StatusOK, "paid ", "CHK 77")
	if strings.Contains(page.body, `action="`+action+`"`) {
		t.Error("a paid split still shows its Pay button")
	}
	expect(t, h.post(action, url.Values{"form": {"pay"}}, broker), http.StatusConflict, "was paid on")
}
