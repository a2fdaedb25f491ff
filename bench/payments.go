package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// W5 posts payments: POST /api/v1/payments with automatic allocation
// (the payment, its journal entry, an allocation to the tenant's oldest
// open invoice with its own entry, the invoice's balance) under an
// Idempotency-Key, against the same rows written by one hand-written
// transaction through pgx. Then a sample of the keys is sent again and the
// payments per key are counted: retries must write nothing.

// w5Tenants is how many tenants of each organization the payments are for.
const w5Tenants = 20

// w5Amount is every payment's amount; w5InvoiceTotal each tenant's one open
// invoice, large enough that no run pays it off, so every payment makes
// exactly one allocation on both sides.
const (
	w5Amount       = "10.00"
	w5InvoiceTotal = "900000.00"
)

// paymentData is what W5 draws from for one organization: its tenants, the
// accounts the raw side posts to, and the accounting day.
type paymentData struct {
	Tenants []realty.ID
	// Undeposited, Credit and AR are the system accounts a payment and an
	// allocation post to.
	Undeposited, Credit, AR realty.ID
	Today                   realty.Date
}

// paymentResult is W5's retry check.
type paymentResult struct {
	Resent     int `json:"resent"`
	Duplicates int `json:"duplicates"`
	Lost       int `json:"lost"`
	Mismatched int `json:"mismatched"`
	// Why holds the first three mismatches.
	Why []string `json:"why,omitempty"`
}

// w5Tenant creates a tenant of o for W5's payments (through the leasing
// service); every W5 tenant comes from here.
func w5Tenant(ctx context.Context, tenants *leasing.Service, o *orgData, n int) (realty.ID, error) {
	first, last := "Bench", fmt.Sprintf("Payer %d", n)
	t, err := tenants.CreateTenant(ctx, realty.System(o.ID), leasing.TenantInput{FirstName: &first, LastName: &last})
	return t.ID, err
}

// preparePayments gives each organization w5Tenants tenants with one large
// open invoice each (issued through the ledger service), and reads the
// accounts the raw side posts to.
func preparePayments(ctx context.Context, e *env) error {
	svc := ledger.New(e.raw, nil)
	tenants := leasing.New(e.raw, svc, nil)
	due := realty.DateOf(time.Now().UTC().AddDate(0, 0, -30))
	for _, o := range e.orgs {
		sys := realty.System(o.ID)
		accounts, err := svc.Accounts(ctx, sys)
		if err != nil {
			return err
		}
		for _, a := range accounts {
			switch deref(a.SystemKey) {
			case ledger.UndepositedFunds:
				o.Pay.Undeposited = a.ID
			case ledger.TenantCredit:
				o.Pay.Credit = a.ID
			case ledger.AccountsReceivable:
				o.Pay.AR = a.ID
			}
		}
		o.Pay.Today = realty.DateOf(time.Now().UTC())
		o.Pay.Tenants = nil
		for i := range w5Tenants {
			tenant, err := w5Tenant(ctx, tenants, o, i+1)
			if err != nil {
				return err
			}
			inv, err := svc.CreateInvoice(ctx, sys, ledger.InvoiceInput{TenantID: tenant, DueDate: due,
				Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: decimal.RequireFromString(w5InvoiceTotal)}}})
			if err == nil {
				_, err = svc.IssueInvoice(ctx, sys, inv.ID)
			}
			if err != nil {
				return fmt.Errorf("W5 invoice: %w", err)
			}
			o.Pay.Tenants = append(o.Pay.Tenants, tenant)
		}
		o.payActor = realty.Actor{OrgID: o.ID, Permissions: []string{"payment.record", "invoice.read"}}
	}
	return nil
}

// measurePayments runs W5 and then its retry check, noting what failed in
// rep.Errors.
func measurePayments(ctx context.Context, cfg config, srv *server, e *env, rep *report, pgPeak *int) {
	fmt.Fprintf(os.Stderr, "== W5: payment posting, %d tenants with an open invoice per organization\n", w5Tenants)
	if err := preparePayments(ctx, e); err != nil {
		rep.Errors = append(rep.Errors, "W5: "+err.Error())
		return
	}
	log := &paymentLog{}
	rep.Results = append(rep.Results, measureWorkload(ctx, cfg, srv, e.w5(log), rep, pgPeak))
	p, err := checkRetries(ctx, e, log)
	if err != nil {
		rep.Errors = append(rep.Errors, "W5 retries: "+err.Error())
		return
	}
	rep.Payments = p
	fmt.Fprintf(os.Stderr, "  W5 retries: %d resent (each key twice at once), %d duplicates, %d lost, %d not byte-identical\n",
		p.Resent, p.Duplicates, p.Lost, p.Mismatched)
	if p.Resent == 0 || p.Duplicates+p.Lost+p.Mismatched > 0 {
		rep.Errors = append(rep.Errors, fmt.Sprintf("W5 retries: %d resent, %d duplicates, %d lost, %d answers not byte-identical %q",
			p.Resent, p.Duplicates, p.Lost, p.Mismatched, p.Why))
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func drawPayment(rng *rand.Rand, orgs []*orgData) (*orgData, realty.ID) {
	o := orgs[rng.IntN(len(orgs))]
	return o, o.Pay.Tenants[rng.IntN(len(o.Pay.Tenants))]
}

// sentPayment is one keyed request kept for the retry check.
type sentPayment struct {
	org      *orgData
	key      string
	body     []byte
	response []byte
}

// paymentLog keeps every 50th request realty answered, up to 2,000.
type paymentLog struct {
	mu   sync.Mutex
	n    atomic.Int64
	kept []sentPayment
}

func (l *paymentLog) keep(p sentPayment) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.kept) < 2000 {
		l.kept = append(l.kept, p)
	}
}

func (e *env) w5(log *paymentLog) workload {
	api, raw := newRNGs(5), newRNGs(5)
	nonce := time.Now().UnixNano()
	return workload{ID: "W5", Name: "payment_posting",
		realty: target{"realty", func(ctx context.Context, c, _ int) error {
			o, tenant := drawPayment(api.of(c), e.orgs)
			n := log.n.Add(1)
			key := fmt.Sprintf("w5-%d-%d", nonce, n)
			body, _ := json.Marshal(map[string]any{"tenant_id": tenant, "method": "ach", "amount": w5Amount, "reference": key, "auto_allocate": true})
			resp, err := e.postPayment(ctx, o, key, body)
			if err == nil && n%50 == 0 {
				log.keep(sentPayment{org: o, key: key, body: body, response: resp})
			}
			return err
		}, e.srv.pid},
		raw: target{"raw SQL", func(ctx context.Context, c, _ int) error {
			o, tenant := drawPayment(raw.of(c), e.orgs)
			return rawPayment(ctx, e.raw, o, tenant, decimal.RequireFromString(w5Amount))
		}, none}}
}

// postPayment sends one payment under key and returns the 201's body.
func (e *env) postPayment(ctx context.Context, o *orgData, key string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.url+"/api/v1/payments", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+o.Key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(res.Body); err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusCreated || !bytes.HasPrefix(buf.Bytes(), []byte(`{"payment":`)) {
		return nil, fmt.Errorf("POST /api/v1/payments: %d %.200s", res.StatusCode, buf.Bytes())
	}
	return buf.Bytes(), nil
}

// checkRetries sends every kept request again with its key and body (two
// at once), requires the first answer back byte for byte, and counts the
// payments each key left: exactly one.
func checkRetries(ctx context.Context, e *env, log *paymentLog) (*paymentResult, error) {
	res := &paymentResult{Resent: 2 * len(log.kept)}
	var mismatched atomic.Int64
	var wg sync.WaitGroup
	var whyMu sync.Mutex
	sem := make(chan struct{}, 16)
	for _, p := range log.kept {
		for range 2 {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				got, err := e.postPayment(ctx, p.org, p.key, p.body)
				if err == nil && !bytes.Equal(got, p.response) {
					err = fmt.Errorf("key %s: %.300s, first answered %.300s", p.key, got, p.response)
				}
				if err != nil && mismatched.Add(1) <= 3 {
					whyMu.Lock()
					res.Why = append(res.Why, err.Error())
					whyMu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	res.Mismatched = int(mismatched.Load())
	keys := make([]string, len(log.kept))
	for i, p := range log.kept {
		keys[i] = p.key
	}
	admin, err := pgx.Connect(ctx, adminURL(e.srv))
	if err != nil {
		return nil, err
	}
	defer admin.Close(ctx)
	err = admin.QueryRow(ctx, `SELECT coalesce(sum(n - 1), 0), $2 - count(*) FROM (
			SELECT reference, count(*) AS n FROM ledger.payments WHERE reference = ANY($1) GROUP BY reference) x`,
		keys, len(keys)).Scan(&res.Duplicates, &res.Lost)
	return res, err
}

// rawPayment writes what POST /payments with auto_allocate writes, as one
// hand-written transaction: the payment and its entry (undeposited funds
// debited, tenant credit credited), the tenant's open invoices locked oldest
// due first, then per invoice paid from it an allocation, its entry (tenant
// credit debited, AR credited) and the invoice's paid, balance and status,
// and the payment's allocated amount. Two round trips of pipelined
// statements and one for the lock; the database's triggers (balance, caps,
// period) run as they do for realty.
func rawPayment(ctx context.Context, pool *postgres.Pool, o *orgData, tenant realty.ID, amount decimal.Decimal) error {
	ctx = realty.WithRequestID(ctx, "bench")
	return postgres.Tx(ctx, pool, o.payActor, func(tx pgx.Tx) error {
		pay, entry, day := realty.NewID(), realty.NewID(), o.Pay.Today
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO ledger.payments (organization_id, id, tenant_id, method, amount, received_on) VALUES ($1, $2, $3, 'ach', $4, $5)`,
			o.ID, pay, tenant, amount, day)
		b.Queue(`INSERT INTO ledger.journal_entries (organization_id, id, entry_date, memo, source_type, source_id) VALUES ($1, $2, $3, 'Payment received', 'payment', $4)`,
			o.ID, entry, day, pay)
		b.Queue(`INSERT INTO ledger.journal_lines (organization_id, id, entry_id, entry_date, line_no, account_id, debit, credit, tenant_id)
			VALUES ($1, $2, $3, $4, 1, $5, $6, 0, $7), ($1, $8, $3, $4, 2, $9, 0, $6, $7)`,
			o.ID, realty.NewID(), entry, day, o.Pay.Undeposited, amount, tenant, realty.NewID(), o.Pay.Credit)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, balance, lease_id FROM ledger.invoices WHERE organization_id = $1 AND tenant_id = $2
			AND status IN ('open', 'partial') ORDER BY due_date, id LIMIT 100 FOR UPDATE`, o.ID, tenant)
		if err != nil {
			return err
		}
		type open struct {
			ID      realty.ID
			Balance decimal.Decimal
			Lease   *realty.ID
		}
		invoices, err := pgx.CollectRows(rows, pgx.RowToStructByPos[open])
		if err != nil {
			return err
		}
		b, left := &pgx.Batch{}, amount
		for _, inv := range invoices {
			if !left.IsPositive() {
				break
			}
			amt := decimal.Min(left, inv.Balance)
			left = left.Sub(amt)
			alloc, entry := realty.NewID(), realty.NewID()
			b.Queue(`INSERT INTO ledger.payment_allocations (organization_id, id, payment_id, invoice_id, amount, allocated_on) VALUES ($1, $2, $3, $4, $5, $6)`,
				o.ID, alloc, pay, inv.ID, amt, day)
			b.Queue(`INSERT INTO ledger.journal_entries (organization_id, id, entry_date, memo, source_type, source_id) VALUES ($1, $2, $3, 'Payment applied', 'allocation', $4)`,
				o.ID, entry, day, alloc)
			b.Queue(`INSERT INTO ledger.journal_lines (organization_id, id, entry_id, entry_date, line_no, account_id, debit, credit, tenant_id, lease_id)
				VALUES ($1, $2, $3, $4, 1, $5, $6, 0, $7, NULL), ($1, $8, $3, $4, 2, $9, 0, $6, $7, $10)`,
				o.ID, realty.NewID(), entry, day, o.Pay.Credit, amt, tenant, realty.NewID(), o.Pay.AR, inv.Lease)
			b.Queue(`UPDATE ledger.invoices SET paid = paid + $3, balance = balance - $3,
				status = CASE WHEN balance - $3 = 0 THEN 'paid' ELSE 'partial' END WHERE organization_id = $1 AND id = $2`, o.ID, inv.ID, amt)
		}
		if applied := amount.Sub(left); applied.IsPositive() {
			b.Queue(`UPDATE ledger.payments SET allocated = $3 WHERE organization_id = $1 AND id = $2`, o.ID, pay, applied)
		}
		if b.Len() == 0 {
			return errors.New("W5 raw: nothing to allocate")
		}
		return tx.SendBatch(ctx, b).Close()
	})
}
