package deal_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
)

// events are the names of a contract's audit trail events.
func events(k deal.ContractDetail) map[string]int {
	out := map[string]int{}
	for _, e := range k.Events {
		out[e.Event]++
	}
	return out
}

// TestSignersChangeAfterDrawing adds a signer to a draft and to a sent
// contract (the sent one mails the newcomer a link they can sign with),
// refuses removing one who signed, the last required one, and any change
// once executed; removing the last required signer who had not signed
// executes the contract.
func TestSignersChangeAfterDrawing(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	s := newContractSetup(t, env, "acme")
	ctx := context.Background()
	k := s.draw(t)
	no := false
	k, links, err := s.c.AddSigner(ctx, s.agent, k.Contract.ID, deal.SignerInput{Name: "Wes Witness", Email: "wes@example.com", Role: "witness", Required: &no})
	if err != nil || len(links) != 0 || len(k.Signers) != 3 || k.Signers[2].Position != 3 || k.Signers[2].Status != deal.SignerPending {
		t.Fatalf("adding to a draft: %v links %d signers %+v", err, len(links), k.Signers)
	}
	if _, _, err := s.c.AddSigner(ctx, s.agent, k.Contract.ID, deal.SignerInput{Name: "Dup", Email: "wes@example.com", Role: "other"}); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("adding the same address again: err = %v, want Conflict", err)
	}
	if _, _, err := s.c.AddSigner(ctx, s.agent, k.Contract.ID, deal.SignerInput{Name: "X", Email: "not-mail", Role: "other"}); realty.FieldsOf(err)["email"] == "" {
		t.Fatalf("adding a bad address: err = %v, want Invalid naming email", err)
	}
	if _, _, err := s.c.AddSigner(ctx, s.org.Personas["read_only"].Actor, k.Contract.ID, deal.SignerInput{Name: "Y", Email: "y@example.com", Role: "other"}); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("a read-only member adding a signer: err = %v, want Forbidden", err)
	}
	sent := s.send(t, k.Contract.ID)
	if len(sent) != 3 {
		t.Fatalf("sent %d links, want 3", len(sent))
	}
	s.signAs(t, sent[0], "Bea Buyer")
	k, links, err = s.c.AddSigner(ctx, s.agent, k.Contract.ID, deal.SignerInput{Name: "Alex Attorney", Email: "alex@example.com", Role: "attorney"})
	if err != nil || len(links) != 1 || links[0].Email != "alex@example.com" || k.Signers[3].Status != deal.SignerSent {
		t.Fatalf("adding to a sent contract: %v links %+v signers %+v", err, links, k.Signers)
	}
	if res := s.signAs(t, links[0], "Alex Attorney"); res.Executed {
		t.Fatal("executed while the seller has not signed")
	}
	if _, err := s.c.RemoveSigner(ctx, s.agent, k.Signers[0].ID); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("removing a signer who signed: err = %v, want Conflict", err)
	}
	if _, err := s.c.RemoveSigner(ctx, s.agent, realty.NewID()); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("removing no signer of the contract: err = %v, want NotFound", err)
	}
	other := newContractSetup(t, env, "globex")
	if _, err := other.c.RemoveSigner(ctx, other.agent, k.Signers[2].ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("another organization removing a signer: err = %v, want NotFound", err)
	}
	k, err = s.c.RemoveSigner(ctx, s.agent, k.Signers[2].ID)
	if err != nil || len(k.Signers) != 3 || k.Contract.Status != deal.ContractSent {
		t.Fatalf("removing the optional witness: %v, %d signers, %s", err, len(k.Signers), k.Contract.Status)
	}
	if _, err := s.c.OpenSigning(ctx, sent[2].Token, signer); err == nil {
		t.Fatal("a removed signer's link still opens")
	}
	// The seller is the last required signer who has not signed: removing
	// them executes the contract (the buyer's and attorney's signatures are
	// on the current, intact version).
	k, err = s.c.RemoveSigner(ctx, s.agent, k.Signers[1].ID)
	if err != nil || k.Contract.Status != deal.ContractExecuted || k.Versions[len(k.Versions)-1].Kind != "executed" {
		t.Fatalf("removing the last unsigned required signer: %v, contract %+v", err, k.Contract)
	}
	if ev := events(k); ev["signer_added"] != 2 || ev["signer_removed"] != 2 || ev["executed"] != 1 {
		t.Fatalf("audit trail = %v, want 2 signer_added, 2 signer_removed, 1 executed", ev)
	}
	_, _, err = s.c.AddSigner(ctx, s.agent, k.Contract.ID, deal.SignerInput{Name: "Late", Email: "late@example.com", Role: "other"})
	if realty.KindOf(err) != realty.Conflict || realty.FieldsOf(err)["status"] == "" {
		t.Fatalf("adding to an executed contract: err = %v, want Conflict naming status", err)
	}
	if _, err := s.c.RemoveSigner(ctx, s.agent, k.Signers[1].ID); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("removing from an executed contract: err = %v, want Conflict", err)
	}
}

// TestRemovingKeepsARequiredSigner: a draft's last required signer is not
// removed.
func TestRemovingKeepsARequiredSigner(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	s := newContractSetup(t, env, "acme")
	ctx := context.Background()
	k := s.draw(t)
	k, err := s.c.RemoveSigner(ctx, s.agent, k.Signers[1].ID)
	if err != nil || len(k.Signers) != 1 || k.Contract.Status != deal.ContractDraft {
		t.Fatalf("removing the seller from a draft: %v %+v", err, k.Signers)
	}
	if _, err := s.c.RemoveSigner(ctx, s.agent, k.Signers[0].ID); realty.FieldsOf(err)["signers"] == "" {
		t.Fatalf("removing the last required signer: err = %v, want Invalid naming signers", err)
	}
}
