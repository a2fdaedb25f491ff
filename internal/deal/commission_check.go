package deal

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

func init() {
	ledger.RegisterCheck("every commission: splits add up to the gross; posted once at closing (income = gross, payable = agents' and referral splits)", commissionCheck)
}

type commissionCheckRow struct {
	ID      realty.ID        `db:"id"`
	Gross   *decimal.Decimal `db:"gross"`
	Posted  bool             `db:"posted"`
	Splits  decimal.Decimal  `db:"splits"`
	Payable decimal.Decimal  `db:"payable"`
}

// commissionCheck compares every commission with its splits and its
// journal entry: the splits add up to the gross; a posted commission with
// a positive gross has exactly one entry, no reversal, commission income
// credited by the gross and commissions payable by the splits to agents
// and referrals; an unposted one has no entry.
func commissionCheck(ctx context.Context, db postgres.DB, orgID realty.ID) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT c.id, c.gross, c.posted_at IS NOT NULL AS posted,
			coalesce(sum(s.amount), 0) AS splits, coalesce(sum(s.amount) FILTER (WHERE s.payee <> 'brokerage'), 0) AS payable
		FROM deal.commissions c LEFT JOIN deal.commission_splits s ON s.organization_id = c.organization_id AND s.commission_id = c.id
		WHERE c.organization_id = $1 GROUP BY c.organization_id, c.id ORDER BY c.id`, orgID)
	if err != nil {
		return nil, err
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[commissionCheckRow])
	if err != nil {
		return nil, err
	}
	books, err := readCheckBooks(ctx, db, orgID, []string{commissionSource}, "commission_income", "commissions_payable")
	if err != nil {
		return nil, err
	}
	entries, income, payable := books.entries, books.balances["commission_income"], books.balances["commissions_payable"]
	var bad []string
	known := map[realty.ID]bool{}
	for _, c := range cs {
		known[c.ID] = true
		src := ledger.Source{Type: commissionSource, ID: c.ID}
		gross := decimal.Zero
		if c.Gross != nil {
			gross = *c.Gross
		}
		if c.Gross != nil && !c.Splits.Equal(gross) {
			bad = append(bad, fmt.Sprintf("commission %s: splits %s, gross %s", c.ID, c.Splits.StringFixed(2), gross.StringFixed(2)))
		}
		want := escrowCount(c.Posted && gross.IsPositive())
		if got := entries[src]; got[0] != want || got[1] != 0 {
			bad = append(bad, fmt.Sprintf("commission %s: %d entries and %d reversals, want %d and 0", c.ID, got[0], got[1], want))
		}
		if want == 1 && (!income[src].Equal(gross) || !payable[src].Equal(c.Payable)) {
			bad = append(bad, fmt.Sprintf("commission %s: income %s, gross %s; payable %s, agents' and referral splits %s", c.ID,
				income[src].StringFixed(2), gross.StringFixed(2), payable[src].StringFixed(2), c.Payable.StringFixed(2)))
		}
	}
	bad = append(bad, books.orphans(known, "commission", "commission")...)
	slices.Sort(bad)
	return bad, nil
}
