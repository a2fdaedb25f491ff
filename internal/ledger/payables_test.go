package ledger_test

import (
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
	"realty/internal/property"
)

// unitOf creates a property with one unit in the setup's organization.
func unitOf(t *testing.T, s setup) (realty.ID, realty.ID) {
	t.Helper()
	pm := s.org.Personas["property_manager"].Actor
	p, err := s.env.Property.Create(ctx, pm, property.Input{AddressLine1: "9 Payable Road", City: "Springfield"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "2B"})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID, u.ID
}

// sourceEntry is the journal entry a subledger row posted (reversal false)
// or its reversal (true).
func sourceEntry(t *testing.T, s setup, sourceType string, id realty.ID, reversal bool) ledger.JournalEntry {
	t.Helper()
	var entry realty.ID
	err := postgres.Tx(ctx, s.env.Pool, s.acct, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id FROM ledger.journal_entries WHERE organization_id = $1 AND source_type = $2 AND source_id = $3
			AND (reverses IS NOT NULL) = $4`, s.acct.OrgID, sourceType, id, reversal).Scan(&entry)
	})
	if err != nil {
		t.Fatalf("entry of %s %s (reversal %v): %v", sourceType, id, reversal, err)
	}
	e, err := s.led.JournalEntry(ctx, s.acct, entry)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// requireLines checks an entry's lines: account key or id → signed amount
// (debit positive), and the property dimension on each when given.
func requireLines(t *testing.T, s setup, e ledger.JournalEntry, prop *realty.ID, want map[string]string) {
	t.Helper()
	got := map[realty.ID]decimal.Decimal{}
	for _, l := range e.Lines {
		got[l.AccountID] = got[l.AccountID].Add(l.Debit.Decimal).Sub(l.Credit.Decimal)
		if prop != nil && (l.PropertyID == nil || *l.PropertyID != *prop) {
			t.Errorf("entry %s line %d: property %v, want %s", e.ID, l.LineNo, l.PropertyID, prop)
		}
	}
	if len(got) != len(want) {
		t.Errorf("entry %s touches %d accounts, want %d: %v", e.ID, len(got), len(want), got)
	}
	for key, amt := range want {
		if g := got[s.keys[key]]; !g.Equal(d(amt)) {
			t.Errorf("entry %s: %s %s, want %s", e.ID, key, g, amt)
		}
	}
}

func bigBill(t *testing.T, s setup, prop, unit *realty.ID) ledger.VendorBillInput {
	t.Helper()
	return ledger.VendorBillInput{VendorID: s.env.Vendor(t, s.org, "Leak Busters"), PropertyID: prop, UnitID: unit, Reference: "INV-77", Tax: d("100.00"),
		DueDate: day("2026-04-10"), Lines: []ledger.VendorBillLineInput{
			{AccountID: s.keys["repairs_maintenance"], Description: "Leak under the sink", Amount: d("1200.00")},
			{AccountID: s.keys["utilities"], Description: "Water shut-off", Amount: d("200.00")},
		}}
}

func TestBillApprovalAndPayment(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	prop, unit := unitOf(t, s)
	pm := s.org.Personas["property_manager"].Actor
	b, err := s.led.CreateBill(ctx, pm, bigBill(t, s, &prop, &unit))
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != "draft" || !b.Total.Equal(d("1500")) || !b.Balance.Equal(d("1500")) {
		t.Fatalf("draft: %s total %s balance %s", b.Status, b.Total, b.Balance)
	}
	if b, err = s.led.SubmitBill(ctx, pm, b.ID); err != nil || b.Status != "pending_approval" {
		t.Fatalf("submitted above the threshold: %s, %v", b.Status, err)
	}
	if _, err := s.led.PayBill(ctx, s.acct, b.ID, ledger.BillPaymentInput{Amount: d("1"), Method: "check"}); realty.KindOf(err) != realty.Conflict {
		t.Errorf("paying an unapproved bill: %v, want Conflict", err)
	}
	if _, err := s.led.ApproveBill(ctx, pm, b.ID); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("approval without bill.approve: %v, want Forbidden", err)
	}
	if b, err = s.led.ApproveBill(ctx, s.acct, b.ID); err != nil || b.Status != "approved" || b.ApprovedBy == nil {
		t.Fatalf("approved: %+v, %v", b, err)
	}
	requireLines(t, s, sourceEntry(t, s, "bill", b.ID, false), &prop, map[string]string{
		"repairs_maintenance": "1300.00", "utilities": "200.00", ledger.AccountsPayable: "-1500.00"})
	requireBooksOK(t, s)

	b, err = s.led.PayBill(ctx, s.acct, b.ID, ledger.BillPaymentInput{Amount: d("500"), Method: "check", Reference: "1001"})
	if err != nil || b.Status != "partial" || !b.Balance.Equal(d("1000")) || len(b.Payments) != 1 {
		t.Fatalf("partly paid: %+v, %v", b, err)
	}
	requireLines(t, s, sourceEntry(t, s, "bill_payment", b.Payments[0].ID, false), &prop, map[string]string{
		ledger.AccountsPayable: "500.00", ledger.OperatingCash: "-500.00"})
	if _, err := s.led.VoidBill(ctx, pm, b.ID); realty.KindOf(err) != realty.Conflict {
		t.Errorf("voiding a bill with payments: %v, want Conflict", err)
	}
	if b, err = s.led.PayBill(ctx, pm, b.ID, ledger.BillPaymentInput{Amount: d("1000"), Method: "ach"}); err != nil || b.Status != "paid" {
		t.Fatalf("paid: %+v, %v", b, err)
	}
	requireBooksOK(t, s)
	if ap := balance(t, s, ledger.AccountsPayable); !ap.IsZero() {
		t.Errorf("AP after paying in full: %s", ap)
	}
	if cash := balance(t, s, ledger.OperatingCash); !cash.Equal(d("-1500")) {
		t.Errorf("cash after paying: %s, want -1500.00", cash)
	}
}

func TestBillThreshold(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	acct, broker, pm := s.acct, s.org.Personas["broker"].Actor, s.org.Personas["property_manager"].Actor
	in := bigBill(t, s, nil, nil)
	in.Submit = true
	own, err := s.led.CreateBill(ctx, acct, in)
	if err != nil || own.Status != "pending_approval" {
		t.Fatalf("above the threshold: %s, %v", own.Status, err)
	}
	_, err = s.led.ApproveBill(ctx, acct, own.ID)
	if realty.KindOf(err) != realty.Forbidden {
		t.Errorf("approving one's own bill above the threshold: %v, want Forbidden", err)
	}
	if own, err = s.led.ApproveBill(ctx, broker, own.ID); err != nil || own.Status != "approved" {
		t.Errorf("another member approves: %s, %v", own.Status, err)
	}
	at := ledger.VendorBillInput{VendorID: s.env.Vendor(t, s.org, "Handy Co"), Submit: true, Lines: []ledger.VendorBillLineInput{
		{AccountID: s.keys["repairs_maintenance"], Description: "Lock change", Amount: d("1000.00")}}}
	small, err := s.led.CreateBill(ctx, pm, at)
	if err != nil || small.Status != "approved" || small.ApprovedBy != nil || small.ApprovedOn == nil {
		t.Fatalf("at the threshold: %+v, %v", small, err)
	}
	if _, err := s.led.SetSettings(ctx, acct, ledger.LedgerSettings{BillApprovalThreshold: ledger.M(d("999.99"))}); err != nil {
		t.Fatal(err)
	}
	above, err := s.led.CreateBill(ctx, pm, at)
	if err != nil || above.Status != "pending_approval" {
		t.Errorf("above a lowered threshold: %s, %v", above.Status, err)
	}
	if _, err := s.led.SetSettings(ctx, acct, ledger.LedgerSettings{BillApprovalThreshold: ledger.M(d("-1"))}); realty.FieldsOf(err)["bill_approval_threshold"] == "" {
		t.Errorf("negative threshold: %v, want Invalid naming bill_approval_threshold", err)
	}
	if ap := balance(t, s, ledger.AccountsPayable); !ap.Equal(d("2500")) {
		t.Errorf("AP %s, want 2500.00 (two approved bills)", ap)
	}
	requireBooksOK(t, s)
}

func TestBillConcurrentPayments(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	in := ledger.VendorBillInput{VendorID: s.env.Vendor(t, s.org, "Handy Co"), Submit: true, Lines: []ledger.VendorBillLineInput{
		{AccountID: s.keys["repairs_maintenance"], Description: "Roof patch", Amount: d("1000.00")}}}
	b, err := s.led.CreateBill(ctx, s.org.Personas["property_manager"].Actor, in)
	if err != nil || b.Status != "approved" {
		t.Fatalf("%+v, %v", b, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.led.PayBill(ctx, s.acct, b.ID, ledger.BillPaymentInput{Amount: d("400"), Method: "check"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case realty.FieldsOf(err)["amount"] == "":
			t.Errorf("a refused payment: %v, want Invalid naming amount", err)
		}
	}
	if b, err = s.led.Bill(ctx, s.acct, b.ID); err != nil {
		t.Fatal(err)
	}
	if ok != 2 || !b.Paid.Equal(d("800")) || len(b.Payments) != 2 {
		t.Errorf("8 concurrent payments of 400 on 1000: %d succeeded, paid %s, %d payments; want 2, 800.00", ok, b.Paid, len(b.Payments))
	}
	requireBooksOK(t, s)
}

func TestBillChargeBackAndVoid(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant := testTenant(t, s)
	lease := s.env.Lease(t, s.org, tenant)
	prop, unit := unitOf(t, s)
	in := bigBill(t, s, &prop, &unit)
	in.Lines[0].ChargeBack, in.ChargeBackTenantID, in.ChargeBackLeaseID = true, &tenant, &lease
	in.Submit = true
	b, err := s.led.CreateBill(ctx, s.org.Personas["property_manager"].Actor, in)
	if err != nil {
		t.Fatal(err)
	}
	if b, err = s.led.ApproveBill(ctx, s.acct, b.ID); err != nil || b.ChargeBackInvoiceID == nil {
		t.Fatalf("approved with a charge-back: %+v, %v", b, err)
	}
	inv, err := s.led.Invoice(ctx, s.acct, *b.ChargeBackInvoiceID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status != "open" || inv.TenantID != tenant || inv.LeaseID == nil || *inv.LeaseID != lease || !inv.Total.Equal(d("1200")) ||
		len(inv.Lines) != 1 || inv.Lines[0].Type != "maintenance" {
		t.Errorf("charge-back invoice: %+v", inv)
	}
	if ar := balance(t, s, ledger.AccountsReceivable); !ar.Equal(d("1200")) {
		t.Errorf("AR after the charge-back: %s, want 1200.00", ar)
	}
	requireBooksOK(t, s)
	if b, err = s.led.VoidBill(ctx, s.acct, b.ID); err != nil || b.Status != "void" {
		t.Fatalf("void: %+v, %v", b, err)
	}
	requireLines(t, s, sourceEntry(t, s, "bill", b.ID, true), &prop, map[string]string{
		"repairs_maintenance": "-1300.00", "utilities": "-200.00", ledger.AccountsPayable: "1500.00"})
	if inv, err = s.led.Invoice(ctx, s.acct, inv.ID); err != nil || inv.Status != "void" {
		t.Errorf("charge-back invoice after the void: %s, %v", inv.Status, err)
	}
	if _, err := s.led.VoidBill(ctx, s.acct, b.ID); realty.KindOf(err) != realty.Conflict {
		t.Errorf("voiding twice: %v, want Conflict", err)
	}
	requireBooksOK(t, s)
}

func TestExpensePaidAtOnce(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	prop, _ := unitOf(t, s)
	in := ledger.VendorBillInput{Kind: "expense", VendorID: s.env.Vendor(t, s.org, "Handy Co"), PropertyID: &prop, Tax: d("8.25"), Submit: true,
		Lines: []ledger.VendorBillLineInput{{AccountID: s.keys["repairs_maintenance"], Description: "Hardware store", Amount: d("100.00")}}}
	e, err := s.led.CreateBill(ctx, s.org.Personas["property_manager"].Actor, in)
	if err != nil || e.Status != "paid" || !e.Balance.IsZero() || !e.Paid.Equal(d("108.25")) {
		t.Fatalf("expense: %+v, %v", e, err)
	}
	requireLines(t, s, sourceEntry(t, s, "bill", e.ID, false), &prop, map[string]string{
		"repairs_maintenance": "108.25", ledger.OperatingCash: "-108.25"})
	if _, err := s.led.PayBill(ctx, s.acct, e.ID, ledger.BillPaymentInput{Amount: d("1"), Method: "cash"}); realty.KindOf(err) != realty.Conflict {
		t.Errorf("paying an expense again: %v, want Conflict", err)
	}
	requireBooksOK(t, s)
	if ap := balance(t, s, ledger.AccountsPayable); !ap.IsZero() {
		t.Errorf("an expense touched AP: %s", ap)
	}
}

func TestBillBadInput(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	pm := s.org.Personas["property_manager"].Actor
	good := func() ledger.VendorBillInput { return bigBill(t, s, nil, nil) }
	cases := map[string]func(*ledger.VendorBillInput){
		"vendor_id":             func(in *ledger.VendorBillInput) { in.VendorID = realty.ID{} },
		"kind":                  func(in *ledger.VendorBillInput) { in.Kind = "gift" },
		"tax":                   func(in *ledger.VendorBillInput) { in.Tax = d("-1") },
		"lines":                 func(in *ledger.VendorBillInput) { in.Lines = nil },
		"lines[1].amount":       func(in *ledger.VendorBillInput) { in.Lines[1].Amount = d("0.001") },
		"lines[0].description":  func(in *ledger.VendorBillInput) { in.Lines[0].Description = " " },
		"lines[1].account_id":   func(in *ledger.VendorBillInput) { in.Lines[1].AccountID = s.keys[ledger.RentalIncome] },
		"due_date":              func(in *ledger.VendorBillInput) { in.BillDate = day("2026-05-01") },
		"charge_back_tenant_id": func(in *ledger.VendorBillInput) { in.Lines[0].ChargeBack = true },
		"property_id":           func(in *ledger.VendorBillInput) { id := realty.NewID(); in.PropertyID = &id },
		"work_order_id":         func(in *ledger.VendorBillInput) { id := realty.NewID(); in.WorkOrderID = &id },
		"charge_back_lease_id": func(in *ledger.VendorBillInput) {
			id, l := testTenant(t, s), realty.NewID()
			in.ChargeBackTenantID, in.ChargeBackLeaseID, in.Lines[0].ChargeBack = &id, &l, true
		},
	}
	for field, mutate := range cases {
		in := good()
		mutate(&in)
		_, err := s.led.CreateBill(ctx, pm, in)
		if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)[field] == "" {
			t.Errorf("%s: %v, want Invalid naming it", field, err)
		}
	}
	// A vendor of no vendor of the organization's (another's, or none).
	for _, v := range []realty.ID{realty.NewID(), s.env.Vendor(t, s.env.Organization(t, "bills-other"), "Elsewhere Inc")} {
		in := good()
		in.VendorID = v
		if _, err := s.led.CreateBill(ctx, pm, in); realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)["vendor_id"] == "" {
			t.Errorf("vendor %s: %v, want Invalid naming vendor_id", v, err)
		}
	}
	in := good()
	in.Lines[0].Amount, in.Submit = d("1.00"), true
	b, err := s.led.CreateBill(ctx, pm, in)
	if err != nil {
		t.Fatal(err)
	}
	for field, p := range map[string]ledger.BillPaymentInput{
		"amount": {Amount: d("301.01"), Method: "check"}, "method": {Amount: d("1"), Method: "barter"},
	} {
		if _, err := s.led.PayBill(ctx, s.acct, b.ID, p); realty.FieldsOf(err)[field] == "" {
			t.Errorf("payment %s: %v, want Invalid naming it", field, err)
		}
	}
	page, err := s.led.Bills(ctx, s.acct, ledger.BillFilter{Status: "open"})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != b.ID {
		t.Errorf("open bills: %+v, %v", page, err)
	}
	requireBooksOK(t, s)
}

func TestBillIsolation(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	other := s.env.Organization(t, "other").Personas["accountant"].Actor
	in := bigBill(t, s, nil, nil)
	b, err := s.led.CreateBill(ctx, s.org.Personas["property_manager"].Actor, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.led.Bill(ctx, other, b.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another organization reads the bill: %v, want NotFound", err)
	}
	for name, op := range map[string]func() error{
		"submit":  func() error { _, err := s.led.SubmitBill(ctx, other, b.ID); return err },
		"approve": func() error { _, err := s.led.ApproveBill(ctx, other, b.ID); return err },
		"pay": func() error {
			_, err := s.led.PayBill(ctx, other, b.ID, ledger.BillPaymentInput{Amount: d("1"), Method: "check"})
			return err
		},
		"void": func() error { _, err := s.led.VoidBill(ctx, other, b.ID); return err },
	} {
		if err := op(); realty.KindOf(err) != realty.NotFound {
			t.Errorf("another organization's %s: %v, want NotFound", name, err)
		}
	}
	if page, err := s.led.Bills(ctx, other, ledger.BillFilter{}); err != nil || len(page.Items) != 0 {
		t.Errorf("another organization lists %d bills, %v", len(page.Items), err)
	}
	// Its own expense account is no account of this organization.
	in.Lines[0].AccountID = s.keys["repairs_maintenance"]
	if _, err := s.led.CreateBill(ctx, other, in); realty.FieldsOf(err)["lines[0].account_id"] == "" {
		t.Errorf("a bill on another organization's account: %v, want Invalid naming lines[0].account_id", err)
	}
}
