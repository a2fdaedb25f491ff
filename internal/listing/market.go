package listing

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// Market is the spread of an organization's active sale listings' prices:
// how many there are and their 10th, 25th, 50th, 75th and 90th
// percentiles (zero when Count is zero).
type Market struct {
	Count int
	P10   decimal.Decimal
	P25   decimal.Decimal
	P50   decimal.Decimal
	P75   decimal.Decimal
	P90   decimal.Decimal
}

// MarketTx reads the price spread of the organization's active sale
// listings in the caller's transaction (another domain's, scoped to org),
// for judging a budget against what is on offer. It returns only database
// errors.
func MarketTx(ctx context.Context, tx pgx.Tx, org realty.ID) (Market, error) {
	var m Market
	var q []decimal.Decimal
	err := tx.QueryRow(ctx, `SELECT count(*)::int,
			coalesce(percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY list_price)::numeric[], '{0,0,0,0,0}')
		FROM listing.listings
		WHERE organization_id = $1 AND standard_status = 'Active' AND list_type = 'sale'`, org).Scan(&m.Count, &q)
	if err != nil {
		return Market{}, err
	}
	m.P10, m.P25, m.P50, m.P75, m.P90 = q[0], q[1], q[2], q[3], q[4]
	return m, nil
}
