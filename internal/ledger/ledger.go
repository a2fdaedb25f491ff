// Package ledger is the organization's double-entry books: the chart of
// accounts, the journal (entries whose lines balance, never changed, only
// reversed), accounting periods that close, and the reads every balance is
// derived from (trial balance, an account's lines with running balance).
// Every domain that moves money posts through PostTx inside its own
// transaction; nothing else writes journal rows.
package ledger

import (
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"ledger.accounts_code_key":                      {Kind: realty.Conflict, Field: "code", Message: "is taken by another account"},
		"ledger.accounts_code_check":                    {Kind: realty.Invalid, Field: "code", Message: "must be 1 to 20 letters, digits, dots or dashes"},
		"ledger.accounts_name_check":                    {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"ledger.accounts_type_check":                    {Kind: realty.Invalid, Field: "type", Message: "must be asset, liability, equity, income or expense"},
		"ledger.accounts_system_key_check":              {Kind: realty.Invalid, Field: "system_key", Message: "must be a lower-case key"},
		"ledger.accounts_system_key_key":                {Kind: realty.Conflict, Field: "system_key", Message: "is already an account's"},
		"ledger.accounts_parent_fkey":                   {Kind: realty.Invalid, Field: "parent_id", Message: "no such account"},
		"ledger.accounts_parent_check":                  {Kind: realty.Invalid, Field: "parent_id", Message: "an account cannot be its own parent"},
		"ledger.accounting_periods_period_check":        {Kind: realty.Invalid, Field: "period", Message: "must be the first day of a month"},
		"ledger.accounting_periods_status_check":        {Kind: realty.Invalid, Field: "status", Message: "must be open or closed"},
		"ledger.accounting_periods_closed_check":        {Kind: realty.Invalid, Field: "status", Message: "a closed period has a closing time"},
		"ledger.accounting_periods_period_key":          {Kind: realty.Conflict, Field: "period", Message: "already has a row"},
		"ledger.journal_entries_memo_check":             {Kind: realty.Invalid, Field: "memo", Message: "must be at most 500 characters"},
		"ledger.journal_entries_source_type_check":      {Kind: realty.Invalid, Field: "source_type", Message: "must be a lower-case key"},
		"ledger.journal_entries_request_id_check":       {Kind: realty.Invalid, Field: "request_id", Message: "must be at most 64 characters"},
		"ledger.journal_entries_date_key":               {Kind: realty.Conflict, Field: "id", Message: "already exists"},
		"ledger.journal_entries_reverses_key":           {Kind: realty.Conflict, Field: "id", Message: "is already reversed"},
		"ledger.journal_entries_reverses_fkey":          {Kind: realty.NotFound, Field: "id", Message: "no such journal entry"},
		"ledger.journal_entries_reverses_check":         {Kind: realty.Invalid, Field: "id", Message: "an entry cannot reverse itself"},
		"ledger.journal_entries_source_key":             {Kind: realty.Conflict, Field: "source_id", Message: "already has a journal entry"},
		"ledger.journal_entries_balanced":               {Kind: realty.Invalid, Field: "lines", Message: "an entry needs at least two lines, debits equal to credits, all posted with the entry"},
		"ledger.journal_lines_line_no_check":            {Kind: realty.Invalid, Field: "lines", Message: "an entry has at most 500 lines"},
		"ledger.journal_lines_line_key":                 {Kind: realty.Conflict, Field: "lines", Message: "line numbers repeat"},
		"ledger.journal_lines_memo_check":               {Kind: realty.Invalid, Field: "memo", Message: "must be at most 500 characters"},
		"ledger.journal_lines_entry_fkey":               {Kind: realty.Invalid, Field: "entry_date", Message: "must be the entry's date"},
		"ledger.journal_lines_account_fkey":             {Kind: realty.Invalid, Field: "account_id", Message: "no such account"},
		"ledger.journal_lines_property_fkey":            {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"ledger.journal_lines_unit_fkey":                {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
		"ledger.journal_lines_amount_check":             {Kind: realty.Invalid, Field: "debit", Message: "exactly one of debit and credit is positive"},
		"ledger.payment_allocations_cap":                {Kind: realty.Invalid, Field: "allocations", Message: "exceed the payment's amount or the invoice's total"},
		"ledger.refunds_cap":                            {Kind: realty.Invalid, Field: "amount", Message: "exceeds the payment's unapplied credit"},
		"ledger.invoices_balance_check":                 {Kind: realty.Invalid, Field: "balance", Message: "must stay between 0 and the total"},
		"ledger.invoices_property_fkey":                 {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"ledger.invoices_unit_fkey":                     {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
		"ledger.invoices_tenant_fkey":                   {Kind: realty.Invalid, Field: "tenant_id", Message: "no such tenant"},
		"ledger.invoices_lease_fkey":                    {Kind: realty.Invalid, Field: "lease_id", Message: "no such lease"},
		"ledger.payments_tenant_fkey":                   {Kind: realty.Invalid, Field: "tenant_id", Message: "no such tenant"},
		"ledger.payments_lease_fkey":                    {Kind: realty.Invalid, Field: "lease_id", Message: "no such lease"},
		"ledger.invoice_lines_account_fkey":             {Kind: realty.Invalid, Field: "account_id", Message: "no such account"},
		"ledger.payments_allocated_check":               {Kind: realty.Invalid, Field: "amount", Message: "allocations and refunds exceed the amount"},
		"ledger.invoice_counters_last_check":            {Kind: realty.Invalid, Field: "number", Message: "must not be negative"},
		"ledger.invoice_counters_year_check":            {Kind: realty.Invalid, Field: "issue_date", Message: "must be a year from 2000 to 2999"},
		"ledger.invoice_lines_amount_check":             {Kind: realty.Invalid, Field: "amount", Message: "must be positive"},
		"ledger.invoice_lines_description_check":        {Kind: realty.Invalid, Field: "description", Message: "must be 1 to 300 characters"},
		"ledger.invoice_lines_line_no_check":            {Kind: realty.Invalid, Field: "lines", Message: "an invoice has at most 100 lines"},
		"ledger.invoice_lines_quantity_check":           {Kind: realty.Invalid, Field: "quantity", Message: "must be positive"},
		"ledger.invoice_lines_type_check":               {Kind: realty.Invalid, Field: "type", Message: "must be rent, late_fee, utility, maintenance, deposit or other"},
		"ledger.invoices_memo_check":                    {Kind: realty.Invalid, Field: "memo", Message: "must be at most 500 characters"},
		"ledger.invoices_number_check":                  {Kind: realty.Invalid, Field: "number", Message: "a draft has no number; an issued invoice has one and an issue date"},
		"ledger.invoices_period_check":                  {Kind: realty.Invalid, Field: "period", Message: "must be the first day of a month"},
		"ledger.invoices_status_check":                  {Kind: realty.Invalid, Field: "status", Message: "must be draft, open, partial, paid or void"},
		"ledger.invoices_total_check":                   {Kind: realty.Invalid, Field: "lines", Message: "the total must be positive"},
		"ledger.invoices_void_check":                    {Kind: realty.Invalid, Field: "status", Message: "a void invoice has a void date"},
		"ledger.payment_allocations_amount_check":       {Kind: realty.Invalid, Field: "amount", Message: "must be positive"},
		"ledger.payments_amount_check":                  {Kind: realty.Invalid, Field: "amount", Message: "must be positive"},
		"ledger.payments_fee_check":                     {Kind: realty.Invalid, Field: "fee", Message: "must be at least 0 and below the amount"},
		"ledger.payments_method_check":                  {Kind: realty.Invalid, Field: "method", Message: "must be cash, check, ach, card, money_order or other"},
		"ledger.payments_reference_check":               {Kind: realty.Invalid, Field: "reference", Message: "must be at most 100 characters"},
		"ledger.payments_status_check":                  {Kind: realty.Invalid, Field: "status", Message: "must be pending, cleared, failed or refunded"},
		"ledger.refunds_amount_check":                   {Kind: realty.Invalid, Field: "amount", Message: "must be positive"},
		"ledger.refunds_reference_check":                {Kind: realty.Invalid, Field: "reference", Message: "must be at most 100 characters"},
		"ledger.invoices_number_key":                    {Kind: realty.Conflict, Field: "number", Message: "is taken"},
		"ledger.invoice_counters_year_key":              {Kind: realty.Conflict, Field: "number", Message: "the year's counter exists"},
		"ledger.invoice_lines_line_key":                 {Kind: realty.Conflict, Field: "lines", Message: "line numbers repeat"},
		"ledger.invoice_lines_invoice_fkey":             {Kind: realty.Invalid, Field: "invoice_id", Message: "no such invoice"},
		"ledger.payment_allocations_payment_fkey":       {Kind: realty.Invalid, Field: "payment_id", Message: "no such payment"},
		"ledger.payment_allocations_invoice_fkey":       {Kind: realty.Invalid, Field: "invoice_id", Message: "no such invoice"},
		"ledger.refunds_payment_fkey":                   {Kind: realty.Invalid, Field: "payment_id", Message: "no such payment"},
		"ledger.settings_bill_approval_threshold_check": {Kind: realty.Invalid, Field: "bill_approval_threshold", Message: "must be at least 0"},
		"ledger.balance_months_month_check":             {Kind: realty.Invalid, Field: "month", Message: "must be the first day of a month"},
		"ledger.month_balances_lines_check":             {Kind: realty.Invalid, Field: "lines", Message: "a summarized row has lines"},
		"ledger.report_snapshots_kind_check":            {Kind: realty.Invalid, Field: "kind", Message: "must be a lower-case report kind"},
		"ledger.report_snapshots_params_check":          {Kind: realty.Invalid, Field: "params", Message: "must be at most 2000 characters"},
		"ledger.bills_kind_check":                       {Kind: realty.Invalid, Field: "kind", Message: "must be bill or expense"},
		"ledger.bills_reference_check":                  {Kind: realty.Invalid, Field: "reference", Message: "must be at most 100 characters"},
		"ledger.bills_memo_check":                       {Kind: realty.Invalid, Field: "memo", Message: "must be at most 500 characters"},
		"ledger.bills_tax_check":                        {Kind: realty.Invalid, Field: "tax", Message: "must be at least 0"},
		"ledger.bills_total_check":                      {Kind: realty.Invalid, Field: "lines", Message: "the total must be positive"},
		"ledger.bills_balance_check":                    {Kind: realty.Invalid, Field: "amount", Message: "exceeds the bill's balance"},
		"ledger.bills_due_check":                        {Kind: realty.Invalid, Field: "due_date", Message: "must not be before the bill date"},
		"ledger.bills_status_check":                     {Kind: realty.Invalid, Field: "status", Message: "is not a bill status"},
		"ledger.bills_approved_check":                   {Kind: realty.Invalid, Field: "status", Message: "an approved bill has an approval date"},
		"ledger.bills_void_check":                       {Kind: realty.Invalid, Field: "status", Message: "a void bill has a void date"},
		"ledger.bills_vendor_fkey":                      {Kind: realty.Invalid, Field: "vendor_id", Message: "no such vendor"},
		"ledger.bills_work_order_fkey":                  {Kind: realty.Invalid, Field: "work_order_id", Message: "no such work order"},
		"ledger.bills_charge_back_check":                {Kind: realty.Invalid, Field: "charge_back_tenant_id", Message: "is required with charge_back_lease_id"},
		"ledger.bills_property_fkey":                    {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"ledger.bills_unit_fkey":                        {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
		"ledger.bills_charge_back_tenant_fkey":          {Kind: realty.Invalid, Field: "charge_back_tenant_id", Message: "no such tenant"},
		"ledger.bills_charge_back_lease_fkey":           {Kind: realty.Invalid, Field: "charge_back_lease_id", Message: "no such lease"},
		"ledger.bills_charge_back_invoice_fkey":         {Kind: realty.Invalid, Field: "charge_back_invoice_id", Message: "no such invoice"},
		"ledger.bill_lines_line_no_check":               {Kind: realty.Invalid, Field: "lines", Message: "a bill has at most 100 lines"},
		"ledger.bill_lines_description_check":           {Kind: realty.Invalid, Field: "description", Message: "must be 1 to 300 characters"},
		"ledger.bill_lines_amount_check":                {Kind: realty.Invalid, Field: "amount", Message: "must be positive"},
		"ledger.bill_lines_line_key":                    {Kind: realty.Conflict, Field: "lines", Message: "line numbers repeat"},
		"ledger.bill_lines_bill_fkey":                   {Kind: realty.Invalid, Field: "bill_id", Message: "no such bill"},
		"ledger.bill_lines_account_fkey":                {Kind: realty.Invalid, Field: "account_id", Message: "no such account"},
		"ledger.bill_payments_amount_check":             {Kind: realty.Invalid, Field: "amount", Message: "must be positive"},
		"ledger.bill_payments_method_check":             {Kind: realty.Invalid, Field: "method", Message: "must be check, ach, card, cash, wire or other"},
		"ledger.bill_payments_reference_check":          {Kind: realty.Invalid, Field: "reference", Message: "must be at most 100 characters"},
		"ledger.bill_payments_bill_fkey":                {Kind: realty.Invalid, Field: "bill_id", Message: "no such bill"},
		"ledger.settings_org_key":                       {Kind: realty.Conflict, Field: "organization_id", Message: "has settings"},
		"app.idempotency_keys_key_check":                {Kind: realty.Invalid, Field: "Idempotency-Key", Message: "must be 1 to 255 characters"},
		"app.idempotency_keys_key_key":                  {Kind: realty.Conflict, Field: "Idempotency-Key", Message: "is in use"},
		"app.idempotency_keys_method_check":             {Kind: realty.Invalid, Field: "method", Message: "must be POST, PUT, PATCH or DELETE"},
		"app.idempotency_keys_route_check":              {Kind: realty.Invalid, Field: "route", Message: "must be 1 to 200 characters"},
		"app.idempotency_keys_request_hash_check":       {Kind: realty.Invalid, Field: "request_hash", Message: "must be a SHA-256 digest"},
		"app.idempotency_keys_response_status_check":    {Kind: realty.Invalid, Field: "response_status", Message: "must be an HTTP status"},
	})
}

// Permissions are the ledger domain's permissions.
var Permissions = []realty.Permission{
	{Name: "ledger.read", Description: "See the chart of accounts, the journal, periods and the trial balance",
		Roles: []string{"broker", "property_manager", "accountant"}},
	{Name: "ledger.post", Description: "Post and reverse manual journal entries", Roles: []string{"accountant"}},
	{Name: "ledger.manage", Description: "Change the chart of accounts and close accounting periods", Roles: []string{"accountant"}},
	{Name: "invoice.read", Description: "See invoices, payments, tenant ledgers, balances and AR aging",
		Roles: []string{"broker", "property_manager", "accountant"}},
	{Name: "invoice.manage", Description: "Draft, issue and void invoices", Roles: []string{"property_manager", "accountant"}},
	{Name: "payment.record", Description: "Record payments, allocate them, apply credit, refund and mark failed",
		Roles: []string{"property_manager", "accountant"}},
	{Name: "bill.read", Description: "See vendor bills, expenses and their payments", Roles: []string{"broker", "property_manager", "accountant"}},
	{Name: "bill.manage", Description: "Record, submit and void vendor bills and expenses", Roles: []string{"property_manager", "accountant"}},
	{Name: "bill.approve", Description: "Approve vendor bills and expenses (above the threshold, only others')", Roles: []string{"broker", "accountant"}},
	{Name: "bill.pay", Description: "Pay approved vendor bills", Roles: []string{"property_manager", "accountant"}},
	{Name: "budget.manage", Description: "Create budgets, set their lines and copy them from last year's actuals",
		Roles: []string{"property_manager", "accountant"}},
	{Name: "report.manage", Description: "Save reports with parameters, schedules and recipients",
		Roles: []string{"property_manager", "accountant"}},
}

// Service is the ledger domain.
type Service struct {
	pool *postgres.Pool
	now  func() time.Time
	// mail and publicURL send scheduled reports (UseMail).
	mail      Mailer
	publicURL string
	// snapshots runs the materialized reports' recomputes (snapshots.go).
	snapshots *snapshots
}

// New returns the ledger service; now is the clock that dates postings in
// the organization's time zone (time.Now when nil).
func New(pool *postgres.Pool, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	slots := 1
	if pool != nil {
		slots = max(1, int(pool.Config().MaxConns)/2)
	}
	return &Service{pool: pool, now: now, snapshots: &snapshots{capacity: slots}}
}

// Money is an amount in the organization's currency, exact to the cent: a
// string such as "1250.00" in JSON, numeric(14,2) in SQL.
type Money struct{ decimal.Decimal }

// M returns d as Money.
func M(d decimal.Decimal) Money { return Money{d} }

// MarshalText writes the amount with two decimals.
func (m Money) MarshalText() ([]byte, error) { return []byte(m.StringFixed(2)), nil }

// UnmarshalText reads a decimal amount.
func (m *Money) UnmarshalText(b []byte) error {
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return realty.FieldError("amount", "is not a decimal amount")
	}
	m.Decimal = d
	return nil
}

// MarshalJSON writes the amount as a JSON string with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(`"` + m.StringFixed(2) + `"`), nil }

// UnmarshalJSON reads a JSON string (or number) amount.
func (m *Money) UnmarshalJSON(b []byte) error { return m.Decimal.UnmarshalJSON(b) }

// maxAmount bounds one line's amount: numeric(14,2).
var maxAmount = decimal.New(1, 12)
