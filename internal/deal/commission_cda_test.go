package deal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/deal"
	"realty/internal/document"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
)

// cdaDocuments are the deal's documents of the authorisation's category.
func cdaDocuments(t *testing.T, env fixturetest.Env, actor realty.Actor, dealID realty.ID) []document.Hit {
	t.Helper()
	page, err := env.Document.List(context.Background(), actor, document.Filter{EntityType: "deal", EntityID: &dealID, Category: deal.CDACategory})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// TestClosingFilesCDADocument: closing files the disbursement authorisation
// as one staff PDF document of the deal whose text holds the split
// amounts and whose version carries the bytes' SHA-256; running the
// closing's effect again files no second one. The HTML page stays.
func TestClosingFilesCDADocument(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, broker := acme.Personas["agent"], acme.Personas["broker"].Actor
	ctx := context.Background()
	if _, err := env.Deal.SetAgentPlan(ctx, broker, agent.MemberID, deal.AgentPlanInput{AgentSplit: dec("70")}); err != nil {
		t.Fatal(err)
	}
	d := moneyDeal(t, env, acme, "CDA filed", "buyer", "300000")
	amount := dec("10000")
	if _, err := env.Deal.SetCommission(ctx, agent.Actor, d.ID, deal.CommissionInput{GrossAmount: &amount}); err != nil {
		t.Fatal(err)
	}
	closed := walk(t, env, agent.Actor, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose, deal.Closed)
	docs := cdaDocuments(t, env, broker, d.ID)
	if len(docs) != 1 || docs[0].Visibility != "staff" || docs[0].ContentType != "application/pdf" {
		t.Fatalf("CDA documents after closing = %+v, want one staff PDF", docs)
	}
	c, err := env.Deal.Commission(ctx, agent.Actor, d.ID)
	if err != nil || c.CDADocumentID == nil || *c.CDADocumentID != docs[0].ID {
		t.Fatalf("commission's CDA document = %v (%v), want %s", c.CDADocumentID, err, docs[0].ID)
	}
	r, v, err := env.Document.Open(ctx, broker, docs[0].ID, 1, false, document.Client{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if v.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("version SHA-256 %s, bytes %x", v.SHA256, sum)
	}
	text := document.ExtractText("application/pdf", b)
	for _, want := range []string{"Commission disbursement authorisation", "7000.00", "3000.00", "10000.00", "CDA filed"} {
		if !strings.Contains(text, want) {
			t.Errorf("CDA text lacks %q:\n%.600s", want, text)
		}
	}
	err = postgres.Tx(ctx, env.Pool, agent.Actor, func(tx pgx.Tx) error {
		return deal.CommissionEffect(ctx, tx, agent.Actor, closed, deal.ClearToClose)
	})
	if err != nil {
		t.Fatal(err)
	}
	if docs := cdaDocuments(t, env, broker, d.ID); len(docs) != 1 {
		t.Fatalf("CDA documents after the effect ran again = %d, want 1", len(docs))
	}
	if page, err := env.Deal.CommissionAuthorization(ctx, agent.Actor, d.ID); err != nil || !strings.Contains(page, "7000.00") {
		t.Fatalf("the HTML authorisation: %v", err)
	}
}
