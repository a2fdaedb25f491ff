package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"realty/internal/app"
	"realty/internal/audit"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// stopTimeout bounds each shutdown step.
const stopTimeout = 20 * time.Second

// startJobs starts River on the runtime pool with every domain's workers and
// periodic jobs.
func startJobs(ctx context.Context, pool *postgres.Pool, svc app.Services, log *slog.Logger) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &audit.PartitionWorker{Pool: pool})
	river.AddWorker(workers, &listing.ImportWorker{Imports: svc.Imports})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Schema:       postgres.RiverSchema,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:      workers,
		PeriodicJobs: audit.PeriodicJobs(),
		Logger:       log.With("component", "river"),
	})
	if err != nil {
		return nil, fmt.Errorf("background jobs: %w", err)
	}
	// The client lives until Stop, not until the signal that cancels ctx, so
	// running jobs get to finish at shutdown.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("start background jobs: %w", err)
	}
	return client, nil
}
