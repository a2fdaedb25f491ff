package deal

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.commission_splits_paid_reference_check": {Kind: realty.Invalid, Field: "reference", Message: "must be 1 to 100 characters"},
		"deal.commission_splits_paid_check":           {Kind: realty.Invalid, Field: "paid_on", Message: "a paid split has its day paid"},
		"deal.commission_splits_paid_by_fkey":         {Kind: realty.Invalid, Field: "paid_by", Message: "no such member"},
		"deal.commissions_cda_document_fkey":          {Kind: realty.Invalid, Field: "cda_document_id", Message: "no such document"},
	})
	ledger.RegisterCheck("every paid commission split: one payout entry, commissions payable debited by the split's amount", payoutCheck)
}

type payoutCheckRow struct {
	ID     realty.ID       `db:"id"`
	Amount decimal.Decimal `db:"amount"`
	PaidAt *time.Time      `db:"paid_at"`
}

// payoutCheck compares every paid split with its payout entry: a paid
// split has exactly one entry, no reversal, debiting commissions payable
// by its amount; an unpaid split has none, and every payout entry is of a
// split.
func payoutCheck(ctx context.Context, db postgres.DB, orgID realty.ID) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT id, amount, paid_at FROM deal.commission_splits WHERE organization_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	splits, err := pgx.CollectRows(rows, pgx.RowToStructByName[payoutCheckRow])
	if err != nil {
		return nil, err
	}
	books, err := readCheckBooks(ctx, db, orgID, []string{payoutSource}, "commissions_payable")
	if err != nil {
		return nil, err
	}
	entries, payable := books.entries, books.balances["commissions_payable"]
	var bad []string
	known := map[realty.ID]bool{}
	for _, sp := range splits {
		known[sp.ID] = true
		src := ledger.Source{Type: payoutSource, ID: sp.ID}
		want := escrowCount(sp.PaidAt != nil)
		if got := entries[src]; got[0] != want || got[1] != 0 {
			bad = append(bad, fmt.Sprintf("commission split %s: %d payout entries and %d reversals, want %d and 0", sp.ID, got[0], got[1], want))
		}
		if want == 1 && !payable[src].Neg().Equal(sp.Amount) {
			bad = append(bad, fmt.Sprintf("commission split %s: paid %s out of commissions payable, split %s", sp.ID,
				payable[src].Neg().StringFixed(2), sp.Amount.StringFixed(2)))
		}
	}
	bad = append(bad, books.orphans(known, "commission payout", "split")...)
	slices.Sort(bad)
	return bad, nil
}
