package deal_test

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/messaging"
	"realty/internal/postgres"
)

// contractSetup is one organization with a priced deal, a buyer on it, a
// template and a contract service on a clock the test moves.
type contractSetup struct {
	env   fixturetest.Env
	org   fixture.Org
	agent realty.Actor
	deal  deal.Deal
	tpl   deal.ContractTemplate
	c     *deal.Contracts
	clock *testClock
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const testTemplate = "Purchase agreement for {{property.address}}.\n" +
	"Buyer: {{buyer.name}}. Seller: {{seller.name}}.\nPrice: {{deal.price}}, closing on or before {{deal.expected_close}}.\nAgent: {{agent.name}}."

func newContractSetup(t *testing.T, env fixturetest.Env, slug string) contractSetup {
	t.Helper()
	ctx := context.Background()
	o := env.Organization(t, slug)
	agent := o.Personas["agent"].Actor
	price := decimal.RequireFromString("425000")
	d, err := env.Deal.Create(ctx, agent, deal.Input{Title: "12 Elm purchase", Kind: "purchase", Side: "buyer", Price: &price})
	if err != nil {
		t.Fatal(err)
	}
	err = postgres.Tx(ctx, env.Pool, agent, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO deal.deal_participants (organization_id, id, deal_id, role, name, email)
			VALUES ($1, $2, $3, 'buyer', 'Bea Buyer', 'bea@example.com')`, agent.OrgID, realty.NewID(), d.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Now()}
	c := deal.NewContracts(env.Pool, deal.ContractDeps{Blobs: env.Blobs, Mail: env.Messaging, Org: env.Org, CRM: env.CRM, Now: clock.now})
	tpl, err := c.CreateTemplate(ctx, o.Personas["broker"].Actor, deal.TemplateInput{Name: "Purchase agreement", Body: testTemplate})
	if err != nil {
		t.Fatal(err)
	}
	return contractSetup{env: env, org: o, agent: agent, deal: d, tpl: tpl, c: c, clock: clock}
}

// draw creates a contract with a required buyer and seller.
func (s contractSetup) draw(t *testing.T) deal.ContractDetail {
	t.Helper()
	k, err := s.c.CreateContract(context.Background(), s.agent, s.deal.ID, deal.ContractInput{TemplateID: s.tpl.ID, Signers: []deal.SignerInput{
		{Name: "Bea Buyer", Email: "bea@example.com", Role: "buyer"}, {Name: "Sam Seller", Email: "sam@example.com", Role: "seller"}}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (s contractSetup) send(t *testing.T, id realty.ID) []deal.SignLink {
	t.Helper()
	_, links, err := s.c.Send(context.Background(), s.agent, id)
	if err != nil {
		t.Fatal(err)
	}
	return links
}

var signer = deal.SigningClient{IP: netip.MustParseAddr("198.51.100.7"), UserAgent: "TestBrowser/1.0"}

// signAs opens the link and signs what it shows.
func (s contractSetup) signAs(t *testing.T, l deal.SignLink, name string) deal.SignResult {
	t.Helper()
	ctx := context.Background()
	view, err := s.c.OpenSigning(ctx, l.Token, signer)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.c.Sign(ctx, l.Token, deal.SignInput{Consent: true, TypedName: name, SHA256: view.SHA256}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestTemplateRefusesUnknownMergeFields(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	s := newContractSetup(t, env, "acme")
	broker := s.org.Personas["broker"].Actor
	ctx := context.Background()
	for body, want := range map[string]string{
		"Price {{deal.secret}}":       "unknown merge field {{deal.secret}}",
		"Price {{ deal.price":         "not a merge field",
		"Run {{.Data}} or {{printf}}": "unknown merge field",
	} {
		_, err := s.c.CreateTemplate(ctx, broker, deal.TemplateInput{Name: "Bad", Body: body})
		if !strings.Contains(realty.FieldsOf(err)["body"], want) {
			t.Errorf("template %q: err = %v, want a field error on body saying %q", body, err, want)
		}
	}
	if _, err := s.c.CreateTemplate(ctx, s.agent, deal.TemplateInput{Name: "Agent's", Body: "x"}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("an agent saves a template: err = %v, want Forbidden", err)
	}
}

func TestContractExecutedWhenAllRequiredSigned(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	s := newContractSetup(t, env, "acme")
	ctx := context.Background()
	k := s.draw(t)
	if k.Contract.Status != deal.ContractDraft || len(k.Versions) != 1 || len(k.Signers) != 2 {
		t.Fatalf("drawn contract = %+v", k)
	}
	for _, stage := range []string{deal.Active, deal.Offer} {
		if _, err := env.Deal.Move(ctx, s.agent, s.deal.ID, deal.MoveInput{To: stage}); err != nil {
			t.Fatal(err)
		}
	}
	links := s.send(t, k.Contract.ID)
	outbox, err := env.Messaging.Deliveries(ctx, s.org.Personas["owner"].Actor, messaging.DeliveryFilter{Limit: 10})
	if err != nil || len(outbox.Items) != 2 || outbox.Items[0].Kind != deal.SignMailKind {
		t.Fatalf("outbox after sending = %+v, %v; want two signature requests", outbox.Items, err)
	}
	view, err := s.c.OpenSigning(ctx, links[0].Token, signer)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(view.Body, "Price: 425,000.00") || !strings.Contains(view.Body, "Buyer: Bea Buyer") ||
		!strings.Contains(view.Body, "Seller: ______________") {
		t.Errorf("merged body = %q", view.Body)
	}
	if res := s.signAs(t, links[0], "Bea Buyer"); res.Executed {
		t.Fatal("executed after one of two required signers")
	}
	if _, err := s.c.OpenSigning(ctx, links[0].Token, signer); realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), "used") {
		t.Errorf("a used link opens again: err = %v, want Conflict saying it was used", err)
	}
	_, err = env.Deal.Move(ctx, s.agent, s.deal.ID, deal.MoveInput{To: deal.UnderContract})
	if !strings.Contains(realty.FieldsOf(err)["to"], "executed contract") {
		t.Fatalf("under contract before execution: err = %v, want refused for want of an executed contract", err)
	}
	if res := s.signAs(t, links[1], "Sam Seller"); !res.Executed {
		t.Fatal("not executed after every required signer signed")
	}
	got, err := s.c.Contract(ctx, s.agent, k.Contract.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Contract.Status != deal.ContractExecuted || len(got.Versions) != 2 || got.Versions[1].Kind != "executed" || got.Contract.CurrentVersion != 2 {
		t.Fatalf("after the last signature: %+v versions %+v", got.Contract, got.Versions)
	}
	pdf, _, err := s.c.VersionPDF(ctx, s.agent, got.Versions[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Signing certificate", "sam@example.com", "198.51.100.7", "TestBrowser/1.0", got.Versions[0].SHA256} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("the executed version's certificate lacks %q", want)
		}
	}
	if _, err := env.Deal.Move(ctx, s.agent, s.deal.ID, deal.MoveInput{To: deal.UnderContract}); err != nil {
		t.Fatalf("under contract with an executed contract: %v", err)
	}
}

// TestTamperedVersionCannotBeExecuted changes what is stored after a
// signer signed, around the application (as the database's superuser,
// triggers off): a recorded hash that no longer matches the document, and a
// version swapped for another document with a consistent hash. Neither can
// be signed into execution, and each refusal is in the trail.
func TestTamperedVersionCannotBeExecuted(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	s := newContractSetup(t, env, "acme")
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	tamper := func(k realty.ID, set string, args ...any) {
		t.Helper()
		tx, err := admin.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE deal.contract_versions SET `+set+` WHERE contract_id = '`+k.String()+`'`, args...); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The runtime role cannot change a version at all.
	first := s.draw(t)
	err = postgres.Tx(ctx, env.Pool, s.agent, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE deal.contract_versions SET sha256 = repeat('0', 64) WHERE organization_id = $1 AND contract_id = $2`,
			s.agent.OrgID, first.Contract.ID)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("updating a version: err = %v, want it refused as immutable", err)
	}

	// A recorded hash changed under a signed contract.
	links := s.send(t, first.Contract.ID)
	s.signAs(t, links[0], "Bea Buyer")
	tamper(first.Contract.ID, "sha256 = repeat('a', 64)")
	_, err = s.c.Sign(ctx, links[1].Token, deal.SignInput{Consent: true, TypedName: "Sam Seller", SHA256: strings.Repeat("a", 64)}, signer)
	if realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), "no longer matches") {
		t.Fatalf("signing a version whose hash was changed: err = %v, want Conflict", err)
	}
	s.expectNotExecuted(t, first.Contract.ID)

	// The version swapped for another document, hash and key consistent:
	// the first signer signed something else, so it cannot execute.
	second := s.draw(t)
	links = s.send(t, second.Contract.ID)
	s.signAs(t, links[0], "Bea Buyer")
	other, err := env.Blobs.Put(ctx, strings.NewReader("%PDF-1.3 another document"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	tamper(second.Contract.ID, "sha256 = $1, blob_key = $1", other.Key)
	_, err = s.c.Sign(ctx, links[1].Token, deal.SignInput{Consent: true, TypedName: "Sam Seller", SHA256: other.Key}, signer)
	if realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), "cannot be executed") {
		t.Fatalf("executing over a swapped version: err = %v, want Conflict", err)
	}
	s.expectNotExecuted(t, second.Contract.ID)
}

// expectNotExecuted checks the contract was not executed and its trail
// holds a refusal.
func (s contractSetup) expectNotExecuted(t *testing.T, id realty.ID) {
	t.Helper()
	got, err := s.c.Contract(context.Background(), s.agent, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Contract.Status == deal.ContractExecuted || got.Contract.Status == deal.ContractSigned {
		t.Errorf("tampered contract is %s", got.Contract.Status)
	}
	refused := 0
	for _, e := range got.Events {
		if e.Event == "refused" {
			refused++
		}
	}
	if refused == 0 {
		t.Errorf("no refusal in the trail: %+v", got.Events)
	}
}

func TestSignLinksRefused(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	s := newContractSetup(t, env, "acme")
	other := newContractSetup(t, env, "globex")
	ctx := context.Background()
	k := s.draw(t)
	links := s.send(t, k.Contract.ID)

	// A link of acme's, its organization part pointed at globex: nothing.
	globexHex := strings.ReplaceAll(other.org.Organization.ID.String(), "-", "")
	forged := "sig_" + globexHex + links[0].Token[36:]
	if _, err := s.c.OpenSigning(ctx, forged, signer); realty.KindOf(err) != realty.NotFound {
		t.Errorf("acme's secret under globex's id: err = %v, want NotFound", err)
	}
	if _, err := other.c.OpenSigning(ctx, links[0].Token, signer); err != nil {
		t.Errorf("the link opens through any service instance: %v", err)
	}
	for _, bad := range []string{"", "sig_nope", links[0].Token + "x", strings.Replace(links[0].Token, "sig_", "inv_", 1)} {
		if _, err := s.c.OpenSigning(ctx, bad, signer); realty.KindOf(err) != realty.NotFound {
			t.Errorf("token %q: err = %v, want NotFound", bad, err)
		}
	}
	// No consent, no typed name.
	if _, err := s.c.Sign(ctx, links[0].Token, deal.SignInput{TypedName: "Bea"}, signer); realty.FieldsOf(err)["consent"] == "" {
		t.Errorf("signing without consent: err = %v", err)
	}
	if _, err := s.c.Sign(ctx, links[0].Token, deal.SignInput{Consent: true, TypedName: "  "}, signer); realty.FieldsOf(err)["typed_name"] == "" {
		t.Errorf("signing without a name: err = %v", err)
	}
	// Expired.
	s.clock.add(deal.SignLinkLifetime + time.Minute)
	if _, err := s.c.OpenSigning(ctx, links[0].Token, signer); !strings.Contains(realty.MessageOf(err), "expired") {
		t.Errorf("an expired link: err = %v", err)
	}
	// Sent again: the old link is unknown, the new one works until voided.
	renewed := s.send(t, k.Contract.ID)
	if _, err := s.c.OpenSigning(ctx, links[1].Token, signer); realty.KindOf(err) != realty.NotFound {
		t.Errorf("a replaced link: err = %v, want NotFound", err)
	}
	if _, err := s.c.Void(ctx, s.agent, k.Contract.ID, "buyer walked away"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c.OpenSigning(ctx, renewed[0].Token, signer); !strings.Contains(realty.MessageOf(err), "voided") {
		t.Errorf("a voided contract's link: err = %v", err)
	}
	got, err := s.c.Contract(ctx, s.agent, k.Contract.ID)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, e := range got.Events {
		if e.Event == "refused" {
			reasons = append(reasons, *e.Reason)
		}
	}
	if len(reasons) != 2 || !strings.Contains(reasons[0], "expired") || !strings.Contains(reasons[1], "voided") {
		t.Errorf("refusals logged: %q, want the expired and the voided one", reasons)
	}
	// Another organization's broker does not see the contract.
	if _, err := s.c.Contract(ctx, other.org.Personas["broker"].Actor, k.Contract.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("globex reads acme's contract: err = %v", err)
	}
}

func TestSigningRateLimited(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	s := newContractSetup(t, env, "acme")
	ctx := context.Background()
	from := deal.SigningClient{IP: netip.MustParseAddr("203.0.113.9")}
	var err error
	for range deal.SignPerIP + 1 {
		_, err = s.c.OpenSigning(ctx, "sig_nope", from)
	}
	if realty.KindOf(err) != realty.RateLimited {
		t.Fatalf("request %d from one address: err = %v, want RateLimited", deal.SignPerIP+1, err)
	}
	if _, err := s.c.OpenSigning(ctx, "sig_nope", signer); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another address is limited too: %v", err)
	}
}

func TestAmendmentNeedsSigningAgain(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	s := newContractSetup(t, env, "acme")
	ctx := context.Background()
	k := s.draw(t)
	links := s.send(t, k.Contract.ID)
	s.signAs(t, links[0], "Bea Buyer")
	s.signAs(t, links[1], "Sam Seller")
	got, err := s.c.Amend(ctx, s.agent, k.Contract.ID, deal.AmendmentInput{Description: "Price lowered after inspection",
		Body: "The price is 415,000.00.", EffectiveDate: realty.Date{Year: 2031, Month: 3, Day: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Contract.Status != deal.ContractDraft || got.Contract.CurrentVersion != 3 || len(got.Amendments) != 1 ||
		got.Amendments[0].VersionNumber != 3 || got.Signers[0].Status != deal.SignerPending {
		t.Fatalf("after the amendment: %+v amendments %+v signers %+v", got.Contract, got.Amendments, got.Signers)
	}
	links = s.send(t, k.Contract.ID)
	view, err := s.c.OpenSigning(ctx, links[0].Token, signer)
	if err != nil || !strings.Contains(view.Body, "AMENDMENT 1, effective 2031-03-01") || view.Version != 3 {
		t.Fatalf("the amended version to sign: %+v %v", view, err)
	}
}
