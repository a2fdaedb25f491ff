package messaging

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"realty"
)

// DeliverArgs is the job that sends one delivery.
type DeliverArgs struct {
	OrganizationID realty.ID `json:"organization_id"`
	DeliveryID     realty.ID `json:"delivery_id"`
	// Replay tells a replay's job from the delivery's first (River keeps
	// one job per set of arguments).
	Replay int64 `json:"replay,omitempty"`
}

// Kind names the job in River.
func (DeliverArgs) Kind() string { return "messaging.deliver" }

// InsertOpts keep one job per delivery. Retries of a failed send are
// snoozes (Options.Backoff), which River does not count; its own attempts
// only cover a database out of reach.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DeliverWorker sends deliveries.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Messaging *Service
}

// Work makes one attempt and sleeps until the next one is due.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	a, err := w.Messaging.Deliver(ctx, job.Args.OrganizationID, job.Args.DeliveryID)
	if err != nil {
		return err
	}
	if !a.RetryAt.IsZero() {
		return river.JobSnooze(max(time.Until(a.RetryAt), 0))
	}
	return nil
}
