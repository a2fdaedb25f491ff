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
	ledger.RegisterCheck("escrow held = earnest money received into trust and not yet released or refunded, per deposit, each movement one entry", escrowCheck)
}

// escrowSources are the source types of the earnest money's entries.
var escrowSources = []string{escrowReceiptSource, escrowReleaseSource, escrowRefundSource}

type escrowRow struct {
	ID     realty.ID       `db:"id"`
	Holder string          `db:"holder"`
	Status string          `db:"status"`
	Amount decimal.Decimal `db:"amount"`
}

// escrowCheck compares every deposit with its journal entries: a deposit
// the brokerage holds has a receipt entry once received and a release or
// refund entry once settled (others have none, nor reversals), and the
// escrow held its entries leave is its amount while it is received, else
// zero. Entries of a deposit that does not exist are offences too.
func escrowCheck(ctx context.Context, db postgres.DB, orgID realty.ID) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT id, holder, status, amount FROM deal.escrow_deposits WHERE organization_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	deps, err := pgx.CollectRows(rows, pgx.RowToStructByName[escrowRow])
	if err != nil {
		return nil, err
	}
	books, err := readCheckBooks(ctx, db, orgID, escrowSources, "escrow_held")
	if err != nil {
		return nil, err
	}
	entries, held := books.entries, books.balances["escrow_held"]
	var bad []string
	known := map[realty.ID]bool{}
	for _, dep := range deps {
		known[dep.ID] = true
		trust := dep.Holder == "brokerage"
		want := map[string]int{
			escrowReceiptSource: escrowCount(trust && dep.Status != "due"),
			escrowReleaseSource: escrowCount(trust && dep.Status == "released"),
			escrowRefundSource:  escrowCount(trust && dep.Status == "refunded"),
		}
		balance := decimal.Zero
		for _, t := range escrowSources {
			got := entries[ledger.Source{Type: t, ID: dep.ID}]
			if got[0] != want[t] || got[1] != 0 {
				bad = append(bad, fmt.Sprintf("deposit %s (%s, %s): %d %s entries and %d reversals, want %d and 0", dep.ID, dep.Holder, dep.Status, got[0], t, got[1], want[t]))
			}
			balance = balance.Add(held[ledger.Source{Type: t, ID: dep.ID}])
		}
		expect := decimal.Zero
		if trust && dep.Status == "received" {
			expect = dep.Amount
		}
		if !balance.Equal(expect) {
			bad = append(bad, fmt.Sprintf("deposit %s (%s, %s): escrow held %s, want %s", dep.ID, dep.Holder, dep.Status, balance.StringFixed(2), expect.StringFixed(2)))
		}
	}
	bad = append(bad, books.orphans(known, "", "deposit")...)
	slices.Sort(bad)
	return bad, nil
}

func escrowCount(b bool) int {
	if b {
		return 1
	}
	return 0
}
