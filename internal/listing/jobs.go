package listing

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"realty"
)

// ImportArgs is the job that imports an uploaded file.
type ImportArgs struct {
	OrganizationID realty.ID `json:"organization_id"`
	ImportID       realty.ID `json:"import_id"`
}

// Kind names the job in River.
func (ImportArgs) Kind() string { return "listing.import" }

// InsertOpts make the job unique per import while it is waiting or
// running, and retry it a few times: a retried import is harmless by
// construction (rows already imported are found unchanged and left alone).
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ImportWorker runs uploaded imports.
type ImportWorker struct {
	river.WorkerDefaults[ImportArgs]
	Imports *Imports
	// MaxRun bounds one run (DefaultImportTimeout when zero). River
	// retries a run killed with its process only once it has been running
	// this long, so it is minutes, not hours.
	MaxRun time.Duration
}

// DefaultImportTimeout is an import run's bound when none is configured:
// an upload is at most REALTY_MAX_BODY_BYTES (10 MiB by default), tens of
// thousands of rows, which import at thousands of rows a second.
const DefaultImportTimeout = 10 * time.Minute

// Timeout lets a large file take its time (River's default is a minute)
// and no longer.
func (w *ImportWorker) Timeout(*river.Job[ImportArgs]) time.Duration {
	if w.MaxRun > 0 {
		return w.MaxRun
	}
	return DefaultImportTimeout
}

// Work imports the file; an error makes River retry, a cancelled job
// (a refused import) is not retried.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	return w.Imports.Run(ctx, job.Args.OrganizationID, job.Args.ImportID)
}
