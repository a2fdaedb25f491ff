package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// billingResult is W6: one period's billing run for every organization
// through leasing.Service.RunBilling (what the River job and `realty
// billing run` call), its rerun, and the same invoices written by
// hand-written set-based SQL for the next period.
type billingResult struct {
	Leases          int      `json:"leases"`
	Workers         int      `json:"organizations_at_once"`
	Orgs            int      `json:"organizations"`
	Period          string   `json:"period"`
	RawPeriod       string   `json:"raw_period"`
	Seconds         float64  `json:"run_s"`
	Invoices        int      `json:"invoices"`
	PerSecond       float64  `json:"invoices_per_s"`
	RerunSeconds    float64  `json:"rerun_s"`
	RerunInvoices   int      `json:"rerun_invoices"`
	RawSeconds      float64  `json:"raw_s"`
	RawInvoices     int      `json:"raw_invoices"`
	RawPerSecond    float64  `json:"raw_invoices_per_s"`
	Ratio           float64  `json:"ratio"`
	OnePerLease     bool     `json:"one_invoice_per_lease"`
	CheckedOrgs     int      `json:"checked_orgs"`
	CheckFindings   []string `json:"check_findings,omitempty"`
	CheckedInvoices int      `json:"checked_invoices"`
}

// w6Property names the property W6 seeds in each organization; its
// presence means the organization's leases are seeded.
const w6Property = "W6 billing"

// w6 seeds the leases (once per data directory), then bills a period
// through realty, bills it again, bills the next period with the raw SQL,
// and verifies.
func w6(ctx context.Context, cfg config, e *env) (*billingResult, error) {
	admin, err := pgx.Connect(ctx, adminURL(e.srv))
	if err != nil {
		return nil, err
	}
	defer admin.Close(ctx)
	per := max(cfg.Leases/len(e.orgs), 1)
	res := &billingResult{Orgs: len(e.orgs)}
	if err := seedLeases(ctx, admin, e.orgs, per); err != nil {
		return nil, fmt.Errorf("seed leases: %w", err)
	}
	res.Leases = per * len(e.orgs)
	period, err := nextPeriod(ctx, admin)
	if err != nil {
		return nil, err
	}
	raw := realty.Date{Year: period.Year, Month: period.Month + 1, Day: 1}
	if raw.Month > 12 {
		raw = realty.Date{Year: period.Year + 1, Month: 1, Day: 1}
	}
	res.Period, res.RawPeriod = period.String()[:7], raw.String()[:7]
	fmt.Fprintf(os.Stderr, "  W6 %d leases over %d organizations; realty bills %s, raw SQL bills %s\n", res.Leases, res.Orgs, res.Period, res.RawPeriod)
	books := ledger.New(e.raw, nil)
	svc := leasing.New(e.raw, books, nil)
	workers := max(cfg.BillingWorkers, 1)
	res.Workers = workers
	runAll := func(p realty.Date) (int, float64, error) {
		start := time.Now()
		n, err := eachOrg(e.orgs, workers, func(o *orgData) (int, error) {
			b, err := svc.RunBilling(ctx, realty.System(o.ID), p)
			if err != nil {
				return 0, fmt.Errorf("billing run of %s: %w", o.Slug, err)
			}
			return len(b.Invoices), nil
		})
		return n, time.Since(start).Seconds(), err
	}
	if res.Invoices, res.Seconds, err = runAll(period); err != nil {
		return nil, err
	}
	res.PerSecond = float64(res.Invoices) / res.Seconds
	fmt.Fprintf(os.Stderr, "  W6 realty billing run (%d organizations at once): %d invoices in %.2f s, %.0f invoices/s\n",
		workers, res.Invoices, res.Seconds, res.PerSecond)
	if res.RerunInvoices, res.RerunSeconds, err = runAll(period); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "  W6 second run: %d invoices in %.2f s\n", res.RerunInvoices, res.RerunSeconds)
	start := time.Now()
	res.RawInvoices, err = eachOrg(e.orgs, workers, func(o *orgData) (int, error) {
		n, err := rawBilling(ctx, e, books, o, raw)
		if err != nil {
			return 0, fmt.Errorf("raw billing of %s: %w", o.Slug, err)
		}
		return n, nil
	})
	if err != nil {
		return nil, err
	}
	res.RawSeconds = time.Since(start).Seconds()
	res.RawPerSecond = float64(res.RawInvoices) / res.RawSeconds
	res.Ratio = res.PerSecond / res.RawPerSecond
	fmt.Fprintf(os.Stderr, "  W6 raw SQL: %d invoices in %.2f s, %.0f invoices/s; realty %.2f× raw\n", res.RawInvoices, res.RawSeconds, res.RawPerSecond, res.Ratio)
	return res, verifyBilling(ctx, admin, e, res, period)
}

// eachOrg runs do for every organization, workers at a time, and returns
// the sum of what they count; the first error stops the handing out.
func eachOrg(orgs []*orgData, workers int, do func(o *orgData) (int, error)) (int, error) {
	var (
		mu    sync.Mutex
		next  int
		total int
		first error
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if first != nil || next == len(orgs) {
					mu.Unlock()
					return
				}
				o := orgs[next]
				next++
				mu.Unlock()
				n, err := do(o)
				mu.Lock()
				total += n
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return total, first
}

// seedLeases gives each organization without them a property of per
// units, each with a tenant and an active month-to-month lease (rent, a
// parking charge, a pet charge on every third), in set-based statements.
func seedLeases(ctx context.Context, admin *pgx.Conn, orgs []*orgData, per int) error {
	ids := make([]realty.ID, 0, len(orgs))
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	var missing []realty.ID
	rows, err := admin.Query(ctx, `SELECT o FROM unnest($1::uuid[]) AS o WHERE NOT EXISTS
		(SELECT FROM property.properties p WHERE p.organization_id = o AND p.name = $2)`, ids, w6Property)
	if err != nil {
		return err
	}
	if missing, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID]); err != nil || len(missing) == 0 {
		return err
	}
	fmt.Fprintf(os.Stderr, "  W6 seed %d leases in each of %d organizations\n", per, len(missing))
	for _, org := range missing {
		if err := seedOrgLeases(ctx, admin, org, per); err != nil {
			return err
		}
	}
	_, err = admin.Exec(ctx, "VACUUM (ANALYZE) leasing.leases, leasing.lease_tenants, leasing.lease_charges, leasing.tenants, property.units")
	return err
}

// seedOrgLeases seeds one organization in one transaction scoped to it
// (the audit trail records its rows).
func seedOrgLeases(ctx context.Context, admin *pgx.Conn, org realty.ID, per int) error {
	tx, err := admin.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := postgres.SetOrg(ctx, tx, org); err != nil {
		return err
	}
	for _, stmt := range seedLeaseSQL {
		if _, err := tx.Exec(ctx, stmt, []realty.ID{org}, per, w6Property); err != nil {
			return fmt.Errorf("%.60s: %w", strings.TrimSpace(stmt), err)
		}
	}
	return tx.Commit(ctx)
}

// seedLeaseSQL are the seeding statements; each takes the organizations
// ($1), the leases per organization ($2) and the property's name ($3).
var seedLeaseSQL = []string{
	`CREATE TEMP TABLE w6_seed ON COMMIT DROP AS
		SELECT o AS org, n, gen_random_uuid() AS unit_id, gen_random_uuid() AS tenant_id, gen_random_uuid() AS lease_id
		FROM unnest($1::uuid[]) AS o, generate_series(1, $2::int) AS n WHERE $3::text IS NOT NULL`,
	`INSERT INTO property.properties (organization_id, name, address_line1, city)
		SELECT o, $3, 'Billing Way 1', 'Springfield' FROM unnest($1::uuid[]) AS o WHERE $2::int > 0`,
	`INSERT INTO property.units (organization_id, id, property_id, unit_number, status)
		SELECT s.org, s.unit_id, p.id, 'W6-' || s.n, 'occupied' FROM w6_seed s
		JOIN property.properties p ON p.organization_id = s.org AND p.name = $3 WHERE s.org = ANY($1) AND $2::int > 0`,
	`INSERT INTO leasing.tenants (organization_id, id, first_name, last_name, status)
		SELECT org, tenant_id, 'Tenant', 'W6 ' || n, 'active' FROM w6_seed WHERE org = ANY($1) AND $2::int > 0 AND $3::text IS NOT NULL`,
	`INSERT INTO leasing.leases (organization_id, id, property_id, unit_id, tenant_ids, lease_type, start_date, rent, rent_due_day, status)
		SELECT s.org, s.lease_id, p.id, s.unit_id, ARRAY[s.tenant_id], 'month_to_month', '2020-01-01', 900 + (s.n % 50) * 25, 1, 'active'
		FROM w6_seed s JOIN property.properties p ON p.organization_id = s.org AND p.name = $3 WHERE s.org = ANY($1) AND $2::int > 0`,
	`INSERT INTO leasing.lease_tenants (organization_id, lease_id, tenant_id, is_primary)
		SELECT org, lease_id, tenant_id, true FROM w6_seed WHERE org = ANY($1) AND $2::int > 0 AND $3::text IS NOT NULL`,
	`INSERT INTO leasing.lease_charges (organization_id, lease_id, tenant_ids, kind, description, amount, account_id)
		SELECT s.org, s.lease_id, ARRAY[s.tenant_id], c.kind, c.description, c.amount, a.id
		FROM w6_seed s CROSS JOIN (VALUES ('parking', 'Parking', 50.00, 0), ('pet', 'Pet rent', 25.00, 3)) AS c (kind, description, amount, every)
		JOIN ledger.accounts a ON a.organization_id = s.org AND a.system_key = 'other_tenant_income'
		WHERE s.org = ANY($1) AND $2::int > 0 AND $3::text IS NOT NULL AND (c.every = 0 OR s.n % c.every = 0)`,
}

// nextPeriod is the month after the latest any W6 lease was billed for
// (2027-01 on a fresh seed), so a reused data directory bills anew.
func nextPeriod(ctx context.Context, admin *pgx.Conn) (realty.Date, error) {
	var last *time.Time
	err := admin.QueryRow(ctx, `SELECT max(i.period) FROM ledger.invoices i JOIN leasing.leases l ON l.organization_id = i.organization_id
		AND l.id = i.lease_id JOIN property.properties p ON p.organization_id = l.organization_id AND p.id = l.property_id
		WHERE i.origin = 'billing' AND p.name = $1`, w6Property).Scan(&last)
	if err != nil || last == nil {
		return realty.Date{Year: 2027, Month: 1, Day: 1}, err
	}
	next := last.AddDate(0, 1, 0)
	return realty.Date{Year: next.Year(), Month: next.Month(), Day: 1}, nil
}

// verifyBilling checks exactly one invoice per W6 lease for the period and
// runs ledger.CheckDB on a sample of organizations (all in a smoke run).
func verifyBilling(ctx context.Context, admin *pgx.Conn, e *env, res *billingResult, period realty.Date) error {
	var leases, billed, extra int
	err := admin.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1) FROM (
			SELECT (SELECT count(*) FROM ledger.invoices i WHERE i.organization_id = l.organization_id AND i.lease_id = l.id
				AND i.origin = 'billing' AND i.period = $2) AS n
			FROM leasing.leases l JOIN property.properties p ON p.organization_id = l.organization_id AND p.id = l.property_id
			WHERE p.name = $1 AND l.status = 'active') AS x`, w6Property, period).Scan(&leases, &billed, &extra)
	if err != nil {
		return err
	}
	res.CheckedInvoices, res.OnePerLease = billed, billed == leases && extra == 0
	fmt.Fprintf(os.Stderr, "  W6 verify: %d active W6 leases, %d with exactly one invoice for %s, %d with more\n", leases, billed, res.Period, extra)
	step := max(len(e.orgs)/10, 1)
	for i := 0; i < len(e.orgs); i += step {
		o := e.orgs[i]
		findings, err := ledger.CheckDB(ctx, admin, o.ID)
		if err != nil {
			return err
		}
		res.CheckedOrgs++
		for _, f := range findings {
			line := fmt.Sprintf("%s: %s %s", o.Slug, f.Name, status(f))
			fmt.Fprintln(os.Stderr, "  W6 ledger check", line)
			if !f.OK() {
				res.CheckFindings = append(res.CheckFindings, line)
			}
		}
	}
	if !res.OnePerLease {
		return errors.New("W6: not exactly one invoice per lease for the period")
	}
	if len(res.CheckFindings) > 0 {
		return fmt.Errorf("W6: ledger check failed: %s", strings.Join(res.CheckFindings, "; "))
	}
	return nil
}

// rawBilling bills one organization's active leases for period in one
// transaction of hand-written set-based SQL: the counter locked, then the
// invoices, their lines, journal entries and journal lines as one
// INSERT … SELECT chain, then the counter advanced. It returns the
// invoices inserted.
func rawBilling(ctx context.Context, e *env, books *ledger.Service, o *orgData, period realty.Date) (int, error) {
	actor := realty.System(o.ID)
	last := period.Time().AddDate(0, 1, -1)
	label := period.Time().Format("January 2006")
	var n int
	err := postgres.Tx(ctx, e.raw, actor, func(tx pgx.Tx) error {
		today, err := books.Today(ctx, tx, actor)
		if err != nil {
			return err
		}
		var seq int
		if err := tx.QueryRow(ctx, `INSERT INTO ledger.invoice_counters AS c (organization_id, year, last) VALUES ($1, $2, 0)
			ON CONFLICT (organization_id, year) DO UPDATE SET last = c.last RETURNING last`, o.ID, today.Year).Scan(&seq); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, rawBillingSQL, o.ID, period, last, today, seq, label).Scan(&n); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE ledger.invoice_counters SET last = last + $3 WHERE organization_id = $1 AND year = $2`, o.ID, today.Year, n)
		return err
	})
	return n, err
}

// rawBillingSQL is the billing run by hand: $1 organization, $2 period,
// $3 its last day, $4 today, $5 the counter's last number, $6 the month's
// name. It bills whole months of active leases (what W6 seeds).
const rawBillingSQL = `WITH l AS (
		SELECT l.id AS lease_id, l.property_id, l.unit_id, lt.tenant_id, l.rent, gen_random_uuid() AS invoice_id, gen_random_uuid() AS entry_id,
			row_number() OVER (ORDER BY l.id) AS seq
		FROM leasing.leases l JOIN leasing.lease_tenants lt ON lt.organization_id = $1 AND lt.lease_id = l.id AND lt.is_primary
		WHERE l.organization_id = $1 AND l.status = 'active' AND l.start_date <= $3 AND (l.end_date IS NULL OR l.end_date >= $2)
			AND NOT EXISTS (SELECT FROM ledger.invoices i WHERE i.organization_id = $1 AND i.origin = 'billing' AND i.lease_id = l.id AND i.period = $2)),
	lines AS (
		SELECT l.invoice_id, l.entry_id, 1 AS line_no, 'rent' AS type, 'Rent, ' || $6 AS description, l.rent AS amount,
			(SELECT a.id FROM ledger.accounts a WHERE a.organization_id = $1 AND a.system_key = 'rental_income') AS account_id
		FROM l
		UNION ALL
		SELECT l.invoice_id, l.entry_id, 1 + row_number() OVER (PARTITION BY c.lease_id ORDER BY c.id),
			CASE c.kind WHEN 'utility' THEN 'utility' ELSE 'other' END, coalesce(nullif(c.description, ''), c.kind) || ', ' || $6, c.amount, c.account_id
		FROM l JOIN leasing.lease_charges c ON c.organization_id = $1 AND c.lease_id = l.lease_id),
	line_ids AS (SELECT lines.*, gen_random_uuid() AS id FROM lines),
	inv AS (
		INSERT INTO ledger.invoices (organization_id, id, tenant_id, lease_id, property_id, unit_id, number_year, number_seq, status,
			issue_date, due_date, period, memo, total, balance, origin)
		SELECT $1, l.invoice_id, l.tenant_id, l.lease_id, l.property_id, l.unit_id, extract(year FROM $4::date)::int, $5::int + l.seq, 'open',
			$4, $2, $2, 'Rent, ' || $6, t.total, t.total, 'billing'
		FROM l JOIN (SELECT invoice_id, sum(amount) AS total FROM lines GROUP BY invoice_id) t ON t.invoice_id = l.invoice_id
		RETURNING id, number, tenant_id, lease_id, property_id, unit_id, total),
	il AS (
		INSERT INTO ledger.invoice_lines (organization_id, id, invoice_id, line_no, type, description, amount, account_id)
		SELECT $1, id, invoice_id, line_no, type, description, amount, account_id FROM line_ids),
	je AS (
		INSERT INTO ledger.journal_entries (organization_id, id, entry_date, memo, source_type, source_id)
		SELECT $1, l.entry_id, $4, 'Invoice ' || inv.number, 'invoice', inv.id FROM inv JOIN l ON l.invoice_id = inv.id),
	jl AS (
		INSERT INTO ledger.journal_lines (organization_id, id, entry_id, entry_date, line_no, account_id, debit, credit,
			property_id, unit_id, lease_id, tenant_id, memo)
		SELECT $1, gen_random_uuid(), l.entry_id, $4, 1, (SELECT a.id FROM ledger.accounts a WHERE a.organization_id = $1
				AND a.system_key = 'accounts_receivable'), inv.total, 0, inv.property_id, inv.unit_id, inv.lease_id, inv.tenant_id, NULL
		FROM inv JOIN l ON l.invoice_id = inv.id
		UNION ALL
		SELECT $1, gen_random_uuid(), x.entry_id, $4, x.line_no + 1, x.account_id, 0, x.amount, l.property_id, l.unit_id, l.lease_id,
			l.tenant_id, x.description
		FROM line_ids x JOIN l ON l.invoice_id = x.invoice_id)
	SELECT count(*)::int FROM inv`

func status(f ledger.Finding) string {
	if f.OK() {
		return "OK"
	}
	return fmt.Sprintf("BROKEN (%d rows)", len(f.Rows))
}
