package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
)

// BillLineBody is one expense line of a bill.
type BillLineBody struct {
	AccountID   realty.ID       `json:"account_id" doc:"an active expense account"`
	Description string          `json:"description" minLength:"1" maxLength:"300"`
	Amount      decimal.Decimal `json:"amount" maxLength:"20" numeric:"14,2" doc:"positive, in whole cents"`
	ChargeBack  bool            `json:"charge_back,omitempty" doc:"invoice this line to charge_back_tenant_id when the bill is approved"`
}

// BillBody is a vendor bill or expense to record.
type BillBody struct {
	Kind               string           `json:"kind,omitempty" enum:"bill,expense" doc:"expense: paid at once, its approval posts against operating cash (default bill)"`
	VendorID           realty.ID        `json:"vendor_id"`
	WorkOrderID        *realty.ID       `json:"work_order_id,omitempty"`
	PropertyID         *realty.ID       `json:"property_id,omitempty"`
	UnitID             *realty.ID       `json:"unit_id,omitempty"`
	Reference          string           `json:"reference,omitempty" maxLength:"100" doc:"the vendor's bill number"`
	BillDate           *realty.Date     `json:"bill_date,omitempty" doc:"today in the organization's time zone when absent"`
	DueDate            *realty.Date     `json:"due_date,omitempty" doc:"the bill date when absent"`
	Memo               string           `json:"memo,omitempty" maxLength:"500"`
	Tax                *decimal.Decimal `json:"tax,omitempty" maxLength:"20" numeric:"14,2" doc:"sales tax, posted with the first line's account"`
	Lines              []BillLineBody   `json:"lines" minItems:"1" maxItems:"100"`
	ChargeBackTenantID *realty.ID       `json:"charge_back_tenant_id,omitempty"`
	ChargeBackLeaseID  *realty.ID       `json:"charge_back_lease_id,omitempty"`
	Submit             bool             `json:"submit,omitempty" doc:"submit at once: approved then when at or below the organization's threshold"`
}

func (b BillBody) input() ledger.VendorBillInput {
	in := ledger.VendorBillInput{Kind: b.Kind, VendorID: b.VendorID, WorkOrderID: b.WorkOrderID, PropertyID: b.PropertyID, UnitID: b.UnitID,
		Reference: b.Reference, BillDate: b.BillDate, DueDate: b.DueDate, Memo: b.Memo, Tax: orZero(b.Tax),
		ChargeBackTenantID: b.ChargeBackTenantID, ChargeBackLeaseID: b.ChargeBackLeaseID, Submit: b.Submit}
	for _, l := range b.Lines {
		in.Lines = append(in.Lines, ledger.VendorBillLineInput{AccountID: l.AccountID, Description: l.Description, Amount: l.Amount, ChargeBack: l.ChargeBack})
	}
	return in
}

// BillInputBody records a bill.
type BillInputBody struct {
	IdempotencyKey
	Body BillBody
}

// BillPaymentInputBody pays a bill.
type BillPaymentInputBody struct {
	IdempotentID
	Body struct {
		Amount    decimal.Decimal `json:"amount" maxLength:"20" numeric:"14,2" doc:"at most the bill's balance"`
		PaidOn    *realty.Date    `json:"paid_on,omitempty" doc:"today in the organization's time zone when absent"`
		Method    string          `json:"method" enum:"check,ach,card,cash,wire,other"`
		Reference string          `json:"reference,omitempty" maxLength:"100"`
	}
}

// BillListInput filters bills.
type BillListInput struct {
	VendorID    string `query:"vendor_id" maxLength:"36"`
	PropertyID  string `query:"property_id" maxLength:"36"`
	WorkOrderID string `query:"work_order_id" maxLength:"36"`
	Kind        string `query:"kind" enum:"bill,expense"`
	Status      string `query:"status" enum:"draft,pending_approval,approved,partial,paid,void,open" doc:"open: approved or partially paid"`
	Cursor      string `query:"cursor" maxLength:"500"`
	Limit       int    `query:"limit" minimum:"1" maximum:"100" default:"50"`
}

// BillsOutput is a page of bills.
type BillsOutput struct{ Body ledger.BillPage }

// BillOutput is a bill.
type BillOutput struct{ Body ledger.VendorBill }

// LedgerSettingsBody replaces the ledger settings.
type LedgerSettingsBody struct {
	BillApprovalThreshold decimal.Decimal `json:"bill_approval_threshold" maxLength:"20" numeric:"14,2" doc:"a bill at or below it is approved when submitted; above it needs an approver other than its creator"`
}

// LedgerSettingsOutput is the ledger settings.
type LedgerSettingsOutput struct{ Body ledger.LedgerSettings }

func routeBills(a huma.API, d Deps) {
	tags := []string{"Payables"}
	manage := Access{Permission: "bill.manage"}
	Register(a, huma.Operation{OperationID: "list-bills", Method: http.MethodGet, Path: Prefix + "/bills", Tags: tags,
		Summary: "Vendor bills and expenses by due date"}, Access{Permission: "bill.read"}, func(ctx context.Context, in *BillListInput) (*BillsOutput, error) {
		f := ledger.BillFilter{Kind: in.Kind, Status: in.Status, Cursor: in.Cursor, Limit: in.Limit}
		var err error
		for _, p := range []struct {
			dst        **realty.ID
			val, field string
		}{{&f.VendorID, in.VendorID, "vendor_id"}, {&f.PropertyID, in.PropertyID, "property_id"}, {&f.WorkOrderID, in.WorkOrderID, "work_order_id"}} {
			if *p.dst, err = optionalID(p.val, p.field); err != nil {
				return nil, err
			}
		}
		p, err := d.Ledger.Bills(ctx, actor(ctx), f)
		return &BillsOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "get-bill", Method: http.MethodGet, Path: Prefix + "/bills/{id}", Tags: tags,
		Summary: "One bill with its lines and payments"}, Access{Permission: "bill.read"}, func(ctx context.Context, in *IDPath) (*BillOutput, error) {
		b, err := d.Ledger.Bill(ctx, actor(ctx), in.ID)
		return &BillOutput{Body: b}, err
	})
	registerIdempotent(a, d, huma.Operation{OperationID: "create-bill", Method: http.MethodPost, Path: Prefix + "/bills", Tags: tags,
		Summary: "Record a vendor bill or an expense", Description: "A draft unless `submit`; submitted at or below the approval threshold, it is approved and posted at once.",
		DefaultStatus: http.StatusCreated}, manage, idempotentOp[BillInputBody, ledger.VendorBill]{
		key:  func(in *BillInputBody) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *BillInputBody) any { return in.Body },
		work: func(ctx context.Context, tx pgx.Tx, in *BillInputBody) (ledger.VendorBill, error) {
			return d.Ledger.CreateBillTx(ctx, tx, actor(ctx), in.Body.input())
		}})
	billStep(a, d, "submit-bill", "submit", "Submit a draft bill for approval", "At or below the threshold it is approved and posted at once.",
		manage, d.Ledger.SubmitBillTx)
	billStep(a, d, "approve-bill", "approval", "Approve a bill", "Posts expenses against accounts payable (an expense: against cash) and invoices charged-back lines; "+
		"above the threshold only a member other than the bill's creator may approve (403).", Access{Permission: "bill.approve"}, d.Ledger.ApproveBillTx)
	billStep(a, d, "void-bill", "void", "Void a bill", "Reverses its posting (and voids its charge-back invoice); 409 once it has payments.",
		manage, d.Ledger.VoidBillTx)
	registerIdempotent(a, d, huma.Operation{OperationID: "pay-bill", Method: http.MethodPost, Path: Prefix + "/bills/{id}/payments", Tags: tags,
		Summary: "Pay an approved bill", Description: "Posts accounts payable against operating cash; at most the balance (422 naming amount).",
		DefaultStatus: http.StatusCreated}, Access{Permission: "bill.pay"}, idempotentOp[BillPaymentInputBody, ledger.VendorBill]{
		key:  func(in *BillPaymentInputBody) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *BillPaymentInputBody) any { return []any{in.ID, in.Body} },
		work: func(ctx context.Context, tx pgx.Tx, in *BillPaymentInputBody) (ledger.VendorBill, error) {
			b := in.Body
			return d.Ledger.PayBillTx(ctx, tx, actor(ctx), in.ID, ledger.BillPaymentInput{Amount: b.Amount, PaidOn: b.PaidOn, Method: b.Method, Reference: b.Reference})
		}})
	Register(a, huma.Operation{OperationID: "get-ledger-settings", Method: http.MethodGet, Path: Prefix + "/ledger/settings", Tags: tags,
		Summary: "The ledger settings (the bill approval threshold)"}, Access{Permission: "ledger.read"}, func(ctx context.Context, _ *struct{}) (*LedgerSettingsOutput, error) {
		st, err := d.Ledger.GetSettings(ctx, actor(ctx))
		return &LedgerSettingsOutput{Body: st}, err
	})
	Register(a, huma.Operation{OperationID: "replace-ledger-settings", Method: http.MethodPut, Path: Prefix + "/ledger/settings", Tags: tags,
		Summary: "Replace the ledger settings"}, Access{Permission: "ledger.manage"}, func(ctx context.Context, in *struct{ Body LedgerSettingsBody }) (*LedgerSettingsOutput, error) {
		st, err := d.Ledger.SetSettings(ctx, actor(ctx), ledger.LedgerSettings{BillApprovalThreshold: ledger.M(in.Body.BillApprovalThreshold)})
		return &LedgerSettingsOutput{Body: st}, err
	})
}

// billStep registers POST /bills/{id}/{step}, an idempotent change of one
// bill.
func billStep(a huma.API, d Deps, opID, step, summary, desc string, rule Access,
	fn func(context.Context, pgx.Tx, realty.Actor, realty.ID) (ledger.VendorBill, error)) {
	registerIdempotent(a, d, huma.Operation{OperationID: opID, Method: http.MethodPost, Path: Prefix + "/bills/{id}/" + step, Tags: []string{"Payables"},
		Summary: summary, Description: desc, DefaultStatus: http.StatusOK}, rule, idempotentOp[IdempotentID, ledger.VendorBill]{
		key:  func(in *IdempotentID) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *IdempotentID) any { return in.ID },
		work: func(ctx context.Context, tx pgx.Tx, in *IdempotentID) (ledger.VendorBill, error) {
			return fn(ctx, tx, actor(ctx), in.ID)
		}})
}
