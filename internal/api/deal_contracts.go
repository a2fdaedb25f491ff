package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"realty/internal/deal"
)

// ContractTemplateOutput is a contract template.
type ContractTemplateOutput struct{ Body deal.ContractTemplate }

// ContractTemplatesOutput lists contract templates.
type ContractTemplatesOutput struct {
	Body struct {
		Items []deal.ContractTemplate `json:"items"`
	}
}

// ContractsOutput lists a deal's contracts.
type ContractsOutput struct {
	Body struct {
		Items []deal.Contract `json:"items"`
	}
}

// ContractOutput is a contract with its versions, amendments, signers and
// audit trail.
type ContractOutput struct{ Body deal.ContractDetail }

// VoidContractBody says why a contract is voided.
type VoidContractBody struct {
	Reason string `json:"reason,omitempty" maxLength:"1000"`
}

func routeDealContracts(a huma.API, d Deps) {
	tags := []string{"Contracts"}
	read, write, manage := Access{Permission: "deal.read"}, Access{Permission: "deal.write"}, Access{Permission: "deal.manage"}
	Register(a, huma.Operation{OperationID: "list-contract-templates", Method: http.MethodGet, Path: Prefix + "/contract-templates", Tags: tags,
		Summary: "List contract templates by name"}, read, func(ctx context.Context, _ *struct{}) (*ContractTemplatesOutput, error) {
		list, err := d.Contracts.Templates(ctx, actor(ctx))
		out := &ContractTemplatesOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "get-contract-template", Method: http.MethodGet, Path: Prefix + "/contract-templates/{id}", Tags: tags,
		Summary: "One contract template"}, read, func(ctx context.Context, in *IDPath) (*ContractTemplateOutput, error) {
		t, err := d.Contracts.Template(ctx, actor(ctx), in.ID)
		return &ContractTemplateOutput{Body: t}, err
	})
	fields := "Merge fields, written {{field}}: " + strings.Join(deal.MergeFields, ", ") + ". Any other {{…}} is refused (422 naming body); " +
		"a field the deal has no value for is printed as a blank line."
	Register(a, huma.Operation{OperationID: "create-contract-template", Method: http.MethodPost, Path: Prefix + "/contract-templates", Tags: tags,
		Summary: "Add a contract template", Description: fields, DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *struct{ Body deal.TemplateInput }) (*ContractTemplateOutput, error) {
			t, err := d.Contracts.CreateTemplate(ctx, actor(ctx), in.Body)
			return &ContractTemplateOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "replace-contract-template", Method: http.MethodPut, Path: Prefix + "/contract-templates/{id}", Tags: tags,
		Summary: "Change a contract template", Description: fields + " Contracts drawn from it keep their versions."}, manage,
		func(ctx context.Context, in *struct {
			IDPath
			Body deal.TemplateInput
		}) (*ContractTemplateOutput, error) {
			t, err := d.Contracts.ReplaceTemplate(ctx, actor(ctx), in.ID, in.Body)
			return &ContractTemplateOutput{Body: t}, err
		})
	routeContracts(a, d, tags, read, write)
	routeContractSigners(a, d, tags, write)
}

func routeContracts(a huma.API, d Deps, tags []string, read, write Access) {
	Register(a, huma.Operation{OperationID: "list-deal-contracts", Method: http.MethodGet, Path: Prefix + "/deals/{id}/contracts", Tags: tags,
		Summary: "A deal's contracts"}, read, func(ctx context.Context, in *IDPath) (*ContractsOutput, error) {
		list, err := d.Contracts.DealContracts(ctx, actor(ctx), in.ID)
		out := &ContractsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-deal-contract", Method: http.MethodPost, Path: Prefix + "/deals/{id}/contracts", Tags: tags,
		Summary: "Draw a contract from a template", DefaultStatus: http.StatusCreated,
		Description: "Merges the deal's values into the template and stores version 1 as a PDF; the contract is a draft until sent."}, write,
		func(ctx context.Context, in *struct {
			IDPath
			Body deal.ContractInput
		}) (*ContractOutput, error) {
			k, err := d.Contracts.CreateContract(ctx, actor(ctx), in.ID, in.Body)
			return &ContractOutput{Body: k}, err
		})
	Register(a, huma.Operation{OperationID: "get-contract", Method: http.MethodGet, Path: Prefix + "/contracts/{id}", Tags: tags,
		Summary: "A contract with its versions, amendments, signers and signing trail"}, read,
		func(ctx context.Context, in *IDPath) (*ContractOutput, error) {
			k, err := d.Contracts.Contract(ctx, actor(ctx), in.ID)
			return &ContractOutput{Body: k}, err
		})
	Register(a, huma.Operation{OperationID: "send-contract", Method: http.MethodPost, Path: Prefix + "/contracts/{id}/send", Tags: tags,
		Summary:     "E-mail every signer who has not signed a one-time signing link",
		Description: "Sending again replaces the links; earlier ones stop working. The links are never shown here: only the signer's inbox gets one."}, write,
		func(ctx context.Context, in *IDPath) (*ContractOutput, error) {
			k, _, err := d.Contracts.Send(ctx, actor(ctx), in.ID)
			return &ContractOutput{Body: k}, err
		})
	Register(a, huma.Operation{OperationID: "void-contract", Method: http.MethodPost, Path: Prefix + "/contracts/{id}/void", Tags: tags,
		Summary: "Void a contract that is not executed; its links stop working"}, write,
		func(ctx context.Context, in *struct {
			IDPath
			Body VoidContractBody
		}) (*ContractOutput, error) {
			k, err := d.Contracts.Void(ctx, actor(ctx), in.ID, in.Body.Reason)
			return &ContractOutput{Body: k}, err
		})
	Register(a, huma.Operation{OperationID: "amend-contract", Method: http.MethodPost, Path: Prefix + "/contracts/{id}/amendments", Tags: tags,
		Summary: "Amend a contract", DefaultStatus: http.StatusCreated,
		Description: "Adds a version with the amendment appended; every signer signs it again, so the contract returns to draft."}, write,
		func(ctx context.Context, in *struct {
			IDPath
			Body deal.AmendmentInput
		}) (*ContractOutput, error) {
			k, err := d.Contracts.Amend(ctx, actor(ctx), in.ID, in.Body)
			return &ContractOutput{Body: k}, err
		})
	Register(a, huma.Operation{OperationID: "get-contract-version-pdf", Method: http.MethodGet, Path: Prefix + "/contract-versions/{id}/pdf", Tags: tags,
		Summary: "A contract version's PDF", Description: "409 when the stored document no longer matches its recorded SHA-256."}, read,
		func(ctx context.Context, in *IDPath) (*ContentOutput, error) {
			b, _, err := d.Contracts.VersionPDF(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return &ContentOutput{ContentType: "application/pdf", ContentLength: strconv.Itoa(len(b)), CacheControl: "private, no-store", Body: b}, nil
		})
}
