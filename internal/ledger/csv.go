package ledger

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Table is a report as rows for CSV: a title row, a row stating when the
// figures were computed, an empty row, the header and the rows.
type Table struct {
	Title      string
	ComputedAt time.Time
	Header     []string
	Rows       [][]string
}

// CSV renders the table (RFC 4180, CRLF line ends).
func (t Table) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	_ = w.Write([]string{t.Title})
	_ = w.Write([]string{"computed_at", t.ComputedAt.UTC().Format(time.RFC3339)})
	_ = w.Write([]string{})
	_ = w.Write(t.Header)
	_ = w.WriteAll(t.Rows) // a bytes.Buffer does not fail
	return buf.Bytes()
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }

func statementRows(section string, rows []StatementRow) [][]string {
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, []string{section, r.Code, r.Name, money(r.Amount.Decimal)})
	}
	return out
}

// Table is the income statement as CSV rows: section, code, name, amount.
func (st IncomeStatement) Table() Table {
	t := Table{Title: fmt.Sprintf("Income statement %s to %s", st.From, st.To), ComputedAt: st.ComputedAt,
		Header: []string{"section", "code", "account", "amount"}}
	if st.PropertyID != nil {
		t.Title += ", property " + st.PropertyID.String()
	}
	t.Rows = append(statementRows("income", st.Income), statementRows("expense", st.Expenses)...)
	t.Rows = append(t.Rows, []string{"total", "", "Total income", money(st.TotalIncome.Decimal)},
		[]string{"total", "", "Total expenses", money(st.TotalExpenses.Decimal)},
		[]string{"total", "", "Net income", money(st.NetIncome.Decimal)})
	return t
}

// Table is the balance sheet as CSV rows: section, code, name, amount.
func (b BalanceSheet) Table() Table {
	t := Table{Title: fmt.Sprintf("Balance sheet as of %s", b.AsOf), ComputedAt: b.ComputedAt,
		Header: []string{"section", "code", "account", "amount"}}
	t.Rows = statementRows("asset", b.Assets)
	t.Rows = append(t.Rows, []string{"total", "", "Total assets", money(b.TotalAssets.Decimal)})
	t.Rows = append(t.Rows, statementRows("liability", b.Liabilities)...)
	t.Rows = append(t.Rows, []string{"total", "", "Total liabilities", money(b.TotalLiabilities.Decimal)})
	t.Rows = append(t.Rows, statementRows("equity", b.Equity)...)
	t.Rows = append(t.Rows, []string{"equity", "", "Retained earnings", money(b.RetainedEarnings.Decimal)},
		[]string{"equity", "", "Current-year earnings", money(b.CurrentEarnings.Decimal)},
		[]string{"total", "", "Total equity", money(b.TotalEquity.Decimal)},
		[]string{"total", "", "Total liabilities and equity", money(b.TotalLiabilities.Add(b.TotalEquity.Decimal))})
	return t
}

// Table is the owner statement as CSV rows: section, code, name, amount.
func (o OwnerStatement) Table() Table {
	t := Table{Title: fmt.Sprintf("Owner statement, property %s, %s", o.PropertyID, o.Month.Time().Format("January 2006")),
		ComputedAt: o.ComputedAt, Header: []string{"section", "code", "account", "amount"}}
	t.Rows = append(statementRows("income", o.Income), statementRows("expense", o.Expenses)...)
	for _, r := range []struct {
		name string
		v    Money
	}{{"Total income", o.TotalIncome}, {"Total expenses", o.TotalExpenses}, {"Net income", o.NetIncome},
		{"Reserves", o.Reserves}, {"Distributions", o.Distributions}, {"Undistributed", o.Undistributed},
		{"Reserve balance", o.ReserveBalance}} {
		t.Rows = append(t.Rows, []string{"total", "", r.name, money(r.v.Decimal)})
	}
	return t
}

// Table is budget vs actual as CSV rows, one per account and month (month
// 0 is the year): code, name, month, budget, actual, variance, variance %.
func (b BudgetActual) Table() Table {
	t := Table{Title: fmt.Sprintf("Budget vs actual %d", b.Year), ComputedAt: b.ComputedAt,
		Header: []string{"code", "account", "type", "month", "budget", "actual", "variance", "variance_pct"}}
	if b.PropertyID != nil {
		t.Title += ", property " + b.PropertyID.String()
	}
	cell := func(r BudgetActualRow, month string, v Variance) []string {
		pct := ""
		if v.VariancePct != nil {
			pct = *v.VariancePct
		}
		return []string{r.Code, r.Name, r.Type, month, money(v.Budget.Decimal), money(v.Actual.Decimal), money(v.Variance.Decimal), pct}
	}
	for _, r := range b.Rows {
		for m, v := range r.Months {
			t.Rows = append(t.Rows, cell(r, fmt.Sprintf("%d-%02d", b.Year, m+1), v))
		}
		t.Rows = append(t.Rows, cell(r, fmt.Sprint(b.Year), r.Year))
	}
	return t
}

// Table is the trial balance as CSV rows.
func (tb TrialBalance) Table(computedAt time.Time) Table {
	t := Table{Title: fmt.Sprintf("Trial balance as of %s", tb.AsOf), ComputedAt: computedAt,
		Header: []string{"code", "account", "type", "debit", "credit", "balance"}}
	for _, r := range tb.Accounts {
		t.Rows = append(t.Rows, []string{r.Code, r.Name, r.Type, money(r.Debit.Decimal), money(r.Credit.Decimal), money(r.Balance.Decimal)})
	}
	t.Rows = append(t.Rows, []string{"", "Total", "", money(tb.Debit.Decimal), money(tb.Credit.Decimal), ""})
	return t
}

// Table is AR aging as CSV rows, one per tenant and the total; names maps
// tenant ids to names (an id is written when a name is missing).
func (a Aging) Table(computedAt time.Time, names map[string]string) Table {
	t := Table{Title: fmt.Sprintf("AR aging as of %s", a.AsOf), ComputedAt: computedAt,
		Header: []string{"tenant_id", "tenant", "current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total"}}
	row := func(id, name string, r AgingRow) []string {
		return []string{id, name, money(r.Current.Decimal), money(r.Days1.Decimal), money(r.Days31.Decimal), money(r.Days61.Decimal),
			money(r.Days90.Decimal), money(r.Total.Decimal)}
	}
	for _, r := range a.Tenants {
		id := r.TenantID.String()
		t.Rows = append(t.Rows, row(id, names[id], r))
	}
	t.Rows = append(t.Rows, row("", "Total", a.Total))
	return t
}

// GLTable is an account's lines with running balance as CSV rows.
func GLTable(a Account, p LinesPage, computedAt time.Time) Table {
	t := Table{Title: fmt.Sprintf("General ledger %s %s", a.Code, a.Name), ComputedAt: computedAt,
		Header: []string{"date", "entry_id", "line", "memo", "debit", "credit", "balance"}}
	t.Rows = append(t.Rows, []string{"", "", "", "Opening balance", "", "", money(p.Opening.Decimal)})
	for _, l := range p.Items {
		memo := ""
		if l.Memo != nil {
			memo = *l.Memo
		}
		t.Rows = append(t.Rows, []string{l.EntryDate.String(), l.EntryID.String(), fmt.Sprint(l.LineNo), memo,
			money(l.Debit.Decimal), money(l.Credit.Decimal), money(l.Balance.Decimal)})
	}
	return t
}
