package leasing

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// LeaseTx returns one lease within the actor's property scope, in the
// caller's transaction, for another domain's rows that name a lease (an
// inspection). It checks no permission (the calling use case has).
// NotFound.
func LeaseTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Lease, error) {
	return leaseTx(ctx, tx, actor, id, false)
}
