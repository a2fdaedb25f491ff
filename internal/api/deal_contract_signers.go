package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty/internal/deal"
)

func routeContractSigners(a huma.API, d Deps, tags []string, write Access) {
	Register(a, huma.Operation{OperationID: "add-contract-signer", Method: http.MethodPost, Path: Prefix + "/contracts/{id}/signers", Tags: tags,
		Summary: "Add a signer to a draft or sent contract", DefaultStatus: http.StatusCreated,
		Description: "The signer comes after those the contract has (at most 20). A sent contract e-mails the new signer their one-time " +
			"link at once. 409 naming status once the contract is executed or void; 409 naming email when the address already signs it."}, write,
		func(ctx context.Context, in *struct {
			IDPath
			Body deal.SignerInput
		}) (*ContractOutput, error) {
			k, _, err := d.Contracts.AddSigner(ctx, actor(ctx), in.ID, in.Body)
			return &ContractOutput{Body: k}, err
		})
	Register(a, huma.Operation{OperationID: "remove-contract-signer", Method: http.MethodDelete, Path: Prefix + "/contract-signers/{id}", Tags: tags,
		Summary: "Remove a signer who has not signed from a draft or sent contract",
		Description: "{id} is the signer (the contract lists its signers). Their link stops working. A signer who signed is not removed " +
			"(409), nor the last required one (422 naming signers). When every remaining required signer of a sent contract has signed, " +
			"removing the last one who had not executes the contract, after the same checks as a signature. Returns the contract."}, write,
		func(ctx context.Context, in *IDPath) (*ContractOutput, error) {
			k, err := d.Contracts.RemoveSigner(ctx, actor(ctx), in.ID)
			return &ContractOutput{Body: k}, err
		})
}
