package deal_test

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// TestCommissionSplitsAddUpToTheGross divides random commissions (random
// gross to the cent, referral by rate or amount, one or two sides with up to
// three agents each, random splits and caps, one agent on both sides) and
// requires the splits to add up to the gross exactly, every amount to be in
// whole cents and not negative, no agent to get more than their side share,
// and the brokerage to keep no more from a capped agent than the room left.
func TestCommissionSplitsAddUpToTheGross(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(15, 45))
	pct := func() decimal.Decimal { return decimal.New(r.Int64N(10001), -2) } // 0.00 … 100.00
	for n := range 20000 {
		in := deal.SplitInput{Gross: decimal.New(r.Int64N(1e9)+1, -2), BrokerageName: "Brokerage"}
		switch r.IntN(3) {
		case 1:
			rate := decimal.New(r.Int64N(1e6)+1, -4) // up to 100 %
			in.ReferralRate, in.ReferralName = &rate, "Referrer"
		case 2:
			amt := decimal.New(r.Int64N(1e9)+1, -2) // may exceed the gross
			in.ReferralAmount, in.ReferralName = &amt, "Referrer"
		}
		shared := realty.NewID()
		rooms, uncapped := map[realty.ID]decimal.Decimal{}, map[realty.ID]bool{}
		listing := pct()
		for i, sidePct := range []decimal.Decimal{listing, decimal.NewFromInt(100).Sub(listing)}[:1+r.IntN(2)] {
			side := deal.CommissionSide{Side: []string{"listing", "buyer"}[i], Pct: sidePct}
			for k := range r.IntN(4) {
				a := deal.CommissionAgent{MemberID: realty.NewID(), Name: "Agent", Split: pct()}
				if k == 0 {
					a.MemberID = shared
				}
				if prev, ok := rooms[a.MemberID]; ok { // one plan per agent
					a.CapRoom = &prev
				} else if _, seen := uncapped[a.MemberID]; !seen && r.IntN(2) == 0 {
					room := decimal.New(r.Int64N(2e6)-1e5, -2) // sometimes already past the cap
					rooms[a.MemberID] = room
					a.CapRoom = &room
				} else {
					uncapped[a.MemberID] = true
				}
				side.Agents = append(side.Agents, a)
			}
			in.Sides = append(in.Sides, side)
		}
		splits := deal.CommissionSplits(in)
		sum, kept := decimal.Zero, map[realty.ID]decimal.Decimal{}
		for i, s := range splits {
			if s.LineNo != i+1 || s.Amount.IsNegative() || !s.Amount.Equal(s.Amount.Round(2)) {
				t.Fatalf("case %d: split %+v: bad line number or amount", n, s)
			}
			if s.Payee == "agent" {
				if s.Amount.GreaterThan(s.SideShare) || !s.Amount.Add(s.CompanyDollar).Equal(s.SideShare) || s.CompanyDollar.IsNegative() {
					t.Fatalf("case %d: agent split %+v does not divide its side share", n, s)
				}
				kept[*s.MemberID] = kept[*s.MemberID].Add(s.CompanyDollar)
			}
			sum = sum.Add(s.Amount)
		}
		if !sum.Equal(in.Gross) || splits[0].Payee != "brokerage" {
			t.Fatalf("case %d: splits %+v add up to %s, gross %s", n, splits, sum, in.Gross)
		}
		for id, room := range rooms {
			if kept[id].GreaterThan(decimal.Max(room, decimal.Zero)) {
				t.Fatalf("case %d: the brokerage kept %s from an agent with %s left under the cap", n, kept[id], room)
			}
		}
	}
}

// TestCommissionSplitsWorkedExample is a dual deal by hand: 10,000.00
// gross, a 25 % referral, 60 % to the listing side; the listing agent on a
// 70 % plan has 300.00 left under the cap, the buyer agent on an 80 % plan
// none.
func TestCommissionSplitsWorkedExample(t *testing.T) {
	t.Parallel()
	rate, room, capped := dec("25"), dec("300"), dec("0")
	lister, buyer := realty.NewID(), realty.NewID()
	splits := deal.CommissionSplits(deal.SplitInput{Gross: dec("10000.00"), ReferralRate: &rate, ReferralName: "Referrer", BrokerageName: "Acme",
		Sides: []deal.CommissionSide{
			{Side: "listing", Pct: dec("60"), Agents: []deal.CommissionAgent{{MemberID: lister, Name: "L", Split: dec("70"), CapRoom: &room}}},
			{Side: "buyer", Pct: dec("40"), Agents: []deal.CommissionAgent{{MemberID: buyer, Name: "B", Split: dec("80"), CapRoom: &capped}}},
		}})
	// Net 7,500.00: listing side 4,500.00 (brokerage would keep 1,350.00,
	// the cap leaves 300.00, the agent gets 4,200.00), buyer side 3,000.00
	// (cap reached: the agent gets it all), the brokerage 300.00.
	want := []string{"brokerage 300.00", "agent 4200.00", "agent 3000.00", "referral 2500.00"}
	if len(splits) != len(want) {
		t.Fatalf("splits = %+v", splits)
	}
	for i, s := range splits {
		if got := s.Payee + " " + s.Amount.StringFixed(2); got != want[i] {
			t.Errorf("split %d = %s (%s), want %s", i+1, got, s.Basis, want[i])
		}
	}
}
