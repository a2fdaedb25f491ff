package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Bill is one invoice a job issues for a lease: a billing run's (Period
// set: the month billed) or a late fee's (LateFeeOf and LateFeeRule set).
// Its natural key — (lease, period) or (invoice, rule) — is unique in the
// database, so issuing the same bill again inserts nothing.
type Bill struct {
	ID          realty.ID    `json:"-"`
	TenantID    realty.ID    `json:"tenant_id"`
	LeaseID     realty.ID    `json:"lease_id"`
	PropertyID  realty.ID    `json:"property_id"`
	UnitID      realty.ID    `json:"unit_id"`
	Period      *realty.Date `json:"period,omitempty" doc:"first day of the month billed (a billing run's invoice)"`
	LateFeeOf   *realty.ID   `json:"late_fee_of,omitempty" doc:"the overdue invoice a late fee is charged on"`
	LateFeeRule string       `json:"late_fee_rule,omitempty" enum:"flat,percent"`
	DueDate     realty.Date  `json:"due_date"`
	Memo        string       `json:"memo,omitempty"`
	Lines       []BillLine   `json:"lines"`
	Total       Money        `json:"total"`
}

// BillLine is one charge of a Bill; a nil AccountID is the line type's
// system account (rent → rental income, late_fee → late fee income,
// deposit → security deposits held, others → other tenant charges).
type BillLine struct {
	Type        string     `json:"type" enum:"rent,late_fee,utility,maintenance,deposit,other"`
	Description string     `json:"description"`
	Amount      Money      `json:"amount"`
	AccountID   *realty.ID `json:"account_id,omitempty"`
}

// Issued is what IssueBillsTx wrote: the bills issued (in the order given,
// numbered in that order) and how many were already issued before.
type Issued struct {
	Issued  []Bill `json:"issued"`
	Skipped int    `json:"skipped" doc:"bills whose natural key was already issued (a rerun)"`
}

// validateBill checks one bill and fills its total.
func validateBill(i int, b *Bill) error {
	f := fmt.Sprintf("bills[%d].", i)
	if (b.Period == nil) == (b.LateFeeOf == nil) {
		return realty.FieldError(f+"period", "a bill has a period or is a late fee, not both")
	}
	if b.Period != nil && b.Period.Day != 1 {
		return realty.FieldError(f+"period", "must be the first day of a month")
	}
	if b.LateFeeOf != nil && b.LateFeeRule != "flat" && b.LateFeeRule != "percent" {
		return realty.FieldError(f+"late_fee_rule", "must be flat or percent")
	}
	if len(b.Lines) == 0 || len(b.Lines) > 100 || len(b.Memo) > 500 {
		return realty.FieldError(f+"lines", "a bill has 1 to 100 lines and a memo of at most 500 characters")
	}
	total := decimal.Zero
	for j, l := range b.Lines {
		if _, ok := lineAccounts[l.Type]; !ok {
			return realty.FieldError(fmt.Sprintf("%slines[%d].type", f, j), "must be rent, late_fee, utility, maintenance, deposit or other")
		}
		if d := strings.TrimSpace(l.Description); d == "" || len(d) > 300 {
			return realty.FieldError(fmt.Sprintf("%slines[%d].description", f, j), "must be 1 to 300 characters")
		}
		if err := checkAmount(fmt.Sprintf("%slines[%d].amount", f, j), l.Amount.Decimal); err != nil {
			return err
		}
		total = total.Add(l.Amount.Decimal)
	}
	b.Total = M(total)
	return checkAmount(f+"total", total)
}

// IssueBillsTx issues bills in the caller's transaction, set-based: a
// fixed number of statements however many bills there are. Bills whose
// natural key is already issued are skipped (Issued.Skipped); the rest are
// inserted as open invoices dated today in the organization's time zone,
// numbered gap-free in the order given (the year's counter is locked once
// and advanced once by the number inserted), with their lines, and each
// posted as its own journal entry (AR debited for the total with the
// bill's tenant, lease, unit and property; each line's account credited).
// It checks no permission (the calling job or use case has). Invalid
// names the bill and field at fault; Conflict when today's period is
// closed. A concurrent issuer of the same organization waits on the
// counter, then skips what the first committed.
func (s *Service) IssueBillsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, bills []Bill) (Issued, error) {
	for i := range bills {
		if err := validateBill(i, &bills[i]); err != nil {
			return Issued{}, err
		}
	}
	if len(bills) == 0 {
		return Issued{Issued: []Bill{}}, nil
	}
	today, err := s.entryDate(ctx, tx, actor, nil)
	if err != nil {
		return Issued{}, err
	}
	var last int
	err = tx.QueryRow(ctx, `INSERT INTO ledger.invoice_counters AS c (organization_id, year, last) VALUES ($1, $2, 0)
		ON CONFLICT (organization_id, year) DO UPDATE SET last = c.last RETURNING last`, actor.OrgID, today.Year).Scan(&last)
	if err != nil {
		return Issued{}, err
	}
	inserted, err := insertBills(ctx, tx, actor, bills, today, last)
	if err != nil {
		return Issued{}, err
	}
	out := Issued{Issued: []Bill{}, Skipped: len(bills) - len(inserted)}
	if len(inserted) == 0 {
		return out, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE ledger.invoice_counters SET last = last + $3 WHERE organization_id = $1 AND year = $2`,
		actor.OrgID, today.Year, len(inserted)); err != nil {
		return Issued{}, err
	}
	lineIDs, err := insertBillLines(ctx, tx, actor, inserted)
	if err != nil {
		return Issued{}, err
	}
	if err := postBills(ctx, tx, actor, inserted, lineIDs, today); err != nil {
		return Issued{}, err
	}
	out.Issued = inserted
	return out, nil
}

// insertBills inserts the bills whose natural key is not yet issued and
// returns them (ids filled) in the order given.
func insertBills(ctx context.Context, tx pgx.Tx, actor realty.Actor, bills []Bill, today realty.Date, last int) ([]Bill, error) {
	n := len(bills)
	ids, tenants, leases, props, units := make([]realty.ID, n), make([]realty.ID, n), make([]realty.ID, n), make([]realty.ID, n), make([]realty.ID, n)
	periods, feeOf, rules := make([]*realty.Date, n), make([]*realty.ID, n), make([]*string, n)
	due, memos, totals := make([]realty.Date, n), make([]string, n), make([]decimal.Decimal, n)
	for i := range bills {
		b := &bills[i]
		b.ID = realty.NewID()
		ids[i], tenants[i], leases[i], props[i], units[i] = b.ID, b.TenantID, b.LeaseID, b.PropertyID, b.UnitID
		periods[i], feeOf[i], due[i], memos[i], totals[i] = b.Period, b.LateFeeOf, b.DueDate, b.Memo, b.Total.Decimal
		if b.LateFeeOf != nil {
			rules[i] = &b.LateFeeRule
		}
	}
	rows, err := tx.Query(ctx, `WITH b AS (
			SELECT * FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::uuid[], $9::date[], $10::uuid[], $11::text[], $12::date[], $13::text[], $14::numeric[])
				WITH ORDINALITY AS b (id, tenant_id, lease_id, property_id, unit_id, period, late_fee_of, late_fee_rule, due_date, memo, total, n)),
		todo AS (
			SELECT b.*, row_number() OVER (ORDER BY b.n) AS seq FROM b
			WHERE NOT EXISTS (SELECT FROM ledger.invoices i WHERE i.organization_id = $1 AND i.origin = 'billing'
					AND b.late_fee_of IS NULL AND i.lease_id = b.lease_id AND i.period = b.period)
				AND NOT EXISTS (SELECT FROM ledger.invoices i WHERE i.organization_id = $1 AND i.origin = 'late_fee'
					AND i.late_fee_of = b.late_fee_of AND i.late_fee_rule = b.late_fee_rule))
		INSERT INTO ledger.invoices (organization_id, id, tenant_id, lease_id, property_id, unit_id, number_year, number_seq, status,
			issue_date, due_date, period, memo, total, balance, origin, late_fee_of, late_fee_rule, created_by)
		SELECT $1, id, tenant_id, lease_id, property_id, unit_id, $2::int, $3::int + seq, 'open', $15::date, due_date, period, nullif(memo, ''),
			total, total, CASE WHEN late_fee_of IS NULL THEN 'billing' ELSE 'late_fee' END, late_fee_of, late_fee_rule, $16::uuid
		FROM todo ORDER BY seq
		RETURNING id`,
		actor.OrgID, today.Year, last, ids, tenants, leases, props, units, periods, feeOf, rules, due, memos, totals, today, userOf(actor))
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[realty.ID])
	if err != nil {
		return nil, err
	}
	done := make(map[realty.ID]bool, len(got))
	for _, id := range got {
		done[id] = true
	}
	var out []Bill
	for _, b := range bills {
		if done[b.ID] {
			out = append(out, b)
		}
	}
	return out, nil
}

// insertBillLines writes the lines of the inserted bills in one statement,
// each with its bill's tenant (the database checks it is the invoice's),
// and returns their ids, bill by bill.
func insertBillLines(ctx context.Context, tx pgx.Tx, actor realty.Actor, bills []Bill) ([][]realty.ID, error) {
	var ids, inv, tenants []realty.ID
	var no []int
	var types, descs, keys []string
	var amounts []decimal.Decimal
	var accounts []*realty.ID
	out := make([][]realty.ID, len(bills))
	for i, b := range bills {
		for j, l := range b.Lines {
			id := realty.NewID()
			out[i] = append(out[i], id)
			ids, inv, no, types = append(ids, id), append(inv, b.ID), append(no, j+1), append(types, l.Type)
			descs, amounts = append(descs, strings.TrimSpace(l.Description)), append(amounts, l.Amount.Decimal)
			accounts, keys, tenants = append(accounts, l.AccountID), append(keys, lineAccounts[l.Type]), append(tenants, b.TenantID)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO ledger.invoice_lines (organization_id, id, invoice_id, line_no, type, description, amount, account_id, tenant_id)
		SELECT $1, l.id, l.invoice_id, l.line_no, l.type, l.description, l.amount, coalesce(l.account_id, a.id), l.tenant_id
		FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::numeric[], $8::uuid[], $9::text[], $10::uuid[])
			AS l (id, invoice_id, line_no, type, description, amount, account_id, system_key, tenant_id)
		LEFT JOIN ledger.accounts a ON a.organization_id = $1 AND a.system_key = l.system_key`,
		actor.OrgID, ids, inv, no, types, descs, amounts, accounts, keys, tenants)
	return out, err
}

// postBills posts each inserted invoice as its own journal entry, in two
// statements: the entries, then every entry's lines (AR first, then one
// credit per invoice line, on the line's account).
func postBills(ctx context.Context, tx pgx.Tx, actor realty.Actor, bills []Bill, lineIDs [][]realty.ID, today realty.Date) error {
	invoices, entries := make([]realty.ID, len(bills)), make([]realty.ID, len(bills))
	var ids, entry, inv []realty.ID
	var lines []*realty.ID
	var no []int
	var debit, credit []decimal.Decimal
	var memo []string
	for i, b := range bills {
		invoices[i], entries[i] = b.ID, realty.NewID()
		ids, entry, inv, lines, no = append(ids, realty.NewID()), append(entry, entries[i]), append(inv, b.ID), append(lines, nil), append(no, 1)
		debit, credit, memo = append(debit, b.Total.Decimal), append(credit, decimal.Zero), append(memo, "")
		for j, l := range b.Lines {
			ids, entry, inv, lines, no = append(ids, realty.NewID()), append(entry, entries[i]), append(inv, b.ID), append(lines, &lineIDs[i][j]), append(no, j+2)
			debit, credit, memo = append(debit, decimal.Zero), append(credit, l.Amount.Decimal), append(memo, strings.TrimSpace(l.Description))
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO ledger.journal_entries (organization_id, id, entry_date, memo, source_type, source_id, created_by, request_id)
		SELECT $1, e.entry_id, $4::date, 'Invoice ' || i.number, 'invoice', i.id, $5::uuid, nullif($6::text, '')
		FROM unnest($2::uuid[], $3::uuid[]) AS e (invoice_id, entry_id)
		JOIN ledger.invoices i ON i.organization_id = $1 AND i.id = e.invoice_id`,
		actor.OrgID, invoices, entries, today, userOf(actor), requestID(ctx))
	if err != nil {
		return periodError(err, today)
	}
	_, err = tx.Exec(ctx, `INSERT INTO ledger.journal_lines (organization_id, id, entry_id, entry_date, line_no, account_id, debit, credit,
			property_id, unit_id, lease_id, tenant_id, memo)
		SELECT $1, j.id, j.entry_id, $2::date, j.line_no, coalesce(il.account_id, ar.id), j.debit, j.credit,
			i.property_id, i.unit_id, i.lease_id, i.tenant_id, nullif(j.memo, '')
		FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::int[], $8::numeric[], $9::numeric[], $10::text[])
			AS j (id, entry_id, invoice_id, line_id, line_no, debit, credit, memo)
		JOIN ledger.invoices i ON i.organization_id = $1 AND i.id = j.invoice_id
		JOIN ledger.accounts ar ON ar.organization_id = $1 AND ar.system_key = 'accounts_receivable'
		LEFT JOIN ledger.invoice_lines il ON il.organization_id = $1 AND il.id = j.line_id`,
		actor.OrgID, today, ids, entry, inv, lines, no, debit, credit, memo)
	return err
}

// BilledTx returns which of leases already have a billing-run invoice for
// period, in the caller's transaction (the billing preview's "already
// billed").
func (s *Service) BilledTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, period realty.Date, leases []realty.ID) (map[realty.ID]bool, error) {
	rows, err := tx.Query(ctx, `SELECT lease_id FROM ledger.invoices WHERE organization_id = $1 AND origin = 'billing'
		AND period = $2 AND lease_id = ANY($3)`, actor.OrgID, period, leases)
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[realty.ID])
	out := make(map[realty.ID]bool, len(got))
	for _, id := range got {
		out[id] = true
	}
	return out, err
}

// Overdue is a billing-run invoice with a balance past its due date, and
// the late-fee rules already charged on it.
type Overdue struct {
	InvoiceID realty.ID   `db:"id"`
	Number    string      `db:"number"`
	LeaseID   realty.ID   `db:"lease_id"`
	TenantID  realty.ID   `db:"tenant_id"`
	DueDate   realty.Date `db:"due_date"`
	Balance   Money       `db:"balance"`
	Charged   []string    `db:"charged"`
}

// OverdueTx returns the organization's billing-run invoices (rent) that
// are open or partial with a balance and due before asOf, oldest due
// first, in the caller's transaction: the candidates for late fees.
func (s *Service) OverdueTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, asOf realty.Date) ([]Overdue, error) {
	rows, err := tx.Query(ctx, `SELECT i.id, i.number, i.lease_id, i.tenant_id, i.due_date, i.balance,
			coalesce((SELECT array_agg(f.late_fee_rule) FROM ledger.invoices f WHERE f.organization_id = $1 AND f.origin = 'late_fee'
				AND f.late_fee_of = i.id), '{}') AS charged
		FROM ledger.invoices i WHERE i.organization_id = $1 AND i.origin = 'billing' AND i.status IN ('open', 'partial')
			AND i.balance > 0 AND i.due_date < $2
		ORDER BY i.due_date, i.id`, actor.OrgID, asOf)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Overdue])
}

// Today is today's date in the actor's organization's time zone, read in
// the caller's transaction.
func (s *Service) Today(ctx context.Context, tx pgx.Tx, actor realty.Actor) (realty.Date, error) {
	return s.entryDate(ctx, tx, actor, nil)
}

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"ledger.invoices_origin_check":               {Kind: realty.Invalid, Field: "origin", Message: "must be manual, billing or late_fee"},
		"ledger.invoices_late_fee_rule_check":        {Kind: realty.Invalid, Field: "late_fee_rule", Message: "must be flat or percent"},
		"ledger.invoices_late_fee_of_fkey":           {Kind: realty.Invalid, Field: "late_fee_of", Message: "no such invoice"},
		"ledger.invoices_origin_keys_check":          {Kind: realty.Invalid, Field: "origin", Message: "a billing invoice names its lease and period, a late fee its invoice and rule"},
		"ledger.invoices_billing_key":                {Kind: realty.Conflict, Field: "period", Message: "the lease is already billed for the period"},
		"ledger.invoices_late_fee_key":               {Kind: realty.Conflict, Field: "late_fee_of", Message: "the late fee is already charged"},
		"ledger.deposit_dispositions_lease_key":      {Kind: realty.Conflict, Field: "lease_id", Message: "the lease's deposit is already disposed of"},
		"ledger.deposit_dispositions_held_check":     {Kind: realty.Invalid, Field: "deductions", Message: "no security deposit is held"},
		"ledger.deposit_dispositions_deducted_check": {Kind: realty.Invalid, Field: "deductions", Message: "must not be negative"},
		"ledger.deposit_dispositions_refunded_check": {Kind: realty.Invalid, Field: "deductions", Message: "exceed the deposit held"},
		"ledger.deposit_dispositions_sum_check":      {Kind: realty.Invalid, Field: "deductions", Message: "deductions and refund must add up to the deposit held"},
		"ledger.deposit_dispositions_lease_fkey":     {Kind: realty.NotFound, Field: "lease_id", Message: "no such lease"},
		"ledger.deposit_dispositions_tenant_fkey":    {Kind: realty.Invalid, Field: "tenant_id", Message: "no such tenant"},
		"ledger.deposit_dispositions_property_fkey":  {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"ledger.deposit_dispositions_unit_fkey":      {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
		"ledger.deposit_deductions_line_no_check":    {Kind: realty.Invalid, Field: "deductions", Message: "at most 50 deductions"},
		"ledger.deposit_deductions_reason_check":     {Kind: realty.Invalid, Field: "deductions", Message: "a reason is 1 to 300 characters"},
		"ledger.deposit_deductions_amount_check":     {Kind: realty.Invalid, Field: "deductions", Message: "an amount is positive"},
		"ledger.deposit_deductions_line_key":         {Kind: realty.Conflict, Field: "deductions", Message: "line numbers repeat"},
		"ledger.deposit_deductions_disposition_fkey": {Kind: realty.Invalid, Field: "deductions", Message: "no such disposition"},
		"ledger.deposit_deductions_account_fkey":     {Kind: realty.Invalid, Field: "deductions", Message: "no such account"},
	})
}
