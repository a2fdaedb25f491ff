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

// AccountBody is what creating or replacing an account takes.
type AccountBody struct {
	Code     string     `json:"code" minLength:"1" maxLength:"20" doc:"unique in the organization"`
	Name     string     `json:"name" minLength:"1" maxLength:"200"`
	Type     string     `json:"type" enum:"asset,liability,equity,income,expense"`
	ParentID *realty.ID `json:"parent_id,omitempty"`
	Active   *bool      `json:"active,omitempty" doc:"default true"`
}

func (b AccountBody) input() ledger.AccountInput {
	return ledger.AccountInput{Code: b.Code, Name: b.Name, Type: b.Type, ParentID: b.ParentID, Active: b.Active == nil || *b.Active}
}

// AccountOutput is an account.
type AccountOutput struct{ Body ledger.Account }

// AccountsOutput is the chart of accounts.
type AccountsOutput struct {
	Body struct {
		Items []ledger.Account `json:"items"`
	}
}

// AccountLinesInput pages an account's lines.
type AccountLinesInput struct {
	ID     realty.ID `path:"id" doc:"the account's id"`
	Cursor string    `query:"cursor" maxLength:"500"`
	Limit  int       `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// LinesOutput is a page of an account's lines.
type LinesOutput struct{ Body ledger.LinesPage }

// EntryLineBody is one line of a manual journal entry.
type EntryLineBody struct {
	AccountID  realty.ID        `json:"account_id"`
	Debit      *decimal.Decimal `json:"debit,omitempty" maxLength:"20" numeric:"14,2"`
	Credit     *decimal.Decimal `json:"credit,omitempty" maxLength:"20" numeric:"14,2"`
	PropertyID *realty.ID       `json:"property_id,omitempty"`
	UnitID     *realty.ID       `json:"unit_id,omitempty"`
	LeaseID    *realty.ID       `json:"lease_id,omitempty"`
	TenantID   *realty.ID       `json:"tenant_id,omitempty"`
	Memo       string           `json:"memo,omitempty" maxLength:"500"`
}

// EntryBody is a manual journal entry.
type EntryBody struct {
	EntryDate *realty.Date    `json:"entry_date,omitempty" doc:"the accounting date; today in the organization's time zone when absent"`
	Memo      string          `json:"memo,omitempty" maxLength:"500"`
	Lines     []EntryLineBody `json:"lines" minItems:"2" maxItems:"500"`
}

func (b EntryBody) entry() ledger.Entry {
	e := ledger.Entry{Date: b.EntryDate, Memo: b.Memo}
	for _, l := range b.Lines {
		e.Lines = append(e.Lines, ledger.Line{AccountID: l.AccountID, Debit: orZero(l.Debit), Credit: orZero(l.Credit),
			PropertyID: l.PropertyID, UnitID: l.UnitID, LeaseID: l.LeaseID, TenantID: l.TenantID, Memo: l.Memo})
	}
	return e
}

func orZero(d *decimal.Decimal) decimal.Decimal {
	if d == nil {
		return decimal.Zero
	}
	return *d
}

// EntryInput posts a manual journal entry.
type EntryInput struct {
	IdempotencyKey
	Body EntryBody
}

// ReversalInput reverses an entry.
type ReversalInput struct {
	IdempotencyKey
	ID   realty.ID `path:"id" doc:"the entry to reverse"`
	Body struct {
		Memo string `json:"memo,omitempty" maxLength:"500"`
	}
}

// CloseInput closes accounting periods.
type CloseInput struct {
	IdempotencyKey
	Body struct {
		Period realty.Date `json:"period" doc:"any day of the month to close; earlier open months close with it"`
	}
}

// EntryOutput is a journal entry.
type EntryOutput struct{ Body ledger.JournalEntry }

// PeriodList is accounting periods.
type PeriodList struct {
	Items []ledger.Period `json:"items"`
}

// PeriodsOutput lists periods.
type PeriodsOutput struct{ Body PeriodList }

// TrialBalanceInput asks for the trial balance as of a day.
type TrialBalanceInput struct {
	AsOf string `query:"as_of" maxLength:"10" doc:"YYYY-MM-DD; today (UTC) when absent"`
}

// TrialBalanceOutput is the trial balance.
type TrialBalanceOutput struct{ Body ledger.TrialBalance }

func routeLedger(a huma.API, d Deps) {
	routeLedgerAccounts(a, d)
	tags := []string{"Ledger"}
	registerIdempotent(a, d, huma.Operation{OperationID: "post-journal-entry", Method: http.MethodPost, Path: Prefix + "/ledger/entries", Tags: tags,
		Summary: "Post a manual journal entry", Description: "Debits must equal credits; an entry dated in a closed period is refused (409).",
		DefaultStatus: http.StatusCreated}, Access{Permission: "ledger.post"}, idempotentOp[EntryInput, ledger.JournalEntry]{
		key:  func(in *EntryInput) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *EntryInput) any { return in.Body },
		work: func(ctx context.Context, tx pgx.Tx, in *EntryInput) (ledger.JournalEntry, error) {
			return d.Ledger.PostManualTx(ctx, tx, actor(ctx), in.Body.entry())
		}})
	Register(a, huma.Operation{OperationID: "get-journal-entry", Method: http.MethodGet, Path: Prefix + "/ledger/entries/{id}", Tags: tags,
		Summary: "One journal entry with its lines"}, Access{Permission: "ledger.read"}, func(ctx context.Context, in *IDPath) (*EntryOutput, error) {
		e, err := d.Ledger.JournalEntry(ctx, actor(ctx), in.ID)
		return &EntryOutput{Body: e}, err
	})
	registerIdempotent(a, d, huma.Operation{OperationID: "reverse-journal-entry", Method: http.MethodPost, Path: Prefix + "/ledger/entries/{id}/reversal", Tags: tags,
		Summary: "Reverse a journal entry", Description: "Posts the same lines with debit and credit swapped; an entry is reversed at most once (409 after).",
		DefaultStatus: http.StatusCreated}, Access{Permission: "ledger.post"}, idempotentOp[ReversalInput, ledger.JournalEntry]{
		key:  func(in *ReversalInput) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *ReversalInput) any { return []any{in.ID, in.Body} },
		work: func(ctx context.Context, tx pgx.Tx, in *ReversalInput) (ledger.JournalEntry, error) {
			return d.Ledger.ReverseManualTx(ctx, tx, actor(ctx), in.ID, in.Body.Memo)
		}})
	Register(a, huma.Operation{OperationID: "list-accounting-periods", Method: http.MethodGet, Path: Prefix + "/ledger/periods", Tags: tags,
		Summary: "Closed accounting periods"}, Access{Permission: "ledger.read"}, func(ctx context.Context, _ *struct{}) (*PeriodsOutput, error) {
		list, err := d.Ledger.Periods(ctx, actor(ctx))
		return &PeriodsOutput{Body: PeriodList{Items: list}}, err
	})
	registerIdempotent(a, d, huma.Operation{OperationID: "close-accounting-period", Method: http.MethodPost, Path: Prefix + "/ledger/periods/close", Tags: tags,
		Summary: "Close an accounting period", Description: "Closes the month and every earlier open one; postings dated in them are refused after.",
		DefaultStatus: http.StatusOK}, Access{Permission: "ledger.manage"}, idempotentOp[CloseInput, PeriodList]{
		key:  func(in *CloseInput) string { return in.IdempotencyKey.IdempotencyKey },
		body: func(in *CloseInput) any { return in.Body },
		work: func(ctx context.Context, tx pgx.Tx, in *CloseInput) (PeriodList, error) {
			list, err := d.Ledger.ClosePeriodTx(ctx, tx, actor(ctx), in.Body.Period)
			return PeriodList{Items: list}, err
		}})
	Register(a, huma.Operation{OperationID: "trial-balance", Method: http.MethodGet, Path: Prefix + "/ledger/trial-balance", Tags: tags,
		Summary: "Trial balance as of a day"}, Access{Permission: "ledger.read"}, func(ctx context.Context, in *TrialBalanceInput) (*TrialBalanceOutput, error) {
		asOf := realty.DateOf(time.Now().UTC())
		if in.AsOf != "" {
			var err error
			if asOf, err = realty.ParseDate(in.AsOf); err != nil {
				return nil, realty.FieldError("as_of", "must be a date, YYYY-MM-DD")
			}
		}
		tb, err := d.Ledger.TrialBalance(ctx, actor(ctx), asOf)
		return &TrialBalanceOutput{Body: tb}, err
	})
}

func routeLedgerAccounts(a huma.API, d Deps) {
	tags := []string{"Ledger"}
	Register(a, huma.Operation{OperationID: "list-ledger-accounts", Method: http.MethodGet, Path: Prefix + "/ledger/accounts", Tags: tags,
		Summary: "The chart of accounts"}, Access{Permission: "ledger.read"}, func(ctx context.Context, _ *struct{}) (*AccountsOutput, error) {
		list, err := d.Ledger.Accounts(ctx, actor(ctx))
		out := &AccountsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-ledger-account", Method: http.MethodPost, Path: Prefix + "/ledger/accounts", Tags: tags,
		Summary: "Add an account", DefaultStatus: http.StatusCreated}, Access{Permission: "ledger.manage"}, func(ctx context.Context, in *struct{ Body AccountBody }) (*AccountOutput, error) {
		acc, err := d.Ledger.CreateAccount(ctx, actor(ctx), in.Body.input())
		return &AccountOutput{Body: acc}, err
	})
	Register(a, huma.Operation{OperationID: "get-ledger-account", Method: http.MethodGet, Path: Prefix + "/ledger/accounts/{id}", Tags: tags,
		Summary: "One account"}, Access{Permission: "ledger.read"}, func(ctx context.Context, in *IDPath) (*AccountOutput, error) {
		acc, err := d.Ledger.Account(ctx, actor(ctx), in.ID)
		return &AccountOutput{Body: acc}, err
	})
	Register(a, huma.Operation{OperationID: "replace-ledger-account", Method: http.MethodPut, Path: Prefix + "/ledger/accounts/{id}", Tags: tags,
		Summary: "Change an account", Description: "A system account can be renamed, renumbered and deactivated, never retyped."},
		Access{Permission: "ledger.manage"}, func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id" doc:"the account's id"`
			Body AccountBody
		}) (*AccountOutput, error) {
			acc, err := d.Ledger.UpdateAccount(ctx, actor(ctx), in.ID, in.Body.input())
			return &AccountOutput{Body: acc}, err
		})
	Register(a, huma.Operation{OperationID: "list-ledger-account-lines", Method: http.MethodGet, Path: Prefix + "/ledger/accounts/{id}/lines", Tags: tags,
		Summary: "An account's lines with running balance"}, Access{Permission: "ledger.read"}, func(ctx context.Context, in *AccountLinesInput) (*LinesOutput, error) {
		p, err := d.Ledger.AccountLines(ctx, actor(ctx), in.ID, in.Cursor, in.Limit)
		return &LinesOutput{Body: p}, err
	})
}
