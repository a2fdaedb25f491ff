package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
)

// BillingPreviewInput names the month to preview.
type BillingPreviewInput struct {
	Period string `query:"period" pattern:"^[0-9]{4}-[0-9]{2}$" maxLength:"7" doc:"the month, YYYY-MM; the current month in the organization's time zone when absent"`
}

// BillingOutput is a billing run or its preview.
type BillingOutput struct{ Body leasing.Billing }

// BillingRunInput runs the billing for a month.
type BillingRunInput struct {
	IdempotencyKey
	Body struct {
		Period string `json:"period" pattern:"^[0-9]{4}-[0-9]{2}$" maxLength:"7" doc:"the month, YYYY-MM"`
	}
}

// DeductionBody is one charge kept from a deposit.
type DeductionBody struct {
	Reason    string          `json:"reason" minLength:"1" maxLength:"300"`
	Amount    decimal.Decimal `json:"amount" maxLength:"20" numeric:"14,2" doc:"positive, in whole cents"`
	AccountID *realty.ID      `json:"account_id,omitempty" doc:"the account credited; other tenant charges by default"`
}

// DispositionInput disposes of a lease's deposit.
type DispositionInput struct {
	IdempotentID
	Body struct {
		Date       *realty.Date    `json:"date,omitempty" doc:"the accounting date; today in the organization's time zone when absent"`
		Deductions []DeductionBody `json:"deductions,omitempty" maxItems:"50" doc:"kept from the deposit; the rest is refunded"`
	}
}

// DepositOutput is a lease's deposit.
type DepositOutput struct{ Body leasing.Deposit }

func routeBilling(a huma.API, d Deps) {
	tags := []string{"Billing"}
	Register(a, huma.Operation{OperationID: "preview-billing", Method: http.MethodGet, Path: Prefix + "/billing/preview", Tags: tags,
		Summary: "What a billing run would write", Description: "The rent invoices of the month not yet billed and the late " +
			"fees owed today not yet charged; nothing is written."}, Access{Permission: "invoice.read"},
		func(ctx context.Context, in *BillingPreviewInput) (*BillingOutput, error) {
			period, err := d.Leasing.Period(ctx, actor(ctx), in.Period)
			if err != nil {
				return nil, err
			}
			b, err := d.Leasing.PreviewBilling(ctx, actor(ctx), period)
			return &BillingOutput{Body: b}, err
		})
	registerIdempotent(a, d, huma.Operation{OperationID: "run-billing", Method: http.MethodPost, Path: Prefix + "/billing/runs", Tags: tags,
		Summary: "Run the billing for a month", Description: "Late fees owed today, then one invoice per lease whose term " +
			"overlaps the month, each issued and posted. A lease is billed once per month and a late fee charged once per " +
			"invoice and rule, however often this runs.", DefaultStatus: http.StatusOK}, Access{Permission: "invoice.manage"},
		idempotentOp[BillingRunInput, leasing.Billing]{
			key:  func(in *BillingRunInput) string { return in.IdempotencyKey.IdempotencyKey },
			body: func(in *BillingRunInput) any { return in.Body },
			work: func(ctx context.Context, tx pgx.Tx, in *BillingRunInput) (leasing.Billing, error) {
				period, err := leasing.ParsePeriod(in.Body.Period)
				if err != nil {
					return leasing.Billing{}, err
				}
				return d.Leasing.RunBillingTx(ctx, tx, actor(ctx), period)
			},
		})
	Register(a, huma.Operation{OperationID: "get-lease-deposit", Method: http.MethodGet, Path: Prefix + "/leases/{id}/deposit", Tags: tags,
		Summary: "A lease's security deposit", Description: "What the lease asks, what is held, and its disposition once made. " +
			"Needs lease.read as well."}, Access{Permission: "invoice.read"},
		func(ctx context.Context, in *IDPath) (*DepositOutput, error) {
			dep, err := d.Leasing.LeaseDeposit(ctx, actor(ctx), in.ID)
			return &DepositOutput{Body: dep}, err
		})
	registerIdempotent(a, d, huma.Operation{OperationID: "dispose-lease-deposit", Method: http.MethodPost, Path: Prefix + "/leases/{id}/deposit/disposition",
		Tags: tags, Summary: "Dispose of a deposit at move-out", Description: "In one posting: the deductions charged and paid " +
			"from the deposit, the rest refunded. Only after the move-out or the lease's end, and once.", DefaultStatus: http.StatusOK},
		Access{Permission: "invoice.manage"}, idempotentOp[DispositionInput, leasing.Deposit]{
			key:  func(in *DispositionInput) string { return in.IdempotencyKey.IdempotencyKey },
			body: func(in *DispositionInput) any { return struct{ ID, Body any }{in.ID, in.Body} },
			work: func(ctx context.Context, tx pgx.Tx, in *DispositionInput) (leasing.Deposit, error) {
				var ded []ledger.DeductionInput
				for _, x := range in.Body.Deductions {
					ded = append(ded, ledger.DeductionInput{Reason: x.Reason, Amount: x.Amount, AccountID: x.AccountID})
				}
				return d.Leasing.DisposeDepositTx(ctx, tx, actor(ctx), in.ID, leasing.DispositionInput{Date: in.Body.Date, Deductions: ded})
			},
		})
}
