package deal

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
)

func init() { registerEffect(followListing) }

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
	_, err := listing.FollowDealTx(ctx, tx, actor, *d.ListingID, o)
	return err
}
