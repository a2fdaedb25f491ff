package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"realty/internal/deal"
)

// TestContractSignerForms adds a signer to a drawn contract from the deal's
// contract section, refuses a bad address in place, and removes the
// signer again.
func TestContractSignerForms(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	broker := acme.Personas["broker"].Actor
	ctx := context.Background()
	d, err := h.env.Deal.Create(ctx, broker, deal.Input{Title: "Signer forms", Kind: "sale", Side: "seller"})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := h.env.Contracts.CreateTemplate(ctx, broker, deal.TemplateInput{Name: "Agreement", Body: "Sale of {{property.address}}"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := h.env.Contracts.CreateContract(ctx, broker, d.ID, deal.ContractInput{TemplateID: tpl.ID,
		Signers: []deal.SignerInput{{Name: "Sue Seller", Email: "sue@example.com", Role: "seller"}}})
	if err != nil {
		t.Fatal(err)
	}
	session := h.login(acme.Personas["broker"].Email, "acme")
	base := "/deals/" + d.ID.String()
	add := base + "/contracts/" + k.Contract.ID.String() + "/signers"
	expect(t, h.get(base+"/contracts", session), http.StatusOK, `action="`+add+`"`)
	expect(t, h.post(add, url.Values{"name": {"Wes"}, "email": {"nope"}, "role": {"witness"}}, session), http.StatusUnprocessableEntity, "e-mail address")
	r := h.post(add, url.Values{"name": {"Wes Witness"}, "email": {"wes@example.com"}, "role": {"witness"}, "optional": {"yes"}}, session)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add signer = %d: %.300s", r.StatusCode, r.body)
	}
	got, err := h.env.Contracts.Contract(ctx, broker, k.Contract.ID)
	if err != nil || len(got.Signers) != 2 || got.Signers[1].Required {
		t.Fatalf("signers after the form = %+v, %v; want an optional second", got.Signers, err)
	}
	remove := base + "/contract-signers/" + got.Signers[1].ID.String() + "/remove"
	expect(t, h.get(base+"/contracts", session), http.StatusOK, "Wes Witness", `action="`+remove+`"`)
	if r := h.post(remove, url.Values{}, session); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove signer = %d: %.300s", r.StatusCode, r.body)
	}
	if page := h.get(base+"/contracts", session); strings.Contains(page.body, "Wes Witness &lt;") {
		t.Error("the removed signer is still listed")
	}
}
