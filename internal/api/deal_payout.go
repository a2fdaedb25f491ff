package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"

	"realty/internal/deal"
)

// PayCommissionSplitInput pays one split of a posted commission.
type PayCommissionSplitInput struct {
	IdempotentID
	Body deal.PayoutInput
}

// SplitOutput is one commission split.
type SplitOutput struct{ Body deal.Split }

const payoutDoc = "Pays an agent's (or the referral party's) split of a commission posted at closing, in full (partial payments " +
	"are not supported): commissions payable is debited and operating cash credited by the split's amount, dated paid_on. " +
	"{id} is the split (the commission's splits carry their ids). 409 before closing, for the brokerage's own split, or when the " +
	"split was paid already."

func routeCommissionPayout(a huma.API, d Deps, tags []string, manage Access) {
	registerIdempotent(a, d, huma.Operation{OperationID: "pay-commission-split", Method: http.MethodPost, Path: Prefix + "/commission-splits/{id}/pay",
		Tags: tags, Summary: "Pay an agent their commission split", Description: payoutDoc, DefaultStatus: http.StatusOK},
		manage, idempotentOp[PayCommissionSplitInput, deal.Split]{
			key:  func(in *PayCommissionSplitInput) string { return in.IdempotencyKey.IdempotencyKey },
			body: func(in *PayCommissionSplitInput) any { return []any{in.ID, in.Body} },
			work: func(ctx context.Context, tx pgx.Tx, in *PayCommissionSplitInput) (deal.Split, error) {
				return d.Deal.PayCommissionSplitTx(ctx, tx, actor(ctx), in.ID, in.Body)
			}})
}
