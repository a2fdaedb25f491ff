package api_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/deal"
)

// globexContractIDs adds to foreign a globex deal with a contract template,
// a contract drawn from it and that contract's first version.
func globexContractIDs(t *testing.T, h *harness, foreign map[string]realty.ID) {
	t.Helper()
	ctx := context.Background()
	broker := h.b.Personas["broker"].Actor
	d, err := h.env.Deal.Create(ctx, broker, deal.Input{Title: "Globex deal", Kind: "sale", Side: "seller"})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := h.env.Contracts.CreateTemplate(ctx, broker, deal.TemplateInput{Name: "Globex agreement", Body: "Sale of {{property.address}}"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := h.env.Contracts.CreateContract(ctx, broker, d.ID, deal.ContractInput{TemplateID: tpl.ID,
		Signers: []deal.SignerInput{{Name: "Globex Seller", Email: "seller@globex.example", Role: "seller"}}})
	if err != nil {
		t.Fatal(err)
	}
	foreign["get-contract-template"], foreign["replace-contract-template"] = tpl.ID, tpl.ID
	foreign["list-deal-contracts"], foreign["create-deal-contract"] = d.ID, d.ID
	foreign["remove-contract-signer"] = k.Signers[0].ID
	for _, op := range []string{"get-contract", "send-contract", "void-contract", "amend-contract", "add-contract-signer"} {
		foreign[op] = k.Contract.ID
	}
	foreign["get-contract-version-pdf"] = k.Versions[0].ID
}
