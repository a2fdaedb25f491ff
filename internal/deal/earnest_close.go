package deal

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

func init() { registerEffect(escrowEffect) }

// escrowEffect settles a deal's received deposits when it ends: released
// to the seller side on the closing date when it closes, refunded to the
// buyer on the day it fell through or was withdrawn; each one the brokerage
// holds posts out of trust. Only received deposits are settled, so a deal
// ends its deposits once; deposits still due stay due.
func escrowEffect(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, _ string) error {
	if !Final(d.Stage) {
		return nil
	}
	status, source := "refunded", escrowRefundSource
	var on realty.Date
	if d.Stage == Closed {
		status, source, on = "released", escrowReleaseSource, *d.ActualClose
	} else {
		day, err := escrowToday(ctx, tx, actor, d.StageChangedAt)
		if err != nil {
			return err
		}
		on = day
	}
	rows, err := tx.Query(ctx, `UPDATE deal.escrow_deposits SET status = $3, settled_on = greatest($4::date, received_on)
		WHERE organization_id = $1 AND deal_id = $2 AND status = 'received' RETURNING `+escrowColumns, actor.OrgID, d.ID, status, on)
	if err != nil {
		return err
	}
	settled, err := pgx.CollectRows(rows, pgx.RowToStructByName[EscrowDeposit])
	if err != nil {
		return err
	}
	for _, dep := range settled {
		if err := escrowPostTx(ctx, tx, actor, d, dep, source, *dep.SettledOn); err != nil {
			return err
		}
	}
	return nil
}
