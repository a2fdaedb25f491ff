package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
)

// InvoiceLineBody is one charge of a draft invoice.
type InvoiceLineBody struct {
	Type        string           `json:"type" enum:"rent,late_fee,utility,maintenance,deposit,other"`
	Description string           `json:"description" minLength:"1" maxLength:"300"`
	Quantity    *decimal.Decimal `json:"quantity,omitempty" maxLength:"20" numeric:"10,2"`
	Amount      decimal.Decimal  `json:"amount" maxLength:"20" numeric:"14,2" doc:"positive, in whole cents"`
	AccountID   *realty.ID       `json:"account_id,omitempty" doc:"the income (or liability) account credited; by default from the type: rent → rental income, late_fee → late fee income, deposit → security deposits held, others → other tenant charges"`
}

// InvoiceBody is a draft invoice.
type InvoiceBody struct {
	TenantID   realty.ID         `json:"tenant_id"`
	LeaseID    *realty.ID        `json:"lease_id,omitempty"`
	PropertyID *realty.ID        `json:"property_id,omitempty"`
	UnitID     *realty.ID        `json:"unit_id,omitempty"`
	DueDate    realty.Date       `json:"due_date"`
	Period     *realty.Date      `json:"period,omitempty" doc:"first day of the month billed"`
	Memo       string            `json:"memo,omitempty" maxLength:"500"`
	Lines      []InvoiceLineBody `json:"lines" minItems:"1" maxItems:"100"`
}

func (b InvoiceBody) input() ledger.InvoiceInput {
	in := ledger.InvoiceInput{TenantID: b.TenantID, LeaseID: b.LeaseID, PropertyID: b.PropertyID, UnitID: b.UnitID, DueDate: b.DueDate, Period: b.Period, Memo: b.Memo}
	for _, l := range b.Lines {
		in.Lines = append(in.Lines, ledger.InvoiceLineInput{Type: l.Type, Description: l.Description, Quantity: l.Quantity, Amount: l.Amount, AccountID: l.AccountID})
	}
	return in
}

// InvoiceOutput is an invoice.
type InvoiceOutput struct{ Body ledger.Invoice }

// InvoiceListInput filters invoices.
type InvoiceListInput struct {
	TenantID string `query:"tenant_id" maxLength:"36"`
	LeaseID  string `query:"lease_id" maxLength:"36"`
	Status   string `query:"status" enum:"draft,open,partial,paid,void,overdue" doc:"overdue: open or partial with a balance, past due"`
	Cursor   string `query:"cursor" maxLength:"500"`
	Limit    int    `query:"limit" minimum:"1" maximum:"100" default:"50"`
}

// InvoicesOutput is a page of invoices.
type InvoicesOutput struct{ Body ledger.InvoicePage }

// IdempotentID is a money-moving operation on one resource.
type IdempotentID struct {
	IdempotencyKey
	ID realty.ID `path:"id" doc:"the resource's id (UUID)"`
}

// AllocationBody is an amount of a payment for one invoice.
type AllocationBody struct {
	InvoiceID realty.ID       `json:"invoice_id"`
	Amount    decimal.Decimal `json:"amount" maxLength:"20" numeric:"14,2"`
}

func allocations(list []AllocationBody) []ledger.AllocationInput {
	out := make([]ledger.AllocationInput, len(list))
	for i, a := range list {
		out[i] = ledger.AllocationInput{InvoiceID: a.InvoiceID, Amount: a.Amount}
	}
	return out
}

// PaymentBody is a payment received.
type PaymentBody struct {
	TenantID    realty.ID        `json:"tenant_id"`
	LeaseID     *realty.ID       `json:"lease_id,omitempty"`
	Method      string           `json:"method" enum:"cash,check,ach,card,money_order,other"`
	Amount      decimal.Decimal  `json:"amount" maxLength:"20" numeric:"14,2"`
	Fee         *decimal.Decimal `json:"fee,omitempty" maxLength:"20" numeric:"14,2"`
	ReceivedOn  *realty.Date     `json:"received_on,omitempty" doc:"today in the organization's time zone when absent"`
	Reference   string           `json:"reference,omitempty" maxLength:"100"`
	Allocations []AllocationBody `json:"allocations,omitempty" maxItems:"100" doc:"apply it to these invoices"`
	Auto        bool             `json:"auto_allocate,omitempty" doc:"apply it to the tenant's open invoices, oldest due first"`
}

// PaymentInputBody records a payment.
type PaymentInputBody struct {
	IdempotencyKey
	Body PaymentBody
}

// AllocateInput applies a payment.
type AllocateInput struct {
	IdempotentID
	Body struct {
		Allocations []AllocationBody `json:"allocations,omitempty" maxItems:"100" doc:"empty: the tenant's open invoices, oldest due first"`
	}
}

// RefundInput refunds a payment's unapplied credit.
type RefundInput struct {
	IdempotentID
	Body struct {
		Amount    decimal.Decimal `json:"amount" maxLength:"20" numeric:"14,2"`
		Reference string          `json:"reference,omitempty" maxLength:"100"`
	}
}

// PaymentOutput is a payment.
type PaymentOutput struct{ Body ledger.Payment }

// AllocationList is allocations made.
type AllocationList struct {
	Items []ledger.Allocation `json:"items"`
}

// TenantLedgerInput pages a tenant's ledger.
type TenantLedgerInput struct {
	ID     realty.ID `path:"id" doc:"the tenant's id"`
	Cursor string    `query:"cursor" maxLength:"500"`
	Limit  int       `query:"limit" minimum:"1" maximum:"100" default:"50"`
}

// TenantLedgerOutput is a page of a tenant's ledger.
type TenantLedgerOutput struct{ Body ledger.TenantLedgerPage }

// LeaseBalanceOutput is a lease's balance.
type LeaseBalanceOutput struct{ Body ledger.LeaseBalance }

// AgingOutput is AR aging.
type AgingOutput struct{ Body ledger.Aging }

func routeInvoices(a huma.API, d Deps) {
	tags := []string{"Receivables"}
	read, manage := Access{Permission: "invoice.read"}, Access{Permission: "invoice.manage"}
	Register(a, huma.Operation{OperationID: "list-invoices", Method: http.MethodGet, Path: Prefix + "/invoices", Tags: tags,
		Summary: "Invoices by due date"}, read, func(ctx context.Context, in *InvoiceListInput) (*InvoicesOutput, error) {
		tenant, err := optionalID(in.TenantID, "tenant_id")
		if err != nil {
			return nil, err
		}
		lease, err := optionalID(in.LeaseID, "lease_id")
		if err != nil {
			return nil, err
		}
		p, err := d.Ledger.Invoices(ctx, actor(ctx), ledger.InvoiceFilter{TenantID: tenant, LeaseID: lease, Status: in.Status, Cursor: in.Cursor, Limit: in.Limit})
		return &InvoicesOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "create-invoice", Method: http.MethodPost, Path: Prefix + "/invoices", Tags: tags,
		Summary: "Draft an invoice", Description: "A draft has no number and posts nothing until issued.", DefaultStatus: http.StatusCreated},
		manage, func(ctx context.Context, in *struct{ Body InvoiceBody }) (*InvoiceOutput, error) {
			inv, err := d.Ledger.CreateInvoice(ctx, actor(ctx), in.Body.input())
			return &InvoiceOutput{Body: inv}, err
		})
	Register(a, huma.Operation{OperationID: "get-invoice", Method: http.MethodGet, Path: Prefix + "/invoices/{id}", Tags: tags,
		Summary: "One invoice with its lines"}, read, func(ctx context.Context, in *IDPath) (*InvoiceOutput, error) {
		inv, err := d.Ledger.Invoice(ctx, actor(ctx), in.ID)
		return &InvoiceOutput{Body: inv}, err
	})
	registerIdempotent(a, d, huma.Operation{OperationID: "issue-invoice", Method: http.MethodPost, Path: Prefix + "/invoices/{id}/issue", Tags: tags,
		Summary: "Issue a draft invoice", Description: "Numbers it (gap-free per year) and posts AR against each line's account; 409 unless a draft.",
		DefaultStatus: http.StatusOK}, manage, idempotentOp[IdempotentID, ledger.Invoice]{
		key:  func(in *IdempotentID) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *IdempotentID) any { return in.ID },
		work: func(ctx context.Context, tx pgx.Tx, in *IdempotentID) (ledger.Invoice, error) {
			return d.Ledger.IssueInvoiceTx(ctx, tx, actor(ctx), in.ID)
		}})
	registerIdempotent(a, d, huma.Operation{OperationID: "void-invoice", Method: http.MethodPost, Path: Prefix + "/invoices/{id}/void", Tags: tags,
		Summary: "Void an issued invoice", Description: "Un-applies its allocations (the money becomes tenant credit again) and reverses its posting; the number stays.",
		DefaultStatus: http.StatusOK}, manage, idempotentOp[IdempotentID, ledger.Invoice]{
		key:  func(in *IdempotentID) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *IdempotentID) any { return in.ID },
		work: func(ctx context.Context, tx pgx.Tx, in *IdempotentID) (ledger.Invoice, error) {
			return d.Ledger.VoidInvoiceTx(ctx, tx, actor(ctx), in.ID)
		}})
	routePayments(a, d)
	routeReceivableReads(a, d)
}

func routePayments(a huma.API, d Deps) {
	tags := []string{"Receivables"}
	record := Access{Permission: "payment.record"}
	registerIdempotent(a, d, huma.Operation{OperationID: "record-payment", Method: http.MethodPost, Path: Prefix + "/payments", Tags: tags,
		Summary: "Record a payment", Description: "Posts cash received against the tenant's credit, then applies it as asked.",
		DefaultStatus: http.StatusCreated}, record, idempotentOp[PaymentInputBody, ledger.PaymentResult]{
		key:  func(in *PaymentInputBody) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *PaymentInputBody) any { return in.Body },
		work: func(ctx context.Context, tx pgx.Tx, in *PaymentInputBody) (ledger.PaymentResult, error) {
			b := in.Body
			return d.Ledger.RecordPaymentTx(ctx, tx, actor(ctx), ledger.PaymentInput{TenantID: b.TenantID, LeaseID: b.LeaseID, Method: b.Method,
				Amount: b.Amount, Fee: orZero(b.Fee), ReceivedOn: b.ReceivedOn, Reference: b.Reference, Allocations: allocations(b.Allocations), Auto: b.Auto})
		}})
	Register(a, huma.Operation{OperationID: "get-payment", Method: http.MethodGet, Path: Prefix + "/payments/{id}", Tags: tags,
		Summary: "One payment"}, Access{Permission: "invoice.read"}, func(ctx context.Context, in *IDPath) (*PaymentOutput, error) {
		p, err := d.Ledger.Payment(ctx, actor(ctx), in.ID)
		return &PaymentOutput{Body: p}, err
	})
	registerIdempotent(a, d, huma.Operation{OperationID: "allocate-payment", Method: http.MethodPost, Path: Prefix + "/payments/{id}/allocations", Tags: tags,
		Summary: "Apply a payment to invoices", DefaultStatus: http.StatusCreated}, record, idempotentOp[AllocateInput, ledger.PaymentResult]{
		key:  func(in *AllocateInput) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *AllocateInput) any { return []any{in.ID, in.Body} },
		work: func(ctx context.Context, tx pgx.Tx, in *AllocateInput) (ledger.PaymentResult, error) {
			return d.Ledger.AllocateTx(ctx, tx, actor(ctx), in.ID, allocations(in.Body.Allocations))
		}})
	registerIdempotent(a, d, huma.Operation{OperationID: "refund-payment", Method: http.MethodPost, Path: Prefix + "/payments/{id}/refunds", Tags: tags,
		Summary: "Refund a payment's unapplied credit", DefaultStatus: http.StatusCreated}, record, idempotentOp[RefundInput, ledger.RefundResult]{
		key:  func(in *RefundInput) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *RefundInput) any { return []any{in.ID, in.Body} },
		work: func(ctx context.Context, tx pgx.Tx, in *RefundInput) (ledger.RefundResult, error) {
			return d.Ledger.RefundPaymentTx(ctx, tx, actor(ctx), in.ID, in.Body.Amount, in.Body.Reference)
		}})
	registerIdempotent(a, d, huma.Operation{OperationID: "fail-payment", Method: http.MethodPost, Path: Prefix + "/payments/{id}/failure", Tags: tags,
		Summary: "Mark a payment failed (returned, NSF)", Description: "Reverses its posting and its allocations' and restores the invoices' balances.",
		DefaultStatus: http.StatusOK}, record, idempotentOp[IdempotentID, ledger.PaymentResult]{
		key:  func(in *IdempotentID) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *IdempotentID) any { return in.ID },
		work: func(ctx context.Context, tx pgx.Tx, in *IdempotentID) (ledger.PaymentResult, error) {
			return d.Ledger.FailPaymentTx(ctx, tx, actor(ctx), in.ID)
		}})
	registerIdempotent(a, d, huma.Operation{OperationID: "apply-tenant-credit", Method: http.MethodPost, Path: Prefix + "/ledger/tenants/{id}/apply-credit", Tags: tags,
		Summary: "Apply a tenant's unapplied credit to their open invoices", DefaultStatus: http.StatusOK}, record, idempotentOp[IdempotentID, AllocationList]{
		key:  func(in *IdempotentID) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *IdempotentID) any { return in.ID },
		work: func(ctx context.Context, tx pgx.Tx, in *IdempotentID) (AllocationList, error) {
			list, err := d.Ledger.ApplyCreditTx(ctx, tx, actor(ctx), in.ID)
			return AllocationList{Items: list}, err
		}})
}

func routeReceivableReads(a huma.API, d Deps) {
	tags := []string{"Receivables"}
	read := Access{Permission: "invoice.read"}
	Register(a, huma.Operation{OperationID: "tenant-ledger", Method: http.MethodGet, Path: Prefix + "/ledger/tenants/{id}/ledger", Tags: tags,
		Summary: "A tenant's charges, payments and credits with running balance"}, read, func(ctx context.Context, in *TenantLedgerInput) (*TenantLedgerOutput, error) {
		p, err := d.Ledger.TenantLedger(ctx, actor(ctx), in.ID, in.Cursor, in.Limit)
		return &TenantLedgerOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "lease-balance", Method: http.MethodGet, Path: Prefix + "/ledger/leases/{id}/balance", Tags: tags,
		Summary: "What a lease owes"}, read, func(ctx context.Context, in *IDPath) (*LeaseBalanceOutput, error) {
		b, err := d.Ledger.LeaseBalance(ctx, actor(ctx), in.ID)
		return &LeaseBalanceOutput{Body: b}, err
	})
	Register(a, huma.Operation{OperationID: "ar-aging", Method: http.MethodGet, Path: Prefix + "/ledger/aging", Tags: tags,
		Summary: "AR aging as of a day, per tenant and total"}, read, func(ctx context.Context, in *TrialBalanceInput) (*AgingOutput, error) {
		asOf := realty.DateOf(time.Now().UTC())
		if in.AsOf != "" {
			var err error
			if asOf, err = realty.ParseDate(in.AsOf); err != nil {
				return nil, realty.FieldError("as_of", "must be a date, YYYY-MM-DD")
			}
		}
		ag, err := d.Ledger.Aging(ctx, actor(ctx), asOf)
		return &AgingOutput{Body: ag}, err
	})
}
