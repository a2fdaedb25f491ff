package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Budget is a plan for a calendar year, for one property or (no property)
// the whole organization, with its lines.
type Budget struct {
	ID         realty.ID    `db:"id" json:"id"`
	PropertyID *realty.ID   `db:"property_id" json:"property_id,omitempty" doc:"absent for the organization's budget"`
	Year       int          `db:"year" json:"year"`
	Name       string       `db:"name" json:"name"`
	Lines      []BudgetLine `db:"-" json:"lines"`
	CreatedAt  time.Time    `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time    `db:"updated_at" json:"updated_at"`
}

// BudgetLine is one account's twelve monthly amounts (January first) and
// their total.
type BudgetLine struct {
	AccountID realty.ID `db:"account_id" json:"account_id"`
	Code      string    `db:"code" json:"code"`
	Name      string    `db:"name" json:"name"`
	Type      string    `db:"type" json:"type"`
	Amounts   []Money   `db:"amounts" json:"amounts" minItems:"12" maxItems:"12"`
	Annual    Money     `db:"annual" json:"annual" doc:"the sum of the twelve months"`
	Notes     *string   `db:"notes" json:"notes,omitempty"`
}

// BudgetInput creates a budget.
type BudgetInput struct {
	PropertyID *realty.ID
	Year       int
	Name       string
	Lines      []BudgetLineInput
}

// BudgetLineInput sets one account's monthly amounts.
type BudgetLineInput struct {
	AccountID realty.ID
	Amounts   []decimal.Decimal
	Notes     string
}

// MaxBudgetLines bounds the lines set in one call.
const MaxBudgetLines = 500

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"ledger.budgets_property_year_key":  {Kind: realty.Conflict, Field: "year", Message: "the property (or organization) already has a budget for the year"},
		"ledger.budgets_property_fkey":      {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"ledger.budgets_year_check":         {Kind: realty.Invalid, Field: "year", Message: "must be from 2000 to 2999"},
		"ledger.budgets_name_check":         {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"ledger.budget_lines_account_fkey":  {Kind: realty.Invalid, Field: "account_id", Message: "no such account"},
		"ledger.budget_lines_budget_fkey":   {Kind: realty.NotFound, Field: "budget_id", Message: "no such budget"},
		"ledger.budget_lines_amounts_check": {Kind: realty.Invalid, Field: "amounts", Message: "twelve amounts, January to December"},
		"ledger.budget_lines_notes_check":   {Kind: realty.Invalid, Field: "notes", Message: "must be at most 500 characters"},
		"ledger.budget_lines_account_key":   {Kind: realty.Conflict, Field: "account_id", Message: "is already a line of the budget"},
	})
}

var errBudgetNotFound = &realty.Error{Kind: realty.NotFound, Message: "budget not found"}

// check returns Invalid naming the field at fault.
func (in BudgetInput) check() error {
	if in.Year < 2000 || in.Year > 2999 {
		return realty.FieldError("year", "must be from 2000 to 2999")
	}
	if n := len([]rune(in.Name)); n < 1 || n > 200 {
		return realty.FieldError("name", "must be 1 to 200 characters")
	}
	return checkLines(in.Lines)
}

// checkLines returns Invalid naming lines[i] and its field.
func checkLines(lines []BudgetLineInput) error {
	if len(lines) > MaxBudgetLines {
		return realty.FieldError("lines", fmt.Sprintf("at most %d lines", MaxBudgetLines))
	}
	seen := map[realty.ID]bool{}
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		if len(l.Amounts) != 12 {
			return realty.FieldError(field+".amounts", "twelve amounts, January to December")
		}
		for m, a := range l.Amounts {
			if !a.Equal(a.Truncate(2)) || a.Abs().GreaterThanOrEqual(maxAmount) {
				return realty.FieldError(fmt.Sprintf("%s.amounts[%d]", field, m), "must be whole cents below 10^12")
			}
		}
		if seen[l.AccountID] {
			return realty.FieldError(field+".account_id", "appears twice")
		}
		seen[l.AccountID] = true
		if len([]rune(l.Notes)) > 500 {
			return realty.FieldError(field+".notes", "must be at most 500 characters")
		}
	}
	return nil
}

// CreateBudget creates a budget with its lines. Forbidden without
// budget.manage; Invalid naming the field at fault (an account that is not
// an income or expense account: lines[i].account_id); Conflict naming year
// when the property (or the organization) already has the year's budget.
func (s *Service) CreateBudget(ctx context.Context, actor realty.Actor, in BudgetInput) (Budget, error) {
	if err := actor.Require("budget.manage"); err != nil {
		return Budget{}, err
	}
	if err := in.check(); err != nil {
		return Budget{}, err
	}
	var out Budget
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		id := realty.NewID()
		if _, err := tx.Exec(ctx, `INSERT INTO ledger.budgets (organization_id, id, property_id, year, name, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, actor.OrgID, id, in.PropertyID, in.Year, in.Name, userOf(actor)); err != nil {
			return postgres.MapError(err)
		}
		if err := upsertLinesTx(ctx, tx, actor, id, in.Lines); err != nil {
			return err
		}
		var err error
		out, err = budgetTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

// SetBudgetLines sets the given accounts' lines of a budget (others are
// kept). Forbidden without budget.manage; NotFound for an unknown budget;
// Invalid naming lines[i] and its field.
func (s *Service) SetBudgetLines(ctx context.Context, actor realty.Actor, budgetID realty.ID, lines []BudgetLineInput) (Budget, error) {
	if err := actor.Require("budget.manage"); err != nil {
		return Budget{}, err
	}
	if err := checkLines(lines); err != nil {
		return Budget{}, err
	}
	var out Budget
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var locked realty.ID
		if err := tx.QueryRow(ctx, `SELECT id FROM ledger.budgets WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrgID, budgetID).Scan(&locked); err != nil {
			return notFound(err, errBudgetNotFound)
		}
		if err := upsertLinesTx(ctx, tx, actor, budgetID, lines); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE ledger.budgets SET updated_at = now() WHERE organization_id = $1 AND id = $2`, actor.OrgID, budgetID); err != nil {
			return err
		}
		var err error
		out, err = budgetTx(ctx, tx, actor, budgetID)
		return err
	})
	return out, err
}

// upsertLinesTx writes the lines, after checking every account is an
// income or expense account of the organization.
func upsertLinesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, budgetID realty.ID, lines []BudgetLineInput) error {
	for i, l := range lines {
		var typ string
		err := tx.QueryRow(ctx, `SELECT type FROM ledger.accounts WHERE organization_id = $1 AND id = $2`, actor.OrgID, l.AccountID).Scan(&typ)
		if err != nil || (typ != "income" && typ != "expense") {
			if err != nil && err != pgx.ErrNoRows {
				return err
			}
			return realty.FieldError(fmt.Sprintf("lines[%d].account_id", i), "must be an income or expense account")
		}
		var notes *string
		if l.Notes != "" {
			notes = &l.Notes
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ledger.budget_lines (organization_id, budget_id, account_id, amounts, notes)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (organization_id, budget_id, account_id) DO UPDATE SET amounts = EXCLUDED.amounts, notes = EXCLUDED.notes`,
			actor.OrgID, budgetID, l.AccountID, l.Amounts, notes); err != nil {
			return postgres.MapError(err)
		}
	}
	return nil
}

// Budget returns a budget with its lines by account code. Forbidden without
// ledger.read; NotFound for an unknown budget.
func (s *Service) Budget(ctx context.Context, actor realty.Actor, id realty.ID) (Budget, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return Budget{}, err
	}
	var out Budget
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = budgetTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

func budgetTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Budget, error) {
	rows, err := tx.Query(ctx, `SELECT id, property_id, year, name, created_at, updated_at FROM ledger.budgets
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return Budget{}, err
	}
	b, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Budget])
	if err != nil {
		return Budget{}, notFound(err, errBudgetNotFound)
	}
	rows, err = tx.Query(ctx, `SELECT l.account_id, a.code, a.name, a.type, l.amounts, l.annual, l.notes
		FROM ledger.budget_lines l JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
		WHERE l.organization_id = $1 AND l.budget_id = $2 ORDER BY a.code`, actor.OrgID, id)
	if err != nil {
		return Budget{}, err
	}
	b.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[BudgetLine])
	return b, err
}

// Budgets lists the organization's budgets (without lines), newest year
// first. Forbidden without ledger.read.
func (s *Service) Budgets(ctx context.Context, actor realty.Actor) ([]Budget, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return nil, err
	}
	list, err := postgres.ReadAll[Budget](ctx, s.pool, actor, `SELECT id, property_id, year, name, created_at, updated_at
		FROM ledger.budgets WHERE organization_id = $1 ORDER BY year DESC, property_id NULLS FIRST, id LIMIT 1000`, actor.OrgID)
	for i := range list {
		list[i].Lines = []BudgetLine{}
	}
	return list, err
}

// CopyInput asks for a budget from the year before's actuals.
type CopyInput struct {
	PropertyID *realty.ID
	Year       int
	Name       string
	// ChangePct is the percentage applied to every month's actual: 3 for
	// 3 % more, -10 for 10 % less.
	ChangePct decimal.Decimal
}

// CopyFromActuals creates the year's budget (or, when it exists, sets its
// lines) from the income and expense accounts' actuals of the year before,
// month by month, each changed by ChangePct and rounded half-even to the
// cent. Forbidden without budget.manage; Invalid naming year, name,
// change_pct or property_id (one not the organization's: the foreign key).
func (s *Service) CopyFromActuals(ctx context.Context, actor realty.Actor, in CopyInput) (Budget, error) {
	if err := actor.Require("budget.manage"); err != nil {
		return Budget{}, err
	}
	if err := (BudgetInput{Year: in.Year, Name: in.Name}).check(); err != nil {
		return Budget{}, err
	}
	if in.ChangePct.LessThan(decimal.NewFromInt(-100)) || in.ChangePct.GreaterThan(decimal.NewFromInt(1000)) {
		return Budget{}, realty.FieldError("change_pct", "must be from -100 to 1000")
	}
	var out Budget
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		actuals, err := monthlyActualsTx(ctx, tx, actor, in.Year-1, in.PropertyID)
		if err != nil {
			return err
		}
		var id realty.ID
		err = tx.QueryRow(ctx, `INSERT INTO ledger.budgets (organization_id, id, property_id, year, name, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (organization_id, property_id, year) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
			actor.OrgID, realty.NewID(), in.PropertyID, in.Year, in.Name, userOf(actor)).Scan(&id)
		if err != nil {
			return postgres.MapError(err)
		}
		if err := upsertLinesTx(ctx, tx, actor, id, actuals.scaled(in.ChangePct)); err != nil {
			return err
		}
		out, err = budgetTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

// monthly is each account's twelve monthly actuals, in its normal
// direction, and the account's type.
type monthly struct {
	order []realty.ID
	types map[realty.ID]accountSums
	by    map[realty.ID]*[12]decimal.Decimal
}

// scaled is the actuals as budget lines changed by pct percent.
func (m monthly) scaled(pct decimal.Decimal) []BudgetLineInput {
	factor := decimal.NewFromInt(1).Add(pct.Div(decimal.NewFromInt(100)))
	lines := make([]BudgetLineInput, 0, len(m.order))
	for _, id := range m.order {
		l := BudgetLineInput{AccountID: id, Amounts: make([]decimal.Decimal, 12)}
		for i, a := range m.by[id] {
			l.Amounts[i] = a.Mul(factor).RoundBank(2)
		}
		lines = append(lines, l)
	}
	return lines
}

// monthlyActualsTx sums the income and expense accounts' lines of a year
// by account and month, of one property when propertyID is set.
func monthlyActualsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, year int, propertyID *realty.ID) (monthly, error) {
	byProperty := ""
	args := []any{actor.OrgID, realty.Date{Year: year, Month: 1, Day: 1}, realty.Date{Year: year, Month: 12, Day: 31}}
	if propertyID != nil {
		byProperty = ` AND l.property_id = $4`
		args = append(args, *propertyID)
	}
	rows, err := tx.Query(ctx, `SELECT a.id, a.code, a.name, a.type, a.normal_balance, t.month, t.debit, t.credit
		FROM ledger.accounts a CROSS JOIN LATERAL (SELECT extract(month FROM l.entry_date)::int AS month, sum(l.debit) AS debit, sum(l.credit) AS credit
			FROM ledger.journal_lines l WHERE l.organization_id = $1 AND l.account_id = a.id AND l.entry_date BETWEEN $2 AND $3`+byProperty+`
			GROUP BY 1) t
		WHERE a.organization_id = $1 AND a.type IN ('income', 'expense') ORDER BY a.code, t.month`, args...)
	if err != nil {
		return monthly{}, err
	}
	m := monthly{types: map[realty.ID]accountSums{}, by: map[realty.ID]*[12]decimal.Decimal{}}
	var a accountSums
	var month int
	_, err = pgx.ForEachRow(rows, []any{&a.ID, &a.Code, &a.Name, &a.Type, &a.NormalBalance, &month, &a.Debit, &a.Credit}, func() error {
		if m.by[a.ID] == nil {
			m.order, m.by[a.ID], m.types[a.ID] = append(m.order, a.ID), &[12]decimal.Decimal{}, a
		}
		m.by[a.ID][month-1] = signed(a.NormalBalance, a.Debit, a.Credit)
		return nil
	})
	return m, err
}
