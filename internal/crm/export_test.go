package crm

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// ClientOwned exposes the tables a merge moves, for the test that holds
// the list to the catalog.
var ClientOwned = clientOwned

// InsertUnchecked adds a client without the service's duplicate check, as
// the loser of two simultaneous creates would reach the table.
func (s *Service) InsertUnchecked(ctx context.Context, actor realty.Actor, in Input) error {
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := in.normalize("US"); err != nil {
			return err
		}
		_, err := insertClient(ctx, tx, actor, in)
		return err
	})
}

// WithScan returns a copy of the service whose full rematch reads chunk
// listings and batch preferences at a time.
func (s *Service) WithScan(chunk, batch int) *Service {
	c := *s
	c.scanChunk, c.scanBatch = chunk, batch
	return &c
}
