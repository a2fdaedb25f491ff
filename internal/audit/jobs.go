package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"realty/internal/postgres"
)

// MonthsAhead is how many months of audit.changes partitions exist ahead of
// the current one.
const MonthsAhead = 2

// PartitionArgs is the job that creates audit.changes partitions ahead.
type PartitionArgs struct{}

// Kind names the job in River.
func (PartitionArgs) Kind() string { return "audit.ensure_partitions" }

// InsertOpts make the job unique per day, so restarts and several servers
// never pile copies up.
func (PartitionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
}

// PartitionWorker creates next months' partitions of audit.changes. The
// database function is idempotent, so a retried job does no harm.
type PartitionWorker struct {
	river.WorkerDefaults[PartitionArgs]
	Pool *postgres.Pool
}

// Work runs audit.ensure_partitions; an error makes River retry.
func (w *PartitionWorker) Work(ctx context.Context, _ *river.Job[PartitionArgs]) error {
	if _, err := w.Pool.Exec(ctx, "SELECT audit.ensure_partitions($1)", MonthsAhead); err != nil {
		return fmt.Errorf("ensure audit partitions: %w", err)
	}
	return nil
}

// PeriodicJobs are the audit domain's scheduled jobs: partitions, daily and at
// start.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PartitionArgs{}, nil },
			&river.PeriodicJobOpts{ID: "audit.ensure_partitions", RunOnStart: true}),
	}
}
