package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Finding is one invariant of the books and the rows that break it.
type Finding struct {
	Name string
	// Rows describe each offending row; none when the invariant holds.
	Rows []string
}

// OK reports whether the invariant holds.
func (f Finding) OK() bool { return len(f.Rows) == 0 }

// invariant is one check: a query naming organization_id = $1 whose every
// row is an offence, rendered as one line.
type invariant struct {
	name, sql string
}

// invariants are the journal's rules that hold at this stage of the books
// (subledger invariants join as the subledgers do).
var invariants = []invariant{
	{"every entry balances (two lines or more, debits = credits)", `SELECT format('entry %s dated %s: %s lines, debits %s, credits %s', e.id, e.entry_date,
			count(l.id), coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0))
		FROM ledger.journal_entries e LEFT JOIN ledger.journal_lines l ON l.organization_id = e.organization_id AND l.entry_id = e.id
		WHERE e.organization_id = $1 GROUP BY e.id, e.entry_date
		HAVING count(l.id) < 2 OR coalesce(sum(l.debit), 0) <> coalesce(sum(l.credit), 0) ORDER BY e.entry_date, e.id`},
	{"the trial balance sums to zero", `SELECT format('debits %s, credits %s', sum(debit), sum(credit))
		FROM ledger.journal_lines WHERE organization_id = $1 HAVING sum(debit) <> sum(credit)`},
	{"no entry is dated in a period closed before it was posted", `SELECT format('entry %s dated %s posted %s, period closed %s', e.id, e.entry_date, e.posted_at, p.closed_at)
		FROM ledger.journal_entries e JOIN ledger.accounting_periods p ON p.organization_id = e.organization_id
			AND p.period = date_trunc('month', e.entry_date)::date AND p.status = 'closed' AND p.closed_at <= e.posted_at
		WHERE e.organization_id = $1 ORDER BY e.entry_date, e.id`},
	{"every reversal mirrors its original (lines swapped, same source)", `SELECT format('reversal %s of %s', r.id, o.id)
		FROM ledger.journal_entries r JOIN ledger.journal_entries o ON o.organization_id = r.organization_id AND o.id = r.reverses
		WHERE r.organization_id = $1 AND (o.source_type <> r.source_type OR o.source_id IS DISTINCT FROM r.source_id
			OR EXISTS (SELECT account_id, debit, credit, property_id, unit_id, lease_id, tenant_id FROM ledger.journal_lines
				WHERE organization_id = r.organization_id AND entry_id = r.id
				EXCEPT ALL SELECT account_id, credit, debit, property_id, unit_id, lease_id, tenant_id FROM ledger.journal_lines
				WHERE organization_id = o.organization_id AND entry_id = o.id)
			OR EXISTS (SELECT account_id, credit, debit, property_id, unit_id, lease_id, tenant_id FROM ledger.journal_lines
				WHERE organization_id = o.organization_id AND entry_id = o.id
				EXCEPT ALL SELECT account_id, debit, credit, property_id, unit_id, lease_id, tenant_id FROM ledger.journal_lines
				WHERE organization_id = r.organization_id AND entry_id = r.id))
		ORDER BY r.id`},
	{"AR control = sum of open invoice balances (organization, tenant, lease)", `WITH gl AS (
			SELECT GROUPING(l.tenant_id, l.lease_id) AS lvl, coalesce(l.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid) AS t, coalesce(l.lease_id, '00000000-0000-0000-0000-000000000000'::uuid) AS le,
				sum(l.debit - l.credit) AS amt
			FROM ledger.journal_lines l
			JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id AND a.system_key = 'accounts_receivable'
			WHERE l.organization_id = $1 GROUP BY GROUPING SETS ((), (l.tenant_id), (l.tenant_id, l.lease_id))),
		sub AS (
			SELECT GROUPING(tenant_id, lease_id) AS lvl, coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid) AS t, coalesce(lease_id, '00000000-0000-0000-0000-000000000000'::uuid) AS le,
				sum(balance) AS amt
			FROM ledger.invoices WHERE organization_id = $1 AND status IN ('open', 'partial', 'paid')
			GROUP BY GROUPING SETS ((), (tenant_id), (tenant_id, lease_id)))
		SELECT format('%s: AR control %s, open invoices %s', CASE lvl WHEN 3 THEN 'organization' WHEN 1 THEN 'tenant ' || t ELSE 'tenant ' || t || ' lease ' || le END,
			coalesce(g, 0), coalesce(v, 0))
		FROM (SELECT coalesce(gl.lvl, sub.lvl) AS lvl, coalesce(gl.t, sub.t) AS t, coalesce(gl.le, sub.le) AS le, gl.amt AS g, sub.amt AS v
			FROM gl FULL JOIN sub ON sub.lvl = gl.lvl AND sub.t = gl.t AND sub.le = gl.le) x
		WHERE coalesce(g, 0) <> coalesce(v, 0) ORDER BY 1`},
	{"tenant credit = sum of unapplied payment amounts (organization, tenant)", `WITH gl AS (
			SELECT l.tenant_id, sum(l.credit - l.debit) AS amt FROM ledger.journal_lines l
			JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id AND a.system_key = 'tenant_credit'
			WHERE l.organization_id = $1 GROUP BY l.tenant_id),
		sub AS (SELECT tenant_id, sum(unapplied) AS amt FROM ledger.payments WHERE organization_id = $1 AND status <> 'failed' GROUP BY tenant_id)
		SELECT format('tenant %s: tenant credit %s, unapplied payments %s', coalesce(gl.tenant_id, sub.tenant_id), coalesce(gl.amt, 0), coalesce(sub.amt, 0))
		FROM gl FULL JOIN sub ON coalesce(sub.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(gl.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)
		WHERE coalesce(gl.amt, 0) <> coalesce(sub.amt, 0) ORDER BY 1`},
	{"every invoice: paid = sum of its allocations, balance = total - paid, total = sum of its lines", `SELECT format('invoice %s: total %s, lines %s, paid %s, allocations %s, balance %s',
			i.id, i.total, coalesce(ln.amt, 0), i.paid, coalesce(al.amt, 0), i.balance)
		FROM ledger.invoices i
		LEFT JOIN (SELECT invoice_id, sum(amount) AS amt FROM ledger.payment_allocations WHERE organization_id = $1 AND reversed_on IS NULL GROUP BY invoice_id) al
			ON al.invoice_id = i.id
		LEFT JOIN (SELECT invoice_id, sum(amount) AS amt FROM ledger.invoice_lines WHERE organization_id = $1 GROUP BY invoice_id) ln ON ln.invoice_id = i.id
		WHERE i.organization_id = $1 AND (i.paid <> coalesce(al.amt, 0) OR i.balance <> i.total - i.paid OR i.balance < 0 OR i.balance > i.total
			OR i.total <> coalesce(ln.amt, 0)
			OR i.status <> CASE WHEN i.status IN ('draft', 'void') THEN i.status WHEN i.balance = 0 THEN 'paid' WHEN i.paid > 0 THEN 'partial' ELSE 'open' END)
		ORDER BY i.id`},
	{"every payment: sum of allocations + refunds <= amount, and its columns agree", `SELECT format('payment %s: amount %s, allocated %s (allocations %s), refunded %s (refunds %s)',
			p.id, p.amount, p.allocated, coalesce(al.amt, 0), p.refunded, coalesce(rf.amt, 0))
		FROM ledger.payments p
		LEFT JOIN (SELECT payment_id, sum(amount) AS amt FROM ledger.payment_allocations WHERE organization_id = $1 AND reversed_on IS NULL GROUP BY payment_id) al
			ON al.payment_id = p.id
		LEFT JOIN (SELECT payment_id, sum(amount) AS amt FROM ledger.refunds WHERE organization_id = $1 GROUP BY payment_id) rf ON rf.payment_id = p.id
		WHERE p.organization_id = $1 AND (coalesce(al.amt, 0) + coalesce(rf.amt, 0) > p.amount OR p.allocated <> coalesce(al.amt, 0)
			OR p.refunded <> coalesce(rf.amt, 0))
		ORDER BY p.id`},
	{"AP control = sum of open bill balances (organization, property)", `WITH gl AS (
			SELECT GROUPING(l.property_id) AS lvl, coalesce(l.property_id, '00000000-0000-0000-0000-000000000000'::uuid) AS p, sum(l.credit - l.debit) AS amt
			FROM ledger.journal_lines l
			JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id AND a.system_key = 'accounts_payable'
			WHERE l.organization_id = $1 GROUP BY GROUPING SETS ((), (l.property_id))),
		sub AS (
			SELECT GROUPING(property_id) AS lvl, coalesce(property_id, '00000000-0000-0000-0000-000000000000'::uuid) AS p, sum(balance) AS amt
			FROM ledger.bills WHERE organization_id = $1 AND kind = 'bill' AND status IN ('approved', 'partial', 'paid')
			GROUP BY GROUPING SETS ((), (property_id)))
		SELECT format('%s: AP control %s, open bills %s', CASE lvl WHEN 1 THEN 'organization' ELSE 'property ' || p END, coalesce(g, 0), coalesce(v, 0))
		FROM (SELECT coalesce(gl.lvl, sub.lvl) AS lvl, coalesce(gl.p, sub.p) AS p, gl.amt AS g, sub.amt AS v
			FROM gl FULL JOIN sub ON sub.lvl = gl.lvl AND sub.p = gl.p) x
		WHERE coalesce(g, 0) <> coalesce(v, 0) ORDER BY 1`},
	{"every bill: paid = sum of its payments (an expense: its total once approved), balance = total - paid, total = sum of its lines + tax",
		`SELECT format('bill %s: total %s, lines %s + tax %s, paid %s, payments %s, balance %s', b.id, b.total, coalesce(ln.amt, 0), b.tax, b.paid,
			coalesce(pm.amt, 0), b.balance)
		FROM ledger.bills b
		LEFT JOIN (SELECT bill_id, sum(amount) AS amt FROM ledger.bill_payments WHERE organization_id = $1 GROUP BY bill_id) pm ON pm.bill_id = b.id
		LEFT JOIN (SELECT bill_id, sum(amount) AS amt FROM ledger.bill_lines WHERE organization_id = $1 GROUP BY bill_id) ln ON ln.bill_id = b.id
		WHERE b.organization_id = $1 AND (b.balance <> b.total - b.paid OR b.total <> coalesce(ln.amt, 0) + b.tax
			OR b.paid <> CASE WHEN b.kind = 'bill' THEN coalesce(pm.amt, 0) WHEN b.approved_on IS NOT NULL THEN b.total ELSE 0 END
			OR (b.kind = 'bill' AND b.status IN ('approved', 'partial', 'paid')
				AND b.status <> CASE WHEN b.balance = 0 THEN 'paid' WHEN b.paid > 0 THEN 'partial' ELSE 'approved' END))
		ORDER BY b.id`},
	{"every money row has exactly one entry (and one reversal when undone)", `WITH src AS (
			SELECT 'invoice' AS t, id, status <> 'draft' AS posted, status = 'void' AS undone FROM ledger.invoices WHERE organization_id = $1
			UNION ALL SELECT 'payment', id, true, status = 'failed' FROM ledger.payments WHERE organization_id = $1
			UNION ALL SELECT 'allocation', id, true, reversed_on IS NOT NULL FROM ledger.payment_allocations WHERE organization_id = $1
			UNION ALL SELECT 'refund', id, true, false FROM ledger.refunds WHERE organization_id = $1
			UNION ALL SELECT 'deposit_disposition', id, true, false FROM ledger.deposit_dispositions WHERE organization_id = $1
			UNION ALL SELECT 'bill', id, approved_on IS NOT NULL, status = 'void' AND approved_on IS NOT NULL FROM ledger.bills WHERE organization_id = $1
			UNION ALL SELECT 'bill_payment', id, true, false FROM ledger.bill_payments WHERE organization_id = $1),
		je AS (SELECT source_type AS t, source_id AS id, count(*) FILTER (WHERE reverses IS NULL) AS n, count(*) FILTER (WHERE reverses IS NOT NULL) AS r
			FROM ledger.journal_entries WHERE organization_id = $1 AND source_type IN ('invoice', 'payment', 'allocation', 'refund', 'deposit_disposition', 'bill', 'bill_payment')
			GROUP BY 1, 2)
		SELECT format('%s %s: %s entries, %s reversals', coalesce(src.t, je.t), coalesce(src.id, je.id), coalesce(je.n, 0), coalesce(je.r, 0))
		FROM src FULL JOIN je ON je.t = src.t AND je.id = src.id
		WHERE coalesce(je.n, 0) <> CASE WHEN coalesce(src.posted, false) THEN 1 ELSE 0 END
			OR coalesce(je.r, 0) <> CASE WHEN coalesce(src.undone, false) THEN 1 ELSE 0 END
		ORDER BY 1`},
	{"security deposits held = deposits invoiced - dispositions, per lease", `WITH gl AS (
			SELECT l.lease_id, sum(l.credit - l.debit) AS amt FROM ledger.journal_lines l
			JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id AND a.system_key = 'security_deposits'
			WHERE l.organization_id = $1 AND l.lease_id IS NOT NULL GROUP BY l.lease_id),
		received AS (
			SELECT i.lease_id, sum(il.amount) AS amt FROM ledger.invoices i
			JOIN ledger.invoice_lines il ON il.organization_id = i.organization_id AND il.invoice_id = i.id
			JOIN ledger.accounts a ON a.organization_id = il.organization_id AND a.id = il.account_id AND a.system_key = 'security_deposits'
			WHERE i.organization_id = $1 AND i.lease_id IS NOT NULL AND i.status NOT IN ('draft', 'void') GROUP BY i.lease_id),
		disposed AS (
			SELECT lease_id, sum(held) AS amt FROM ledger.deposit_dispositions WHERE organization_id = $1 GROUP BY lease_id),
		leases AS (SELECT lease_id FROM gl UNION SELECT lease_id FROM received UNION SELECT lease_id FROM disposed)
		SELECT format('lease %s: deposits held %s, received %s, disposed of %s', x.lease_id, coalesce(gl.amt, 0), coalesce(r.amt, 0), coalesce(d.amt, 0))
		FROM leases x LEFT JOIN gl ON gl.lease_id = x.lease_id LEFT JOIN received r ON r.lease_id = x.lease_id
			LEFT JOIN disposed d ON d.lease_id = x.lease_id
		WHERE coalesce(gl.amt, 0) <> coalesce(r.amt, 0) - coalesce(d.amt, 0) ORDER BY 1`},
	{"every system account exists", `SELECT format('system account %s is missing', k)
		FROM unnest($2::text[]) k
		WHERE NOT EXISTS (SELECT FROM ledger.accounts a WHERE a.organization_id = $1 AND a.system_key = k) ORDER BY k`},
}

func systemKeys() []string {
	keys := make([]string, len(SystemAccounts))
	for i, a := range SystemAccounts {
		keys[i] = a.Key
	}
	return keys
}

// CheckDB verifies the invariants of organization orgID's books through
// db: a transaction scoped to it (Check), or an administrative connection
// (the doctor's). Each finding lists the rows that break it.
func CheckDB(ctx context.Context, db postgres.DB, orgID realty.ID) ([]Finding, error) {
	var out []Finding
	for _, inv := range invariants {
		args := []any{orgID}
		if inv.name == "every system account exists" {
			args = append(args, systemKeys())
		}
		rows, err := db.Query(ctx, inv.sql, args...)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", inv.name, err)
		}
		bad, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", inv.name, err)
		}
		out = append(out, Finding{Name: inv.name, Rows: bad})
	}
	more, err := registeredFindings(ctx, db, orgID)
	return append(out, more...), err
}

// Check verifies the invariants of the actor's organization's books.
// Forbidden without ledger.read.
func (s *Service) Check(ctx context.Context, actor realty.Actor) ([]Finding, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return nil, err
	}
	var out []Finding
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = CheckDB(ctx, tx, actor.OrgID)
		return err
	})
	return out, err
}

// Organizations returns the ids of every organization with a chart of
// accounts, read through an administrative connection (the runtime role
// sees one organization at a time).
func Organizations(ctx context.Context, db postgres.DB) ([]realty.ID, error) {
	rows, err := db.Query(ctx, `SELECT DISTINCT organization_id FROM ledger.accounts ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[realty.ID])
}
