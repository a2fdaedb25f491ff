package listing

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
	"realty/internal/property"
)

// DeleteProperty removes a property from view (property.DeleteTx) unless a
// listing of it is on the market (OnMarketStatuses): the property cannot go
// while it is offered. Conflict while it is; Forbidden without
// property.write; NotFound for another organization's property or one
// outside the actor's scope.
func (s *Service) DeleteProperty(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("property.write"); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var live bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM listing.listings WHERE organization_id = $1 AND property_id = $2
			AND standard_status = ANY($3::text[]::listing.standard_status[]))`, actor.OrgID, id, OnMarketStatuses).Scan(&live); err != nil {
			return err
		}
		if live {
			return &realty.Error{Kind: realty.Conflict, Message: "the property has a listing on the market; take it off first"}
		}
		return property.DeleteTx(ctx, tx, actor, id)
	})
}
