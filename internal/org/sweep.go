package org

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// sweepPage is how many organization ids EachOrganization reads at a time.
const sweepPage = 500

// EachOrganization calls fn with the id of every organization, in id order,
// for the periodic jobs that work each organization in turn (each call
// opens its own transactions scoped to that organization). The list comes
// from org.organization_ids, which reads past row-level security for the
// runtime role and returns ids only. It stops at fn's first error and
// returns it.
func EachOrganization(ctx context.Context, db postgres.DB, fn func(realty.ID) error) error {
	var after *realty.ID
	for {
		rows, err := db.Query(ctx, `SELECT org.organization_ids($1, $2)`, after, sweepPage)
		if err != nil {
			return fmt.Errorf("organizations: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[realty.ID])
		if err != nil {
			return fmt.Errorf("organizations: %w", err)
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < sweepPage {
			return nil
		}
		after = &ids[len(ids)-1]
	}
}
