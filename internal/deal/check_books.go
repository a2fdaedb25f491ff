package deal

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// checkBooks is what the deal domain's ledger checks compare their rows
// with: for the journal entries of some source types, each source's count
// of entries and reversals, and each named account's balance per source
// (credit - debit).
type checkBooks struct {
	entries  map[ledger.Source][2]int
	balances map[string]map[ledger.Source]decimal.Decimal
}

// readCheckBooks reads the entries of types and the balances of accounts
// (system keys) they leave, for the organization.
func readCheckBooks(ctx context.Context, db postgres.DB, orgID realty.ID, types []string, accounts ...string) (checkBooks, error) {
	b := checkBooks{balances: map[string]map[ledger.Source]decimal.Decimal{}}
	var err error
	if b.entries, err = ledger.SourceEntries(ctx, db, orgID, types); err != nil {
		return checkBooks{}, err
	}
	for _, key := range accounts {
		if b.balances[key], err = ledger.SourceBalances(ctx, db, orgID, key, types); err != nil {
			return checkBooks{}, err
		}
	}
	return b, nil
}

// orphans names each entry whose source is not among known, as "<what>
// entry for <id>, which is no <noun>"; what is the source type when empty.
func (b checkBooks) orphans(known map[realty.ID]bool, what, noun string) []string {
	var bad []string
	for s := range b.entries {
		if !known[s.ID] {
			w := what
			if w == "" {
				w = s.Type
			}
			bad = append(bad, fmt.Sprintf("%s entry for %s, which is no %s", w, s.ID, noun))
		}
	}
	return bad
}
