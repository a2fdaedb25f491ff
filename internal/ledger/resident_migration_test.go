package ledger_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/ledger"
	"realty/internal/postgres"
	"realty/internal/postgres/migrations"
)

// TestResidentFenceMigrationKeepsRows runs migration 0034 over a database
// holding receivables made before it (an issued invoice, a payment applied
// to it, a refund): every invoice line, allocation and refund gets its
// parent's tenant, forced row-level security and the audit triggers are as
// before, and the way down and up again works.
func TestResidentFenceMigrationKeepsRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := fixturetest.New(t)
	// The organization first: creating one seeds tables of later
	// migrations (adjustment rates, holidays), which going down drops.
	o := env.Organization(t, "acme")
	m := postgres.NewMigrator(env.DB.AdminURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	down := migrations.After(33)
	if err := m.Down(ctx, down); err != nil {
		t.Fatalf("down to 0033: %v", err)
	}
	clerk := o.Personas["accountant"].Actor
	tenant := env.Tenant(t, o, "Before")
	inv, err := env.Ledger.CreateInvoice(ctx, clerk, ledger.InvoiceInput{TenantID: tenant, DueDate: realty.Date{Year: 2026, Month: 3, Day: 1},
		Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: decimal.NewFromInt(100)},
			{Type: "other", Description: "Parking", Amount: decimal.NewFromInt(20)}}})
	if err == nil {
		_, err = env.Ledger.IssueInvoice(ctx, clerk, inv.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	pay, err := env.Ledger.RecordPayment(ctx, clerk, ledger.PaymentInput{TenantID: tenant, Method: "cash", Amount: decimal.NewFromInt(150), Auto: true})
	if err != nil || len(pay.Allocations) != 1 {
		t.Fatalf("payment: %d allocations, %v", len(pay.Allocations), err)
	}
	if _, err := env.Ledger.RefundPayment(ctx, clerk, pay.Payment.ID, decimal.NewFromInt(30), "overpaid"); err != nil {
		t.Fatal(err)
	}
	env.Pool.Reset() // the pooled connections' statements describe the schema before the migration
	if err := m.Up(ctx); err != nil {
		t.Fatalf("up over existing receivables: %v", err)
	}
	admin, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for sql, want := range map[string]int{
		`SELECT count(*) FROM ledger.invoice_lines WHERE tenant_id = $1`:       2,
		`SELECT count(*) FROM ledger.payment_allocations WHERE tenant_id = $1`: 1,
		`SELECT count(*) FROM ledger.refunds WHERE tenant_id = $1`:             1,
		`SELECT count(*) FROM pg_class WHERE relname IN ('invoice_lines', 'payment_allocations', 'refunds')
			AND relnamespace = 'ledger'::regnamespace AND relforcerowsecurity AND $1::uuid IS NOT NULL`: 3,
		`SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_changes' AND tgenabled = 'O' AND $1::uuid IS NOT NULL
			AND tgrelid IN ('ledger.invoice_lines'::regclass, 'ledger.payment_allocations'::regclass, 'ledger.refunds'::regclass)`: 3,
	} {
		var got int
		if err := admin.QueryRow(ctx, sql, tenant).Scan(&got); err != nil || got != want {
			t.Errorf("after up: %s = %d (%v), want %d", sql, got, err, want)
		}
	}
	if err := m.Down(ctx, down); err != nil {
		t.Fatalf("down again: %v", err)
	}
	if err := m.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
