package ledger

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// ResidentAccount is a resident's own account: what they owe, their open
// invoices (oldest due first) and their payments (newest first).
type ResidentAccount struct {
	TenantID realty.ID `json:"tenant_id"`
	Balance  Money     `json:"balance" doc:"owed: open charges less unapplied credit; negative is credit"`
	Open     []Invoice `json:"open_invoices"`
	Payments []Payment `json:"payments"`
}

// residentPayments is how many of their latest payments a resident sees.
const residentPayments = 50

// ResidentAccount returns the caller's own account: the tenant their
// membership is linked to (actor.TenantID, set by the resident fence), never
// another's; empty for a caller linked to no tenant. Forbidden without
// tenancy.own. Row-level security fences the same rows again.
func (s *Service) ResidentAccount(ctx context.Context, actor realty.Actor) (ResidentAccount, error) {
	if err := actor.Require("tenancy.own"); err != nil {
		return ResidentAccount{}, err
	}
	out := ResidentAccount{TenantID: actor.TenantID, Open: []Invoice{}, Payments: []Payment{}}
	if actor.TenantID.IsZero() {
		return out, nil
	}
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		today, err := s.entryDate(ctx, tx, actor, nil)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+invoiceColumns+` FROM ledger.invoices i WHERE i.organization_id = $1 AND i.tenant_id = $3
			AND i.status IN ('open', 'partial') ORDER BY i.due_date, i.id`, actor.OrgID, today, actor.TenantID)
		if err != nil {
			return err
		}
		if out.Open, err = pgx.CollectRows(rows, pgx.RowToStructByName[Invoice]); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT `+paymentColumns+` FROM ledger.payments WHERE organization_id = $1 AND tenant_id = $2
			ORDER BY received_on DESC, id DESC LIMIT $3`, actor.OrgID, actor.TenantID, residentPayments)
		if err != nil {
			return err
		}
		if out.Payments, err = pgx.CollectRows(rows, pgx.RowToStructByName[Payment]); err != nil {
			return err
		}
		var bal decimal.Decimal
		err = tx.QueryRow(ctx, `SELECT coalesce(sum(l.debit - l.credit), 0) FROM ledger.journal_lines l
			JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
				AND a.system_key IN ('accounts_receivable', 'tenant_credit')
			WHERE l.organization_id = $1 AND l.tenant_id = $2`, actor.OrgID, actor.TenantID).Scan(&bal)
		out.Balance = M(bal)
		return err
	})
	for i := range out.Open {
		out.Open[i].Lines = []InvoiceLine{}
	}
	return out, err
}

// LeaseBalancesSQL is what each lease of $2 owes in organization $1: its
// open invoices' balances less its payments' unapplied amounts. The ledger
// check holds both equal to the journal on the lease dimension (accounts
// receivable per lease against open invoices; tenant credit against
// unapplied payments, whose lines carry the payment's lease), so this reads
// the two small partial indexes instead of every receivable line.
const LeaseBalancesSQL = `SELECT lease_id, sum(amt) AS balance FROM (
		SELECT lease_id, balance AS amt FROM ledger.invoices
		WHERE organization_id = $1 AND lease_id = ANY($2) AND status IN ('open', 'partial')
		UNION ALL
		SELECT lease_id, -unapplied FROM ledger.payments
		WHERE organization_id = $1 AND lease_id = ANY($2) AND status <> 'failed' AND unapplied <> 0) b
	GROUP BY lease_id`

// LeaseBalances returns what each of the leases owes (AR less unapplied
// credit on the lease dimension); a lease that owes nothing and holds no
// credit is absent. Forbidden without invoice.read.
func (s *Service) LeaseBalances(ctx context.Context, actor realty.Actor, leases []realty.ID) (map[realty.ID]decimal.Decimal, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return nil, err
	}
	type row struct {
		LeaseID realty.ID       `db:"lease_id"`
		Balance decimal.Decimal `db:"balance"`
	}
	rows, err := postgres.ReadAll[row](ctx, s.pool, actor, LeaseBalancesSQL, actor.OrgID, leases)
	if err != nil {
		return nil, err
	}
	out := make(map[realty.ID]decimal.Decimal, len(rows))
	for _, r := range rows {
		out[r.LeaseID] = r.Balance
	}
	return out, nil
}
