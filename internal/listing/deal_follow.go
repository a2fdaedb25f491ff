package listing

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// DealOutcome is what a deal's stage says of its listing: Pending while the
// deal is under contract, Closed (with the close price and date) when it
// closes, Active again when it falls through.
type DealOutcome struct {
	Status     string
	ClosePrice *decimal.Decimal
	CloseDate  *realty.Date
}

// underContract are the statuses a listing under a deal's contract may
// leave for Pending; a listing that was withdrawn, expired or closed meanwhile
// cannot go under contract.
var underContract = []string{"Active", "ActiveUnderContract", "ComingSoon", "Hold", "Pending"}

// FollowDealTx sets, inside the deal's transaction tx, the status of the
// listing a deal names to what the deal's stage says. The listing's
// history records the change as it records every status change (the
// listing's own trigger, under the actor who moved the deal). It checks no
// listing permission: a listing follows its deal whoever lists it, and the
// deal domain has checked that the actor may move the deal. A listing that
// is back at Active only when it was Pending (one changed by hand since is
// left as it is). Errors: NotFound for a listing not of the organization
// (or outside the actor's property scope); Invalid naming "to" when the
// listing's status does not allow the outcome (a withdrawn or closed
// listing cannot go under contract). A status it changed is announced in
// tx as every other listing change is (the listing.changed job), so saved
// searches are rematched and listing.status_changed is sent.
func (s *Service) FollowDealTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, o DealOutcome) (Listing, error) {
	l, err := getTx(ctx, tx, actor, id)
	if err != nil {
		return Listing{}, err
	}
	switch o.Status {
	case "Pending":
		if !slices.Contains(underContract, l.StandardStatus) {
			return Listing{}, realty.FieldError("to", "the deal's listing is "+l.StandardStatus+": put it back on the market before the deal goes under contract")
		}
	case "Closed":
		if l.StandardStatus == "Closed" {
			return l, nil
		}
	case "Active":
		if l.StandardStatus != "Pending" {
			return l, nil
		}
	default:
		return Listing{}, realty.FieldError("standard_status", "a deal sets a listing only Pending, Closed or Active")
	}
	if o.ClosePrice != nil && !o.ClosePrice.IsPositive() {
		o.ClosePrice = nil
	}
	// Off the market from when it went under contract (or closed, if it
	// skipped Pending), back on it with no off-market date.
	_, err = tx.Exec(ctx, `UPDATE listing.listings SET standard_status = $3::listing.standard_status,
		close_price = coalesce($4, close_price), close_date = coalesce($5, close_date),
		off_market_date = CASE WHEN $3 = 'Active' THEN NULL ELSE coalesce(off_market_date, least(coalesce($5, current_date), current_date)) END
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, o.Status, o.ClosePrice, o.CloseDate)
	if err != nil {
		return Listing{}, err
	}
	out, err := getTx(ctx, tx, actor, id)
	if err != nil {
		return Listing{}, err
	}
	return out, s.announceChange(ctx, tx, actor, &l, out)
}
