package deal_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
	"realty/internal/deal"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/property"
)

func ptr[T any](v T) *T { return &v }

// listed lists a property of o as its agent at price.
func listed(t *testing.T, env fixturetest.Env, o fixture.Org, street string, price int64) listing.Listing {
	t.Helper()
	l, err := env.Listing.Create(context.Background(), o.Personas["agent"].Actor, listing.Input{
		Property: &property.Input{AddressLine1: street, City: "Springfield"},
		Fields:   listing.Fields{ListPrice: ptr(decimal.NewFromInt(price))}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// statusHistory is the listing's StandardStatus history as "from→to".
func statusHistory(t *testing.T, env fixturetest.Env, actor realty.Actor, id realty.ID) []string {
	t.Helper()
	h, err := env.Listing.History(context.Background(), actor, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		if e.Field == "StandardStatus" && e.PreviousValue != nil {
			out = append(out, *e.PreviousValue+"→"+*e.NewValue)
		}
	}
	return out
}

// TestListingFollowsItsDeal: a listing goes Pending when its deal goes under
// contract, stays Pending through due diligence, and is Closed with the
// close price and date when the deal closes; another falls through and its
// listing is Active again. Each change is in the listing's history.
func TestListingFollowsItsDeal(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, broker := acme.Personas["agent"].Actor, acme.Personas["broker"].Actor
	ctx := context.Background()
	l := listed(t, env, acme, "1 Follow Street", 400000)
	d := env.OpenDeal(t, acme, "Follow")
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{ListingID: &l.ID, Price: ptr(decimal.NewFromInt(390000))}); err != nil {
		t.Fatal(err)
	}
	walk(t, env, agent, d.ID, deal.Active, deal.Offer, deal.UnderContract)
	if got, _ := env.Listing.Get(ctx, broker, l.ID); got.StandardStatus != "Pending" {
		t.Fatalf("under contract: listing is %s, want Pending", got.StandardStatus)
	}
	walk(t, env, agent, d.ID, deal.DueDiligence, deal.ClearToClose)
	closeOn := realty.Date{Year: 2030, Month: 5, Day: 17}
	env.ReadyToClose(t, acme.Organization.ID, d.ID)
	if _, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.Closed, ActualClose: &closeOn}); err != nil {
		t.Fatal(err)
	}
	got, _ := env.Listing.Get(ctx, broker, l.ID)
	if got.StandardStatus != "Closed" || got.ClosePrice == nil || !got.ClosePrice.Equal(decimal.NewFromInt(390000)) ||
		got.CloseDate == nil || *got.CloseDate != closeOn {
		t.Fatalf("closed: listing %s, close %v on %v; want Closed at 390000 on %s", got.StandardStatus, got.ClosePrice, got.CloseDate, closeOn)
	}
	if h := statusHistory(t, env, broker, l.ID); len(h) != 2 || h[0] != "Active→Pending" || h[1] != "Pending→Closed" {
		t.Fatalf("listing history = %v, want Active→Pending, Pending→Closed", h)
	}

	l2 := listed(t, env, acme, "2 Follow Street", 300000)
	d2 := env.OpenDeal(t, acme, "Falls through")
	if _, err := env.Deal.Update(ctx, agent, d2.ID, deal.Patch{ListingID: &l2.ID}); err != nil {
		t.Fatal(err)
	}
	walk(t, env, agent, d2.ID, deal.Active, deal.Offer, deal.UnderContract, deal.DueDiligence, deal.FellThrough)
	if h := statusHistory(t, env, broker, l2.ID); len(h) != 2 || h[0] != "Active→Pending" || h[1] != "Pending→Active" {
		t.Fatalf("fallen-through listing history = %v, want Active→Pending, Pending→Active", h)
	}
}

// TestListingRefusalUndoesTheMove: a deal cannot go under contract on a
// withdrawn listing; the move is undone and says why.
func TestListingRefusalUndoesTheMove(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	l := listed(t, env, acme, "3 Follow Street", 250000)
	if _, err := env.Listing.Update(ctx, agent, l.ID, listing.Fields{StandardStatus: ptr("Withdrawn")}); err != nil {
		t.Fatal(err)
	}
	d := env.OpenDeal(t, acme, "Withdrawn listing")
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{ListingID: &l.ID}); err != nil {
		t.Fatal(err)
	}
	walk(t, env, agent, d.ID, deal.Active, deal.Offer)
	_, err := env.Deal.Move(ctx, agent, d.ID, deal.MoveInput{To: deal.UnderContract})
	if realty.FieldsOf(err)["to"] == "" {
		t.Fatalf("under contract on a withdrawn listing: err = %v, want a field error on to", err)
	}
	if got, _ := env.Deal.Get(ctx, agent, d.ID); got.Stage != deal.Offer {
		t.Fatalf("refused move left the deal at %s, want offer", got.Stage)
	}
}

// TestParticipants adds a client, a member and an outside party, lists them
// named, refuses a duplicate and another agent's client, and removes one.
func TestParticipants(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	agent, broker := acme.Personas["agent"].Actor, acme.Personas["broker"].Actor
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "Parties")
	buyer, err := env.CRM.Create(ctx, agent, crm.Input{FirstName: "Bea", LastName: "Buyer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Deal.AddParticipant(ctx, agent, d.ID, deal.ParticipantInput{Role: "buyer", ClientID: &buyer.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = env.Deal.AddParticipant(ctx, agent, d.ID, deal.ParticipantInput{Role: "buyer", ClientID: &buyer.ID})
	if realty.KindOf(err) != realty.Conflict || realty.FieldsOf(err)["client_id"] == "" {
		t.Fatalf("the same buyer twice: err = %v, want Conflict on client_id", err)
	}
	if _, err := env.Deal.AddParticipant(ctx, agent, d.ID, deal.ParticipantInput{Role: "buyer_agent", MemberID: &broker.MemberID}); err != nil {
		t.Fatal(err)
	}
	lawyer, err := env.Deal.AddParticipant(ctx, agent, d.ID, deal.ParticipantInput{Role: "attorney", Name: ptr(" Lou Law "),
		Company: ptr("Law & Co"), Email: ptr("lou@law.example"), Phone: ptr("+14155552671")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := env.CRM.Create(ctx, globex.Personas["agent"].Actor, crm.Input{FirstName: "Gus"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.Deal.AddParticipant(ctx, agent, d.ID, deal.ParticipantInput{Role: "seller", ClientID: &other.ID})
	if realty.FieldsOf(err)["client_id"] == "" {
		t.Fatalf("another organization's client: err = %v, want a field error on client_id", err)
	}
	_, err = env.Deal.AddParticipant(ctx, agent, d.ID, deal.ParticipantInput{Role: "lender", Name: ptr("Len"), Phone: ptr("555")})
	if realty.FieldsOf(err)["phone"] == "" {
		t.Fatalf("a bad phone: err = %v, want a field error on phone", err)
	}
	ps, err := env.Deal.Participants(ctx, broker, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, p := range ps {
		names[p.Role] = p.DisplayName
	}
	if len(ps) != 3 || names["buyer"] != "Bea Buyer" || names["attorney"] != "Lou Law" || names["buyer_agent"] == "" {
		t.Fatalf("participants = %v, want the buyer, the broker and the attorney named", names)
	}
	if _, err := env.Deal.Participants(ctx, globex.Personas["broker"].Actor, d.ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("another organization lists the participants: err = %v, want NotFound", err)
	}
	if err := env.Deal.RemoveParticipant(ctx, globex.Personas["broker"].Actor, lawyer.ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("another organization removes a participant: err = %v, want NotFound", err)
	}
	if err := env.Deal.RemoveParticipant(ctx, agent, lawyer.ID); err != nil {
		t.Fatal(err)
	}
	if ps, _ := env.Deal.Participants(ctx, agent, d.ID); len(ps) != 2 {
		t.Fatalf("after removing the attorney: %d participants, want 2", len(ps))
	}
}
