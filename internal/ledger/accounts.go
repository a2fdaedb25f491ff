package ledger

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Account is one account of the chart.
type Account struct {
	ID            realty.ID  `db:"id" json:"id"`
	Code          string     `db:"code" json:"code"`
	Name          string     `db:"name" json:"name"`
	Type          string     `db:"type" json:"type" enum:"asset,liability,equity,income,expense"`
	NormalBalance string     `db:"normal_balance" json:"normal_balance" enum:"debit,credit" doc:"derived from the type: debit for assets and expenses"`
	ParentID      *realty.ID `db:"parent_id" json:"parent_id,omitempty"`
	Active        bool       `db:"active" json:"active"`
	SystemKey     *string    `db:"system_key" json:"system_key,omitempty" doc:"set on the accounts realty posts to itself: they cannot be retyped or deleted"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at" json:"updated_at"`
}

const accountColumns = `id, code, name, type, normal_balance, parent_id, active, system_key, created_at, updated_at`

// SystemAccount is an account every organization has, known by its key.
type SystemAccount struct {
	Key, Code, Name, Type string
}

// System account keys other domains post to.
const (
	OperatingCash      = "operating_cash"
	TrustCash          = "trust_cash"
	UndepositedFunds   = "undeposited_funds"
	AccountsReceivable = "accounts_receivable"
	SecurityDeposits   = "security_deposits"
	TenantCredit       = "tenant_credit"
	RentalIncome       = "rental_income"
	LateFeeIncome      = "late_fee_income"
	// OwnerReserves (a liability) and OwnerDistributions (contra-equity)
	// are what an owner statement reports as reserves and distributions,
	// by the property dimension of their lines.
	OwnerReserves      = "owner_reserves"
	OwnerDistributions = "owner_distributions"
	RetainedEarnings   = "retained_earnings"
)

// SystemAccounts are seeded into every organization; the codes are defaults
// the organization may change.
var SystemAccounts = []SystemAccount{
	{OperatingCash, "1000", "Operating cash", "asset"},
	{TrustCash, "1010", "Trust and escrow cash", "asset"},
	{UndepositedFunds, "1050", "Undeposited funds", "asset"},
	{AccountsReceivable, "1100", "Accounts receivable", "asset"},
	{"prepaid_expenses", "1300", "Prepaid expenses", "asset"},
	{"accounts_payable", "2000", "Accounts payable", "liability"},
	{SecurityDeposits, "2100", "Security deposits held", "liability"},
	{TenantCredit, "2200", "Prepaid rent and tenant credit", "liability"},
	{"escrow_held", "2300", "Escrow held for clients", "liability"},
	{"commissions_payable", "2400", "Commissions payable", "liability"},
	{"sales_tax_payable", "2500", "Sales tax payable", "liability"},
	{OwnerReserves, "2600", "Owner reserves held", "liability"},
	{"owner_equity", "3000", "Owner equity", "equity"},
	{OwnerDistributions, "3100", "Owner distributions", "equity"},
	{"retained_earnings", "3900", "Retained earnings", "equity"},
	{RentalIncome, "4000", "Rental income", "income"},
	{LateFeeIncome, "4100", "Late fee income", "income"},
	{"other_tenant_income", "4200", "Other tenant charges", "income"},
	{"commission_income", "4500", "Commission income", "income"},
	{"repairs_maintenance", "5000", "Repairs and maintenance", "expense"},
	{"utilities", "5100", "Utilities", "expense"},
	{"management_fees", "5200", "Management fees", "expense"},
	{"commission_expense", "5500", "Commission expense", "expense"},
	{"bank_fees", "5900", "Bank fees", "expense"},
}

// SeedTx creates the system accounts of a new organization inside its
// creating transaction (an org.CreateHook). It checks no permission: the
// organization's creation is the use case.
func (s *Service) SeedTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) error {
	b := &pgx.Batch{}
	for _, a := range SystemAccounts {
		b.Queue(`INSERT INTO ledger.accounts (organization_id, id, code, name, type, system_key) VALUES ($1, $2, $3, $4, $5, $6)`,
			actor.OrgID, realty.NewID(), a.Code, a.Name, a.Type, a.Key)
	}
	return tx.SendBatch(ctx, b).Close()
}

// Accounts lists the chart of accounts by code. Forbidden without
// ledger.read.
func (s *Service) Accounts(ctx context.Context, actor realty.Actor) ([]Account, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[Account](ctx, s.pool, actor, `SELECT `+accountColumns+` FROM ledger.accounts WHERE organization_id = $1 ORDER BY code`, actor.OrgID)
}

// Account returns one account. Forbidden without ledger.read; NotFound for
// another organization's.
func (s *Service) Account(ctx context.Context, actor realty.Actor, id realty.ID) (Account, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return Account{}, err
	}
	rows, err := postgres.ReadAll[Account](ctx, s.pool, actor, `SELECT `+accountColumns+` FROM ledger.accounts WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return Account{}, err
	}
	if len(rows) == 0 {
		return Account{}, errAccountNotFound
	}
	return rows[0], nil
}

var errAccountNotFound = &realty.Error{Kind: realty.NotFound, Message: "account not found"}

// AccountInput is what creating or changing an account takes.
type AccountInput struct {
	Code     string
	Name     string
	Type     string
	ParentID *realty.ID
	Active   bool
}

func (in *AccountInput) normalize() {
	in.Code, in.Name, in.Type = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Type)
}

// CreateAccount adds a custom account. Forbidden without ledger.manage;
// Invalid or Conflict name the field.
func (s *Service) CreateAccount(ctx context.Context, actor realty.Actor, in AccountInput) (Account, error) {
	if err := actor.Require("ledger.manage"); err != nil {
		return Account{}, err
	}
	in.normalize()
	var out Account
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO ledger.accounts (organization_id, id, code, name, type, parent_id, active)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+accountColumns, actor.OrgID, realty.NewID(), in.Code, in.Name, in.Type, in.ParentID, in.Active)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Account])
		return err
	})
	return out, err
}

// UpdateAccount replaces an account's code, name, type, parent and active
// flag. A system account, or one with postings, keeps its type (Invalid
// naming type otherwise).
// Forbidden without ledger.manage; NotFound for another organization's.
func (s *Service) UpdateAccount(ctx context.Context, actor realty.Actor, id realty.ID, in AccountInput) (Account, error) {
	if err := actor.Require("ledger.manage"); err != nil {
		return Account{}, err
	}
	in.normalize()
	var out Account
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var sys *string
		var typ string
		err := tx.QueryRow(ctx, `SELECT system_key, type FROM ledger.accounts WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrgID, id).Scan(&sys, &typ)
		if err != nil {
			return notFound(err, errAccountNotFound)
		}
		if sys != nil && in.Type != typ {
			return realty.FieldError("type", "a system account keeps its type")
		}
		if in.Type != typ {
			if err := refuseRetypeWithPostings(ctx, tx, actor, id); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `UPDATE ledger.accounts SET code = $3, name = $4, type = $5, parent_id = $6, active = $7
			WHERE organization_id = $1 AND id = $2 RETURNING `+accountColumns, actor.OrgID, id, in.Code, in.Name, in.Type, in.ParentID, in.Active)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Account])
		return err
	})
	return out, err
}

// refuseRetypeWithPostings keeps the type of an account with postings: a
// new type would change what its history means.
func refuseRetypeWithPostings(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) error {
	var used bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM ledger.journal_lines WHERE organization_id = $1 AND account_id = $2)`, actor.OrgID, id).Scan(&used)
	if err == nil && used {
		return realty.FieldError("type", "an account with postings keeps its type")
	}
	return err
}

// notFound turns "no rows" into nf and maps anything else.
func notFound(err, nf error) error {
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return nf
	}
	return err
}
