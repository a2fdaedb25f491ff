package cli

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"realty/internal/app"
	"realty/internal/audit"
	"realty/internal/config"
	"realty/internal/crm"
	"realty/internal/deal"
	"realty/internal/idempotency"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/listing"
	"realty/internal/maintenance"
	"realty/internal/messaging"
	"realty/internal/postgres"
)

// stopTimeout bounds each shutdown step.
const stopTimeout = 20 * time.Second

// jobTimeout bounds a job of any kind that sets no timeout of its own;
// River's default, named so the rescue interval's floor is explicit.
const jobTimeout = time.Minute

// startJobs starts River on the runtime pool with every domain's workers and
// periodic jobs.
func startJobs(ctx context.Context, pool *postgres.Pool, svc app.Services, cfg config.Config, log *slog.Logger) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &audit.PartitionWorker{Pool: pool})
	river.AddWorker(workers, &listing.ImportWorker{Imports: svc.Imports, MaxRun: cfg.ImportTimeout})
	river.AddWorker(workers, &messaging.DeliverWorker{Messaging: svc.Messaging})
	river.AddWorker(workers, &messaging.AnnounceWorker{Messaging: svc.Messaging})
	river.AddWorker(workers, &messaging.PasswordResetWorker{Messaging: svc.Messaging})
	river.AddWorker(workers, &crm.ListingChangedWorker{CRM: svc.CRM})
	river.AddWorker(workers, &crm.RematchWorker{CRM: svc.CRM})
	river.AddWorker(workers, &crm.DigestWorker{CRM: svc.CRM})
	river.AddWorker(workers, &crm.RescoreWorker{CRM: svc.CRM})
	river.AddWorker(workers, &crm.RescoreOrgWorker{CRM: svc.CRM})
	river.AddWorker(workers, &crm.NightlyScoresWorker{CRM: svc.CRM})
	river.AddWorker(workers, &crm.TaskRemindersWorker{CRM: svc.CRM})
	river.AddWorker(workers, &idempotency.PruneWorker{Store: svc.Idempotency})
	river.AddWorker(workers, &leasing.ExpiryWorker{Leasing: svc.Leasing})
	river.AddWorker(workers, &leasing.BillingWorker{Leasing: svc.Leasing})
	river.AddWorker(workers, &leasing.BillingScheduleWorker{Leasing: svc.Leasing})
	river.AddWorker(workers, &maintenance.OverdueWorker{Maintenance: svc.Maintenance})
	river.AddWorker(workers, &ledger.DueReportsWorker{Ledger: svc.Ledger})
	river.AddWorker(workers, &ledger.SummaryWorker{Ledger: svc.Ledger})
	river.AddWorker(workers, &deal.MilestonesWorker{Deal: svc.Deal, Orgs: svc.Org, Notify: svc.Messaging})
	client, err := river.NewClient(riverpgxv5.New(pool), riverConfig(workers, jobTimeout, cfg.JobRescueAfter, log))
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

// riverConfig is River's configuration for realty's workers: timeout bounds
// a job of a kind without a timeout of its own. A job whose process was
// killed stays running in the database until River's rescuer (every 30
// seconds, on the leader) finds it running for rescueAfter and past its
// kind's timeout, then retries it. rescueAfter must not be below any kind's
// timeout (River refuses one below timeout; config.Validate sees to the
// import's), or the rescuer would retry jobs still at work.
func riverConfig(workers *river.Workers, timeout, rescueAfter time.Duration, log *slog.Logger) *river.Config {
	return &river.Config{
		Schema:               postgres.RiverSchema,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:              workers,
		PeriodicJobs:         slices.Concat(audit.PeriodicJobs(), crm.PeriodicJobs(), leasing.PeriodicJobs(), ledger.PeriodicJobs(), maintenance.PeriodicJobs(), deal.MilestonePeriodicJobs()),
		JobTimeout:           timeout,
		RescueStuckJobsAfter: rescueAfter,
		Logger:               log.With("component", "river"),
	}
}
