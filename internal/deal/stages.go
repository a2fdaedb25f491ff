package deal

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Stages, in pipeline order; fell_through and withdrawn end a deal without
// closing it.
const (
	Lead          = "lead"
	Active        = "active"
	Offer         = "offer"
	UnderContract = "under_contract"
	DueDiligence  = "due_diligence"
	ClearToClose  = "clear_to_close"
	Closed        = "closed"
	FellThrough   = "fell_through"
	Withdrawn     = "withdrawn"
)

// Stages lists every stage in pipeline order.
var Stages = []string{Lead, Active, Offer, UnderContract, DueDiligence, ClearToClose, Closed, FellThrough, Withdrawn}

// Kinds are the deals' kinds; Sides their sides; Roles the participants'
// roles.
var (
	Kinds = []string{"purchase", "sale", "lease", "referral", "refinance"}
	Sides = []string{"buyer", "seller", "dual"}
	Roles = []string{"buyer", "seller", "buyer_agent", "listing_agent", "attorney", "lender", "title", "escrow",
		"inspector", "appraiser", "referral", "other"}
)

var (
	kindList  = strings.Join(Kinds, ", ")
	stageList = strings.Join(Stages, ", ")
	roleList  = strings.Join(Roles, ", ")
)

// Transitions is the stage machine: the stages each stage may move to. A
// deal may step back one stage while under contract (a contingency
// reopened), fall through from any stage after an offer, and be withdrawn
// before it is under contract. closed, fell_through and withdrawn are
// final.
var Transitions = map[string][]string{
	Lead:          {Active, Withdrawn},
	Active:        {Offer, Withdrawn},
	Offer:         {UnderContract, Active, FellThrough, Withdrawn},
	UnderContract: {DueDiligence, ClearToClose, FellThrough},
	DueDiligence:  {ClearToClose, UnderContract, FellThrough},
	ClearToClose:  {Closed, DueDiligence, FellThrough},
	Closed:        {},
	FellThrough:   {},
	Withdrawn:     {},
}

// Allowed reports whether the machine allows from → to.
func Allowed(from, to string) bool { return slices.Contains(Transitions[from], to) }

// Final reports whether a stage ends the deal.
func Final(stage string) bool { return stage == Closed || stage == FellThrough || stage == Withdrawn }

// A Guard checks one transition of a deal inside the transition's
// transaction, before the stage changes: it returns nil to allow it or a
// realty.Error (Invalid or Conflict) whose message says why not.
type Guard func(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, to string) error

// guards are the checks of every transition, registered by the files of
// this package that own what they check (contracts, milestones,
// commissions) from their init functions, in file order.
var guards []Guard

// registerGuard adds g to the checks every transition passes.
func registerGuard(g Guard) { guards = append(guards, g) }
