package idempotency

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/postgres"
)

// PruneArgs is the job deleting one organization's expired keys. Storing a
// key schedules it a TTL later, at most once a day per organization, so
// every organization that stores keys is pruned without a job that would
// have to see every organization at once (row-level security shows the
// runtime role one at a time).
type PruneArgs struct {
	OrgID realty.ID `json:"org_id" river:"unique"`
}

// Kind names the job in River.
func (PruneArgs) Kind() string { return "idempotency.prune" }

// pruneUnique is the period of PruneArgs' uniqueness.
const pruneUnique = 24 * time.Hour

// InsertOpts make the job unique per organization and day.
func (PruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: pruneUnique}}
}

// PruneWorker deletes expired keys.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	Store *Store
}

// Work deletes the organization's expired keys; an error makes River retry.
func (w *PruneWorker) Work(ctx context.Context, job *river.Job[PruneArgs]) error {
	_, err := w.Store.Prune(ctx, job.Args.OrgID, time.Now())
	return err
}

// pruneBatch bounds one delete statement, so a large backlog never holds a
// long transaction.
const pruneBatch = 5000

// Prune deletes the organization's keys expired at now and returns how many.
func (s *Store) Prune(ctx context.Context, orgID realty.ID, now time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := postgres.Tx(ctx, s.pool, realty.System(orgID), func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `DELETE FROM app.idempotency_keys WHERE organization_id = $1 AND id IN (
				SELECT id FROM app.idempotency_keys WHERE organization_id = $1 AND expires_at <= $2 LIMIT $3)`, orgID, now, pruneBatch)
			n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("prune idempotency keys: %w", err)
		}
		if total += n; n < pruneBatch {
			return total, nil
		}
	}
}
