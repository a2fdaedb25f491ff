package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/postgres"
	"realty/internal/property"
)

// W7 reads what a property manager reads: the manager dashboard
// (occupancy, this month's collections, AR aging), a property's rent roll,
// AR aging and an income statement over a year, for one organization with
// -units units and two years of history. The realty side is the domain
// services in the harness over the raw pool (as the dashboard's handlers
// call them); the raw side sends the same statements, copied below.

// w7Property prefixes the names of the properties W7 seeds; the first's
// presence means the organization's history is seeded.
const w7Property = "W7 dashboards"

// w7UnitsPerProperty is the size of a W7 property, so a rent roll reads
// 500 units.
const w7UnitsPerProperty = 500

// w7Data is what the W7 requests draw from.
type w7Data struct {
	org        *orgData
	actor      realty.Actor
	properties []realty.ID
	vacant     []realty.ID // the vacant units, for the raw occupancy read
	leases     map[realty.ID][]realty.ID
	today      realty.Date
}

// dashboardsResult describes W7's data for the report.
type dashboardsResult struct {
	Org          string `json:"organization"`
	Units        int    `json:"units"`
	Properties   int    `json:"properties"`
	Vacant       int    `json:"vacant_units"`
	Invoices     int    `json:"invoices"`
	JournalLines int    `json:"journal_lines"`
	AsOf         string `json:"as_of"`
	// SummaryMonths and SummarySeconds are what the monthly summary's
	// refresh (ledger.Service.RefreshSummary, the job's work) did before
	// the runs.
	SummaryMonths  int     `json:"summary_months"`
	SummarySeconds float64 `json:"summary_seconds"`
}

// w7 seeds the organization's history (once per data directory) and
// returns the four W7 workloads and what they read.
func w7(ctx context.Context, cfg config, e *env) ([]workload, *dashboardsResult, error) {
	admin, err := pgx.Connect(ctx, adminURL(e.srv))
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close(ctx)
	o := e.orgs[0]
	today := realty.DateOf(time.Now().UTC())
	if err := seedHistory(ctx, admin, o.ID, cfg.Units, today); err != nil {
		return nil, nil, fmt.Errorf("seed W7 history: %w", err)
	}
	d := &w7Data{org: o, today: today, leases: map[realty.ID][]realty.ID{},
		actor: realty.Actor{OrgID: o.ID, Permissions: []string{"property.read", "lease.read", "invoice.read", "ledger.read"}}}
	if err := d.load(ctx, admin); err != nil {
		return nil, nil, err
	}
	findings, err := ledger.CheckDB(ctx, admin, o.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range findings {
		if !f.OK() {
			return nil, nil, fmt.Errorf("W7 ledger check of %s: %s %s", o.Slug, f.Name, status(f))
		}
	}
	res := &dashboardsResult{Org: o.Slug, Properties: len(d.properties), Vacant: len(d.vacant), AsOf: today.String()}
	start := time.Now()
	done, err := ledger.New(e.raw, nil).RefreshSummary(ctx, realty.System(o.ID))
	if err != nil {
		return nil, nil, fmt.Errorf("W7 summary refresh: %w", err)
	}
	res.SummaryMonths, res.SummarySeconds = len(done.Months), time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "  W7 monthly summary: %d months summed in %.1f s\n", res.SummaryMonths, res.SummarySeconds)
	if err := admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM property.units WHERE organization_id = $1)::int,
		(SELECT count(*) FROM ledger.invoices WHERE organization_id = $1)::int,
		(SELECT count(*) FROM ledger.journal_lines WHERE organization_id = $1)::int`, o.ID).Scan(&res.Units, &res.Invoices, &res.JournalLines); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "  W7 %s: %d units in all (%d in %d W7 properties, %d vacant), %d invoices, %d journal lines; ledger check OK\n",
		o.Slug, res.Units, cfg.Units, len(d.properties), len(d.vacant), res.Invoices, res.JournalLines)
	return e.w7workloads(d), res, nil
}

// load reads the W7 properties, their active leases and the vacant units.
func (d *w7Data) load(ctx context.Context, admin *pgx.Conn) error {
	rows, err := admin.Query(ctx, `SELECT p.id FROM property.properties p WHERE p.organization_id = $1 AND p.name LIKE $2 || ' %' ORDER BY p.name`,
		d.org.ID, w7Property)
	if err == nil {
		d.properties, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
	}
	if err == nil {
		rows, err = admin.Query(ctx, `SELECT u.id FROM property.units u JOIN property.properties p ON p.organization_id = u.organization_id
			AND p.id = u.property_id WHERE u.organization_id = $1 AND p.name LIKE $2 || ' %' AND u.status = 'vacant'`, d.org.ID, w7Property)
	}
	if err == nil {
		d.vacant, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
	}
	for _, p := range d.properties {
		if err != nil {
			break
		}
		if rows, err = admin.Query(ctx, `SELECT id FROM leasing.leases WHERE organization_id = $1 AND property_id = $2 AND status = 'active'
			ORDER BY start_date`, d.org.ID, p); err == nil {
			d.leases[p], err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
		}
	}
	if err == nil && len(d.properties) == 0 {
		err = fmt.Errorf("W7: %s has no W7 property", d.org.Slug)
	}
	return err
}

func (e *env) w7workloads(d *w7Data) []workload {
	books := ledger.New(e.raw, nil)
	props := property.New(e.raw, nil, 0)
	lease := leasing.New(e.raw, books, nil)
	yearAgo := realty.DateOf(d.today.Time().AddDate(-1, 0, 1))
	month := realty.Date{Year: d.today.Year, Month: d.today.Month, Day: 1}
	next := realty.DateOf(month.Time().AddDate(0, 1, 0))
	api, raw := newRNGs(71), newRNGs(71)
	pick := func(r *rngs, c int) realty.ID { return d.properties[r.of(c).IntN(len(d.properties))] }
	side := func(do request) target { return target{"realty", do, none} }
	return []workload{
		{ID: "W7", Name: "dashboard",
			realty: side(func(ctx context.Context, _, _ int) error {
				_, err := lease.Dashboard(ctx, d.actor, d.today, props.UnitStates, property.UnitsMarkSQL)
				return err
			}),
			raw: target{"raw SQL", func(ctx context.Context, _, _ int) error {
				args := pgx.NamedArgs{"org": d.org.ID, "scope": (*[]realty.ID)(nil), "status": "vacant"}
				for _, q := range []string{rawUnitCountsSQL, rawUnitStatesSQL} {
					if err := e.sql(ctx, d.actor, q, args); err != nil {
						return err
					}
				}
				if err := e.sql(ctx, d.actor, rawLeaseEndsSQL, d.org.ID, d.vacant, d.today); err != nil {
					return err
				}
				if err := e.sql(ctx, d.actor, rawCollectionsSQL, d.org.ID, month, next); err != nil {
					return err
				}
				return e.sql(ctx, d.actor, ledger.AgingTotalSQL, d.org.ID, d.today)
			}, none}},
		{ID: "W7", Name: "rent_roll",
			realty: side(func(ctx context.Context, c, _ int) error {
				_, err := lease.RentRoll(ctx, d.actor, pick(api, c), leasing.RentRollSources{Units: props.Units, Balances: books.LeaseBalances,
					Marks: []ledger.Mark{property.UnitsMarkSQL, ledger.ReceivablesMarkSQL}})
				return err
			}),
			raw: target{"raw SQL", func(ctx context.Context, c, _ int) error {
				p := pick(raw, c)
				if err := e.sql(ctx, d.actor, rawPropertySQL, d.org.ID, p, (*[]realty.ID)(nil)); err != nil {
					return err
				}
				if err := e.sql(ctx, d.actor, rawUnitsSQL, d.org.ID, p); err != nil {
					return err
				}
				if err := e.sql(ctx, d.actor, rawRollLeasesSQL, d.org.ID, p, (*[]realty.ID)(nil)); err != nil {
					return err
				}
				return e.sql(ctx, d.actor, ledger.LeaseBalancesSQL, d.org.ID, d.leases[p])
			}, none}},
		{ID: "W7", Name: "ar_aging",
			realty: side(func(ctx context.Context, _, _ int) error {
				_, err := books.Aging(ctx, d.actor, d.today)
				return err
			}),
			raw: target{"raw SQL", func(ctx context.Context, _, _ int) error {
				return e.sql(ctx, d.actor, ledger.AgingSQL, d.org.ID, d.today)
			}, none}},
		{ID: "W7", Name: "income_statement",
			realty: side(func(ctx context.Context, _, _ int) error {
				_, err := books.IncomeStatement(ctx, d.actor, yearAgo, d.today, nil)
				return err
			}),
			raw: target{"raw SQL", func(ctx context.Context, _, _ int) error {
				return e.sql(ctx, d.actor, ledger.IncomeStatementSQL, d.org.ID, yearAgo, d.today, yearAgo)
			}, none}},
	}
}

// The raw side's SQL is the domains', copied (property: unitstates.go,
// units.go, property.go's getSQL; leasing: occupancy.go, rentroll.go,
// leases.go's leaseColumns; ledger: dashboard.go); keep it in step when
// those change. AR aging's, the lease balances' and the income statement's
// are the ledger's own (ledger.AgingSQL, ledger.LeaseBalancesSQL,
// ledger.IncomeStatementSQL).
const (
	rawVisible       = `SELECT id, name FROM property.properties WHERE organization_id = @org AND deleted_at IS NULL AND (@scope::uuid[] IS NULL OR id = ANY(@scope))`
	rawUnitCountsSQL = `SELECT u.status, count(*)::int AS count FROM property.units u JOIN (` + rawVisible + `) p ON p.id = u.property_id
			WHERE u.organization_id = @org GROUP BY u.status`
	rawUnitStatesSQL = `SELECT u.id AS unit_id, u.unit_number, p.id AS property_id, p.name AS property_name, u.status, u.market_rent, u.created_at
			FROM property.units u JOIN (` + rawVisible + `) p ON p.id = u.property_id
			WHERE u.organization_id = @org AND (@status = '' OR u.status = @status)
			ORDER BY p.name, u.unit_number, u.id`
	rawLeaseEndsSQL = `SELECT unit_id, max(coalesce(move_out_date, terminated_on, end_date)) AS ended
		FROM leasing.leases WHERE organization_id = $1 AND unit_id = ANY($2) AND status IN ('expired', 'terminated')
		  AND coalesce(move_out_date, terminated_on, end_date) <= $3
		GROUP BY unit_id`
	rawCollectionsSQL = `SELECT count(*)::int AS invoices, coalesce(sum(total), 0) AS billed,
			coalesce(sum(paid), 0) AS collected, coalesce(sum(balance), 0) AS outstanding
		FROM ledger.invoices WHERE organization_id = $1 AND due_date >= $2 AND due_date < $3 AND status IN ('open', 'partial', 'paid')`
	rawPropertySQL = `SELECT id, name, property_type, subtype, status, address_line1, address_line2, city, state_province,
	postal_code, country, latitude::float8 AS latitude, longitude::float8 AS longitude, parcel_number, year_built,
	living_area::float8 AS living_area, lot_size::float8 AS lot_size, bedrooms, bathrooms::float8 AS bathrooms, amenities,
	manager_id, market_value, acquisition_price, annual_tax, created_at, updated_at FROM property.properties
	WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL AND ($3::uuid[] IS NULL OR id = ANY($3))`
	rawUnitsSQL = `SELECT id, property_id, building_id, unit_number, unit_type, floor, area::float8 AS area, bedrooms,
	bathrooms::float8 AS bathrooms, market_rent, status, availability_date, created_at FROM property.units
		WHERE organization_id = $1 AND property_id = $2 ORDER BY length(unit_number), unit_number, id`
	rawRollLeasesSQL = `SELECT l.id, l.property_id, l.unit_id, l.lease_type, l.start_date, l.end_date, l.rent, l.rent_due_day, l.deposit,
	l.late_fee_kind, l.late_fee_amount, l.late_fee_percent, l.late_fee_grace_days, l.late_fee_cap, l.auto_renew, l.notice_days,
	l.increase_pct, l.status, l.move_in_date, l.move_out_date, l.terminated_on, l.termination_reason, l.renewal_of,
	coalesce((SELECT jsonb_agg(jsonb_build_object('tenant_id', lt.tenant_id, 'primary', lt.is_primary) ORDER BY NOT lt.is_primary, lt.id)
		FROM leasing.lease_tenants lt WHERE lt.organization_id = l.organization_id AND lt.lease_id = l.id), '[]') AS tenants,
	coalesce((SELECT jsonb_agg(jsonb_build_object('kind', c.kind, 'description', coalesce(c.description, ''), 'amount', c.amount,
			'account_id', c.account_id) ORDER BY c.id)
		FROM leasing.lease_charges c WHERE c.organization_id = l.organization_id AND c.lease_id = l.id), '[]') AS charges,
	l.created_at, l.updated_at,
		(SELECT coalesce(t.company_name, t.first_name || ' ' || t.last_name) FROM leasing.lease_tenants lt
			JOIN leasing.tenants t ON t.organization_id = lt.organization_id AND t.id = lt.tenant_id
			WHERE lt.organization_id = l.organization_id AND lt.lease_id = l.id AND lt.is_primary) AS tenant_name
		FROM leasing.leases l WHERE l.organization_id = $1 AND l.property_id = $2 AND l.status = 'active'
		  AND ($3::uuid[] IS NULL OR l.property_id = ANY($3))
		ORDER BY l.start_date`
)

// seedHistory gives the organization, unless it has them, units (in
// properties of w7UnitsPerProperty) each with a tenant and a fixed lease
// from the month two years ago — every 20th unit vacant since its lease
// ended 1 to 12 months ago, the others leased to the end of this month —
// and every month's rent invoice with its journal entry; most invoices
// are paid a few days after they fall due (payment, allocation and their
// entries), some of the last months' are not. Set-based statements in one
// transaction, triggers off (session_replication_role = replica: no audit
// rows, no per-row checks, so the columns triggers would copy are written
// here); ledger.CheckDB verifies the books afterwards.
func seedHistory(ctx context.Context, admin *pgx.Conn, org realty.ID, units int, today realty.Date) error {
	var seeded bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT FROM property.properties WHERE organization_id = $1 AND name = $2 || ' 1')`,
		org, w7Property).Scan(&seeded); err != nil || seeded {
		return err
	}
	month := realty.Date{Year: today.Year, Month: today.Month, Day: 1}
	first := realty.DateOf(month.Time().AddDate(-2, 0, 0))
	props := max((units+w7UnitsPerProperty-1)/w7UnitsPerProperty, 1)
	fmt.Fprintf(os.Stderr, "  W7 seed %d units in %d properties, history from %s\n", units, props, first)
	start := time.Now()
	tx, err := admin.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := postgres.SetOrg(ctx, tx, org); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		return err
	}
	// The seed writes with triggers off, so the journal's summary_dirty
	// trigger cannot mark the months it writes into: the organization's
	// summary is dropped, and w7 sums it again before the runs.
	if err := ledger.ForgetSummaryTx(ctx, tx, org); err != nil {
		return err
	}
	args := pgx.NamedArgs{"org": org, "units": units, "props": props, "first": first, "month": month, "today": today, "name": w7Property}
	for _, stmt := range seedHistorySQL {
		if _, err := tx.Exec(ctx, stmt, args); err != nil {
			return fmt.Errorf("%.70s: %w", strings.TrimSpace(stmt), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	_, err = admin.Exec(ctx, `VACUUM (ANALYZE) property.properties, property.units, leasing.tenants, leasing.leases, leasing.lease_tenants,
		ledger.invoices, ledger.invoice_lines, ledger.payments, ledger.payment_allocations, ledger.journal_entries, ledger.journal_lines, ledger.invoice_counters`)
	fmt.Fprintf(os.Stderr, "  W7 seeded in %.1f s\n", time.Since(start).Seconds())
	return err
}

// seedHistorySQL are seedHistory's statements (named arguments: org,
// units, props, first, month, today, name).
var seedHistorySQL = []string{
	`CREATE TEMP TABLE w7_props ON COMMIT DROP AS SELECT k, gen_random_uuid() AS id FROM generate_series(1, @props::int) AS k`,
	`CREATE TEMP TABLE w7_units ON COMMIT DROP AS
		SELECT n, 1 + (n - 1) / ` + fmt.Sprint(w7UnitsPerProperty) + ` AS k, gen_random_uuid() AS unit_id, gen_random_uuid() AS tenant_id,
			gen_random_uuid() AS lease_id, 900 + (n % 50) * 25 AS rent,
			CASE WHEN n % 20 = 0 THEN (@month::date - make_interval(months => (n / 20) % 12))::date - 1 END AS ended
		FROM generate_series(1, @units::int) AS n`,
	`INSERT INTO property.properties (organization_id, id, name, address_line1, city)
		SELECT @org::uuid, id, @name || ' ' || k, k || ' Ledger Lane', 'Springfield' FROM w7_props`,
	`INSERT INTO property.units (organization_id, id, property_id, unit_number, status, market_rent)
		SELECT @org::uuid, u.unit_id, p.id, 'W7-' || u.n, CASE WHEN u.ended IS NULL THEN 'occupied' ELSE 'vacant' END, u.rent
		FROM w7_units u JOIN w7_props p ON p.k = u.k`,
	`INSERT INTO leasing.tenants (organization_id, id, first_name, last_name, status)
		SELECT @org::uuid, tenant_id, 'Tenant', 'W7 ' || n, CASE WHEN ended IS NULL THEN 'active' ELSE 'moved_out' END FROM w7_units`,
	`INSERT INTO leasing.leases (organization_id, id, property_id, unit_id, tenant_ids, lease_type, start_date, end_date, rent, rent_due_day,
			status, move_in_date, move_out_date)
		SELECT @org::uuid, u.lease_id, p.id, u.unit_id, ARRAY[u.tenant_id], 'fixed', @first, coalesce(u.ended, (@month::date + interval '1 month')::date - 1),
			u.rent, 1, CASE WHEN u.ended IS NULL THEN 'active' ELSE 'expired' END, @first, u.ended
		FROM w7_units u JOIN w7_props p ON p.k = u.k`,
	`INSERT INTO leasing.lease_tenants (organization_id, lease_id, tenant_id, is_primary) SELECT @org::uuid, lease_id, tenant_id, true FROM w7_units`,
	// Each invoice: due the 1st, issued five days before; unpaid: this
	// month's for every third unit, the two months before for every tenth,
	// the two before those for every fortieth.
	`CREATE TEMP TABLE w7_inv ON COMMIT DROP AS
		SELECT x.*, gen_random_uuid() AS invoice_id, gen_random_uuid() AS entry_id, gen_random_uuid() AS payment_id,
			gen_random_uuid() AS pay_entry_id, gen_random_uuid() AS alloc_id, gen_random_uuid() AS alloc_entry_id,
			extract(year FROM x.issued)::int AS yr,
			coalesce((SELECT c.last FROM ledger.invoice_counters c WHERE c.organization_id = @org AND c.year = extract(year FROM x.issued)), 0)
				+ row_number() OVER (PARTITION BY extract(year FROM x.issued) ORDER BY x.due, x.n) AS seq,
			NOT ((x.back = 0 AND x.n % 3 = 0) OR (x.back BETWEEN 1 AND 2 AND x.n % 10 = 0) OR (x.back BETWEEN 3 AND 4 AND x.n % 40 = 0)) AS paid,
			least(x.due + x.n % 5, @today::date) AS received
		FROM (SELECT u.n, u.tenant_id, u.lease_id, u.unit_id, p.id AS property_id, u.rent::numeric(14, 2) AS total, m::date AS due,
				(m - interval '5 days')::date AS issued,
				((extract(year FROM @month::date) - extract(year FROM m)) * 12 + extract(month FROM @month::date) - extract(month FROM m))::int AS back
			FROM w7_units u JOIN w7_props p ON p.k = u.k
			CROSS JOIN generate_series(@first::date, @month::date, interval '1 month') AS m
			WHERE m <= coalesce(u.ended, @month::date)) AS x`,
	`INSERT INTO ledger.invoices (organization_id, id, tenant_id, lease_id, property_id, unit_id, number_year, number_seq, status,
			issue_date, due_date, period, memo, total, paid, balance, origin)
		SELECT @org::uuid, invoice_id, tenant_id, lease_id, property_id, unit_id, yr, seq, CASE WHEN paid THEN 'paid' ELSE 'open' END,
			issued, due, due, 'Rent', total, CASE WHEN paid THEN total ELSE 0 END, CASE WHEN paid THEN 0 ELSE total END, 'billing'
		FROM w7_inv`,
	`INSERT INTO ledger.invoice_counters AS c (organization_id, year, last)
		SELECT @org::uuid, yr, max(seq) FROM w7_inv GROUP BY yr
		ON CONFLICT (organization_id, year) DO UPDATE SET last = greatest(c.last, excluded.last)`,
	`INSERT INTO ledger.invoice_lines (organization_id, invoice_id, tenant_id, line_no, type, description, amount, account_id)
		SELECT @org::uuid, i.invoice_id, i.tenant_id, 1, 'rent', 'Rent', i.total, a.id
		FROM w7_inv i JOIN ledger.accounts a ON a.organization_id = @org AND a.system_key = 'rental_income'`,
	`INSERT INTO ledger.payments (organization_id, id, tenant_id, lease_id, method, amount, received_on, status, allocated)
		SELECT @org::uuid, payment_id, tenant_id, lease_id, 'ach', total, received, 'cleared', total FROM w7_inv WHERE paid`,
	`INSERT INTO ledger.payment_allocations (organization_id, id, payment_id, invoice_id, tenant_id, amount, allocated_on)
		SELECT @org::uuid, alloc_id, payment_id, invoice_id, tenant_id, total, received FROM w7_inv WHERE paid`,
	`INSERT INTO ledger.journal_entries (organization_id, id, entry_date, memo, source_type, source_id)
		SELECT @org::uuid, entry_id, issued, 'Invoice ' || yr || '-' || lpad(seq::text, 6, '0'), 'invoice', invoice_id FROM w7_inv
		UNION ALL SELECT @org::uuid, pay_entry_id, received, 'Payment received', 'payment', payment_id FROM w7_inv WHERE paid
		UNION ALL SELECT @org::uuid, alloc_entry_id, received, 'Payment applied', 'allocation', alloc_id FROM w7_inv WHERE paid`,
	`INSERT INTO ledger.journal_lines (organization_id, entry_id, entry_date, line_no, account_id, debit, credit, property_id, unit_id, lease_id, tenant_id)
		SELECT @org::uuid, i.entry_id, i.issued, 1, a.id, i.total, 0, i.property_id, i.unit_id, i.lease_id, i.tenant_id
			FROM w7_inv i JOIN ledger.accounts a ON a.organization_id = @org AND a.system_key = 'accounts_receivable'
		UNION ALL SELECT @org::uuid, i.entry_id, i.issued, 2, a.id, 0, i.total, i.property_id, i.unit_id, i.lease_id, i.tenant_id
			FROM w7_inv i JOIN ledger.accounts a ON a.organization_id = @org AND a.system_key = 'rental_income'
		UNION ALL SELECT @org::uuid, i.pay_entry_id, i.received, 1, a.id, i.total, 0, NULL, NULL, i.lease_id, i.tenant_id
			FROM w7_inv i JOIN ledger.accounts a ON a.organization_id = @org AND a.system_key = 'undeposited_funds' WHERE i.paid
		UNION ALL SELECT @org::uuid, i.pay_entry_id, i.received, 2, a.id, 0, i.total, NULL, NULL, i.lease_id, i.tenant_id
			FROM w7_inv i JOIN ledger.accounts a ON a.organization_id = @org AND a.system_key = 'tenant_credit' WHERE i.paid
		UNION ALL SELECT @org::uuid, i.alloc_entry_id, i.received, 1, a.id, i.total, 0, NULL, NULL, i.lease_id, i.tenant_id
			FROM w7_inv i JOIN ledger.accounts a ON a.organization_id = @org AND a.system_key = 'tenant_credit' WHERE i.paid
		UNION ALL SELECT @org::uuid, i.alloc_entry_id, i.received, 2, a.id, 0, i.total, i.property_id, i.unit_id, i.lease_id, i.tenant_id
			FROM w7_inv i JOIN ledger.accounts a ON a.organization_id = @org AND a.system_key = 'accounts_receivable' WHERE i.paid`,
}
