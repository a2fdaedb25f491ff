package deal

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
)

func init() { registerEffect(followListing) }

// ListingFollower sets a deal's listing to what the deal's stage says, in
// the move's transaction: the listing domain implements it, announcing the
// change as it announces every listing change.
type ListingFollower interface {
	FollowDealTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, o listing.DealOutcome) (listing.Listing, error)
}

// UseListings sets the follower that moves a deal's listing with the deal
// (the listing domain's). Until one is set, a move that would change a
// deal's listing is refused: a listing never silently misses its deal.
func (s *Service) UseListings(f ListingFollower) { s.listings = f }

// contracted are the stages at which a deal holds its listing under
// contract.
var contracted = map[string]bool{UnderContract: true, DueDiligence: true, ClearToClose: true}

// followListing makes the listing of a deal follow the deal's stage, in the
// move's transaction: Pending when the deal goes under contract, Closed
// with the close price and date when it closes, Active again when it falls
// through from under contract or later. Steps within the contract stages
// (due diligence and back) leave the listing alone.
func followListing(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, from string) error {
	if d.ListingID == nil {
		return nil
	}
	var o listing.DealOutcome
	switch {
	case d.Stage == UnderContract && !contracted[from]:
		o.Status = "Pending"
	case d.Stage == Closed:
		o = listing.DealOutcome{Status: "Closed", ClosePrice: d.ClosePrice, CloseDate: d.ActualClose}
	case d.Stage == FellThrough && contracted[from]:
		o.Status = "Active"
	default:
		return nil
	}
	f := effectDeps(ctx).listings
	if f == nil {
		return realty.FieldError("to", "the deal's listing cannot follow the deal here")
	}
	_, err := f.FollowDealTx(ctx, tx, actor, *d.ListingID, o)
	return err
}
