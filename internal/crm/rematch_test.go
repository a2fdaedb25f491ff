package crm_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
)

// TestRematchAcrossChunks: a full rematch reading the listings 7 at a time
// and the preferences 4 at a time stores the brute-force scorer's matches,
// and after prices and statuses change, a second one rescores the matches
// of every chunk and marks inactive the ones no longer had.
func TestRematchAcrossChunks(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner := acme.Personas["owner"].Actor
	ctx := context.Background()
	r := rand.New(rand.NewPCG(56, 78))
	ls := make([]tListing, 50)
	for i := range ls {
		ls[i] = randListing(r)
		createListing(t, env, owner, &ls[i])
	}
	prefs := make([]tPref, 15)
	var clients []realty.ID
	for i := range prefs {
		if i%3 == 0 {
			clients = append(clients, mustClient(t, env, owner, crm.Input{FirstName: fmt.Sprint("Buyer ", i)}).ID)
		}
		prefs[i] = randPref(r)
		prefs[i].client = clients[len(clients)-1]
		p, err := env.CRM.CreatePreference(ctx, owner, prefs[i].client, prefInput(prefs[i]))
		if err != nil {
			t.Fatalf("preference %+v: %v", prefs[i], err)
		}
		prefs[i].id = p.ID
	}
	small := env.CRM.WithScan(7, 4)
	rematch := func(label string) {
		res, err := small.Rematch(ctx, acme.Organization.ID, realty.ID{}, 0)
		if err != nil || !res.Done || res.Preferences != len(prefs) {
			t.Fatalf("%s: %+v %v", label, res, err)
		}
		compareToBrute(t, label, storedMatches(t, env, owner, clients), prefs, ls)
	}
	rematch("first rematch")
	for i := range ls {
		switch i % 4 {
		case 0:
			ls[i].price = int64(100+r.IntN(800)) * 1000
			p := decimal.NewFromInt(ls[i].price)
			if _, err := env.Listing.Update(ctx, owner, ls[i].id, listing.Fields{ListPrice: &p}); err != nil {
				t.Fatal(err)
			}
		case 1:
			if ls[i].status == "Active" {
				ls[i].status = "Pending"
				if _, err := env.Listing.Update(ctx, owner, ls[i].id, listing.Fields{StandardStatus: &ls[i].status}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	rematch("second rematch")
}
