package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"realty/internal/deal"
)

// TestSigningPage walks an outside signer through the public signing page:
// the document and its SHA-256 are shown without a session, signing needs
// the consent, the link then stops working, and the last signature
// executes the contract. A link whose organization part names another
// organization opens nothing.
func TestSigningPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	o, other := h.env.Organization(t, "acme"), h.env.Organization(t, "globex")
	broker := o.Personas["broker"].Actor
	d, err := h.env.Deal.Create(ctx, broker, deal.Input{Title: "9 Oak sale", Kind: "sale", Side: "seller"})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := h.env.Contracts.CreateTemplate(ctx, broker, deal.TemplateInput{Name: "Listing agreement", Body: "Sale titled {{deal.title}}."})
	if err != nil {
		t.Fatal(err)
	}
	k, err := h.env.Contracts.CreateContract(ctx, broker, d.ID, deal.ContractInput{TemplateID: tpl.ID,
		Signers: []deal.SignerInput{{Name: "Sam Seller", Email: "sam@example.com", Role: "seller"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, links, err := h.env.Contracts.Send(ctx, broker, k.Contract.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := links[0].Token
	page := h.get("/sign?token="+url.QueryEscape(token), nil)
	expect(t, page, http.StatusOK, "Listing agreement", "Sale titled 9 Oak sale.", k.Versions[0].SHA256, deal.ConsentStatement[:40])
	pdf := h.get("/sign/document?token="+url.QueryEscape(token), nil)
	if pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Fatalf("the document: %d %s", pdf.StatusCode, pdf.Header.Get("Content-Type"))
	}
	forged := "sig_" + strings.ReplaceAll(other.Organization.ID.String(), "-", "") + token[36:]
	expect(t, h.get("/sign?token="+url.QueryEscape(forged), nil), http.StatusNotFound, "cannot be used")

	form := url.Values{"token": {token}, "sha256": {k.Versions[0].SHA256}, "typed_name": {"Sam Seller"}}
	expect(t, h.post("/sign", form, nil), http.StatusUnprocessableEntity, "agree to sign electronically")
	form.Set("consent", "yes")
	expect(t, h.post("/sign", form, nil), http.StatusOK, "Signed", "the contract is executed")
	expect(t, h.get("/sign?token="+url.QueryEscape(token), nil), http.StatusConflict, "this link was used")
	got, err := h.env.Contracts.Contract(ctx, broker, k.Contract.ID)
	if err != nil || got.Contract.Status != deal.ContractExecuted || got.Signers[0].UserAgent == nil || *got.Signers[0].IP != "127.0.0.1" {
		t.Fatalf("after signing on the page: %+v %+v %v", got.Contract, got.Signers, err)
	}
	// The broker's section shows the executed contract and its versions.
	section := h.get("/deals/"+d.ID.String()+"/contracts", h.login(o.Personas["broker"].Email, "acme"))
	expect(t, section, http.StatusOK, "Executed", "Version 2 (Executed)", got.Versions[0].SHA256)
}
