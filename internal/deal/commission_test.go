package deal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// moneyDeal opens a deal of o at price, owned by its agent persona.
func moneyDeal(t *testing.T, env fixturetest.Env, o fixture.Org, title, side, price string) deal.Deal {
	t.Helper()
	p := dec(price)
	d, err := env.Deal.Create(context.Background(), o.Personas["agent"].Actor, deal.Input{Title: title, Kind: "purchase", Side: side, Price: &p})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// booksOK runs the ledger check of o and fails on any finding; it returns
// the names of the invariants checked.
func booksOK(t *testing.T, env fixturetest.Env, o fixture.Org) []string {
	t.Helper()
	findings, err := env.Ledger.Check(context.Background(), o.Personas["broker"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range findings {
		names = append(names, f.Name)
		if !f.OK() {
			t.Errorf("ledger check: %s: %v", f.Name, f.Rows)
		}
	}
	t.Logf("ledger check of %s: %d invariants, %d failing", o.Organization.Slug, len(findings), len(findings)-countOK(findings))
	return names
}

// balance is the balance of the system account with code in o's books.
func balance(t *testing.T, env fixturetest.Env, o fixture.Org, code string) decimal.Decimal {
	t.Helper()
	tb, err := env.Ledger.TrialBalance(context.Background(), o.Personas["broker"].Actor, realty.Date{Year: 2999, Month: 12, Day: 31})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range tb.Accounts {
		if a.Code == code {
			return a.Debit.Sub(a.Credit.Decimal)
		}
	}
	t.Fatalf("no account %s", code)
	return decimal.Zero
}

// TestClosingPostsCommissionAndReleasesEarnestMoney walks a buyer-side deal
// with earnest money in trust from lead to closed: closing is refused until
// the commission is set, then posts the commission (income = gross, payable
// = the agent's split), releases the deposit out of trust, generates the
// disbursement authorisation, and the ledger check passes throughout.
func TestClosingPostsCommissionAndReleasesEarnestMoney(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, broker := acme.Personas["agent"], acme.Personas["broker"].Actor
	ctx := context.Background()
	d := moneyDeal(t, env, acme, "14 Oak purchase", "buyer", "400000")
	dep, err := env.Deal.AddEscrowDeposit(ctx, agent.Actor, d.ID, deal.EscrowDepositInput{Holder: "brokerage", Amount: dec("10000")})
	if err != nil {
		t.Fatal(err)
	}
	outside, err := env.Deal.AddEscrowDeposit(ctx, agent.Actor, d.ID, deal.EscrowDepositInput{Holder: "title", Amount: dec("2500")})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []realty.ID{dep.ID, outside.ID} {
		if _, err := env.Deal.ReceiveEscrowDeposit(ctx, agent.Actor, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Deal.ReceiveEscrowDeposit(ctx, agent.Actor, dep.ID, nil); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("receiving twice: err = %v, want Conflict", err)
	}
	if got := balance(t, env, acme, "1010"); !got.Equal(dec("10000")) {
		t.Fatalf("trust cash after receipt = %s, want 10000 (the title company's deposit is outside the books)", got)
	}
	booksOK(t, env, acme)
	walk(t, env, agent.Actor, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose)
	_, err = env.Deal.Move(ctx, agent.Actor, d.ID, deal.MoveInput{To: deal.Closed})
	if realty.KindOf(err) != realty.Invalid || !strings.Contains(realty.FieldsOf(err)["to"], "commission") {
		t.Fatalf("closing without a commission: err = %v, want Invalid naming the commission", err)
	}
	if _, err := env.Deal.SetAgentPlan(ctx, broker, agent.MemberID, deal.AgentPlanInput{AgentSplit: dec("70")}); err != nil {
		t.Fatal(err)
	}
	rate := dec("3")
	c, err := env.Deal.SetCommission(ctx, agent.Actor, d.ID, deal.CommissionInput{GrossRate: &rate})
	if err != nil {
		t.Fatal(err)
	}
	if c.Gross == nil || !c.Gross.Equal(dec("12000")) || len(c.Splits) != 2 {
		t.Fatalf("previewed commission = %+v, want 12000 in two splits", c)
	}
	closePrice := dec("390000")
	env.CompleteMilestones(t, acme, d.ID)
	if _, err := env.Deal.Move(ctx, agent.Actor, d.ID, deal.MoveInput{To: deal.Closed, ClosePrice: &closePrice}); err != nil {
		t.Fatal(err)
	}
	c, err = env.Deal.Commission(ctx, agent.Actor, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 3 % of 390,000.00 = 11,700.00: 8,190.00 to the agent, 3,510.00 kept.
	if c.PostedAt == nil || !c.Gross.Equal(dec("11700")) || !c.Splits[1].Amount.Equal(dec("8190")) || !c.Splits[0].Amount.Equal(dec("3510")) {
		t.Fatalf("posted commission = %+v %+v", c, c.Splits)
	}
	for code, want := range map[string]string{"1000": "11700", "1010": "0", "2300": "0", "2400": "-8190", "4500": "-11700", "5500": "8190"} {
		if got := balance(t, env, acme, code); !got.Equal(dec(want)) {
			t.Errorf("account %s after closing = %s, want %s", code, got, want)
		}
	}
	deps, err := env.Deal.EscrowDeposits(ctx, agent.Actor, d.ID)
	if err != nil || deps[0].Status != "released" || deps[1].Status != "released" {
		t.Fatalf("deposits after closing = %+v %v, want released", deps, err)
	}
	page, err := env.Deal.CommissionAuthorization(ctx, agent.Actor, d.ID)
	if err != nil || !strings.Contains(page, "Commission disbursement authorisation") || !strings.Contains(page, "8190.00") {
		t.Fatalf("disbursement authorisation: %v\n%.300s", err, page)
	}
	names := booksOK(t, env, acme)
	if !strings.Contains(strings.Join(names, "\n"), "escrow held") || !strings.Contains(strings.Join(names, "\n"), "every commission") {
		t.Fatalf("the ledger check does not check earnest money and commissions: %v", names)
	}
	if _, err := env.Deal.SetCommission(ctx, agent.Actor, d.ID, deal.CommissionInput{GrossRate: &rate}); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("changing a posted commission: err = %v, want Conflict", err)
	}
}

// TestClosingPostsOnce runs the closing's commission posting a second time
// on a closed deal: nothing more is posted and the books still check.
func TestClosingPostsOnce(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	d := moneyDeal(t, env, acme, "Once", "seller", "250000")
	amount := dec("5000")
	if _, err := env.Deal.SetCommission(ctx, agent, d.ID, deal.CommissionInput{GrossAmount: &amount}); err != nil {
		t.Fatal(err)
	}
	closed := walk(t, env, agent, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose, deal.Closed)
	err := postgres.Tx(ctx, env.Pool, agent, func(tx pgx.Tx) error {
		return deal.CommissionEffect(ctx, tx, agent, closed, deal.ClearToClose)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := balance(t, env, acme, "4500"); !got.Equal(dec("-5000")) {
		t.Fatalf("commission income after a second run = %s, want -5000 (posted once)", got)
	}
	booksOK(t, env, acme)
}

// TestTerminationRefundsEarnestMoney lets a deal fall through with earnest
// money in trust: the deposit is refunded out of trust, nothing of the
// commission is posted, and the ledger check passes.
func TestTerminationRefundsEarnestMoney(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	d := moneyDeal(t, env, acme, "Falls through", "buyer", "300000")
	dep, err := env.Deal.AddEscrowDeposit(ctx, agent, d.ID, deal.EscrowDepositInput{Holder: "brokerage", Amount: dec("3000.50")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Deal.ReceiveEscrowDeposit(ctx, agent, dep.ID, &realty.Date{Year: 2026, Month: 3, Day: 2}); err != nil {
		t.Fatal(err)
	}
	rate := dec("2.5")
	if _, err := env.Deal.SetCommission(ctx, agent, d.ID, deal.CommissionInput{GrossRate: &rate}); err != nil {
		t.Fatal(err)
	}
	walk(t, env, agent, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.FellThrough)
	deps, err := env.Deal.EscrowDeposits(ctx, agent, d.ID)
	if err != nil || deps[0].Status != "refunded" || deps[0].SettledOn == nil {
		t.Fatalf("deposit after termination = %+v %v, want refunded", deps, err)
	}
	for code, want := range map[string]string{"1010": "0", "2300": "0", "4500": "0"} {
		if got := balance(t, env, acme, code); !got.Equal(dec(want)) {
			t.Errorf("account %s after termination = %s, want %s", code, got, want)
		}
	}
	booksOK(t, env, acme)
}

// TestLedgerCheckCatchesEscrowEntries plants an entry naming a deposit
// that does not exist, and a receipt whose deposit was not posted: the
// check must report both.
func TestLedgerCheckCatchesEscrowEntries(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	stray := realty.NewID()
	day := realty.Date{Year: 2026, Month: 1, Day: 5}
	err := postgres.Tx(ctx, env.Pool, agent, func(tx pgx.Tx) error {
		_, err := ledger.PostDatedTx(ctx, tx, agent, ledger.Entry{Date: &day, SourceType: "escrow_deposit", SourceID: &stray, Lines: []ledger.Line{
			{SystemKey: ledger.TrustCash, Debit: dec("1")}, {SystemKey: "escrow_held", Credit: dec("1")}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d := moneyDeal(t, env, acme, "Planted", "buyer", "100000")
	dep, err := env.Deal.AddEscrowDeposit(ctx, agent, d.ID, deal.EscrowDepositInput{Holder: "brokerage", Amount: dec("50")})
	if err != nil {
		t.Fatal(err)
	}
	err = postgres.Tx(ctx, env.Pool, agent, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE deal.escrow_deposits SET status = 'received', received_on = '2026-01-05' WHERE organization_id = $1 AND id = $2`,
			agent.OrgID, dep.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := env.Ledger.Check(ctx, acme.Personas["broker"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, f := range findings {
		rows = append(rows, f.Rows...)
	}
	all := strings.Join(rows, "\n")
	if !strings.Contains(all, stray.String()+", which is no deposit") || !strings.Contains(all, "deposit "+dep.ID.String()) {
		t.Fatalf("the check missed the planted faults:\n%s", all)
	}
}

func countOK(fs []ledger.Finding) int {
	n := 0
	for _, f := range fs {
		if f.OK() {
			n++
		}
	}
	return n
}
