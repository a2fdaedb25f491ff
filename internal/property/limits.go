package property

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/org"
)

// checkRoomTx refuses adding n properties to the organization past its
// plan's max_properties (deleted properties do not count). When the plan
// has a limit it holds the organization's row until tx ends (org.LimitTx),
// so concurrent creations count one after the other. Conflict as
// org.PlanLimitError.
func checkRoomTx(ctx context.Context, tx pgx.Tx, orgID realty.ID, n int) error {
	limit, err := org.LimitTx(ctx, tx, orgID, org.LimitProperties)
	if err != nil || limit == nil || n == 0 {
		return err
	}
	var count int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM property.properties WHERE organization_id = $1 AND deleted_at IS NULL`,
		orgID).Scan(&count); err != nil {
		return err
	}
	if count+n > *limit {
		return org.PlanLimitError(org.LimitProperties, "properties", *limit, count)
	}
	return nil
}
