package crm

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// RematchArgs rescores one preference (PreferenceID set) or every
// preference of the organization, resuming after After.
type RematchArgs struct {
	OrganizationID realty.ID  `json:"organization_id"`
	PreferenceID   *realty.ID `json:"preference_id,omitempty"`
	After          realty.ID  `json:"after"`
	// Run tells one request's job from another's.
	Run realty.ID `json:"run"`
}

// Kind names the job in River.
func (RematchArgs) Kind() string { return "crm.rematch" }

// InsertOpts retry a failed rematch; rescoring is idempotent.
func (RematchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// DigestArgs sends a preference's digest of new matches when it is due.
type DigestArgs struct {
	OrganizationID realty.ID `json:"organization_id"`
	PreferenceID   realty.ID `json:"preference_id"`
	Due            time.Time `json:"due"`
}

// Kind names the job in River.
func (DigestArgs) Kind() string { return "crm.match_digest" }

// InsertOpts keep one digest job per preference and period.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// queueRematch enqueues the rematch of one preference, or of the whole
// organization (preference nil), in tx.
func (s *Service) queueRematch(ctx context.Context, tx pgx.Tx, org realty.ID, preference *realty.ID) error {
	if s.jobs == nil {
		return nil
	}
	if _, err := s.jobs.InsertTx(ctx, tx, RematchArgs{OrganizationID: org, PreferenceID: preference, Run: realty.NewID()}, nil); err != nil {
		return fmt.Errorf("queue rematch: %w", err)
	}
	return nil
}

// RematchBudget is how long one full-rematch job runs before it hands the
// rest to a job of its own (so a long rematch survives restarts and never
// hits the job timeout).
const RematchBudget = 30 * time.Second

// ListingChangedWorker matches a listing that was created or changed (or
// the whole organization after an import) and sends the
// listing.price_changed and listing.status_changed webhook events.
type ListingChangedWorker struct {
	river.WorkerDefaults[listing.ChangedArgs]
	CRM *Service
}

// Work runs the match.
func (w *ListingChangedWorker) Work(ctx context.Context, job *river.Job[listing.ChangedArgs]) error {
	a := job.Args
	if a.All || a.ListingID == nil {
		return w.CRM.continueRematch(ctx, RematchArgs{OrganizationID: a.OrganizationID, Run: a.Change})
	}
	if err := w.CRM.announceListing(ctx, a); err != nil {
		return err
	}
	_, err := w.CRM.MatchListing(ctx, a.OrganizationID, *a.ListingID)
	return err
}

// RematchWorker runs rematches.
type RematchWorker struct {
	river.WorkerDefaults[RematchArgs]
	CRM *Service
}

// Work rescores a preference, or runs a budget of the organization's
// rematch and enqueues the rest.
func (w *RematchWorker) Work(ctx context.Context, job *river.Job[RematchArgs]) error {
	if job.Args.PreferenceID != nil {
		_, _, err := w.CRM.RematchPreference(ctx, job.Args.OrganizationID, *job.Args.PreferenceID)
		return err
	}
	return w.CRM.continueRematch(ctx, job.Args)
}

func (s *Service) continueRematch(ctx context.Context, a RematchArgs) error {
	res, err := s.Rematch(ctx, a.OrganizationID, a.After, RematchBudget)
	if err != nil || res.Done || s.jobs == nil {
		return err
	}
	_, err = s.jobs.Insert(ctx, RematchArgs{OrganizationID: a.OrganizationID, After: res.Next, Run: a.Run}, nil)
	return err
}

// DigestWorker sends digests.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	CRM *Service
}

// Work sends the digest.
func (w *DigestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	_, err := w.CRM.Digest(ctx, job.Args.OrganizationID, job.Args.PreferenceID)
	return err
}

// announceListing sends the webhook events of a listing's price or status
// change, once per change.
func (s *Service) announceListing(ctx context.Context, a listing.ChangedArgs) error {
	if a.PriceTo == "" && a.StatusTo == "" {
		return nil
	}
	sys := realty.System(a.OrganizationID)
	return postgres.Tx(ctx, s.pool, sys, func(tx pgx.Tx) error {
		if a.PriceTo != "" {
			data := map[string]any{"listing_id": *a.ListingID, "from": a.PriceFrom, "to": a.PriceTo}
			if err := s.announce.Emit(ctx, tx, sys, "listing.price_changed", "listing.price_changed:"+a.Change.String(), data); err != nil {
				return err
			}
		}
		if a.StatusTo != "" {
			data := map[string]any{"listing_id": *a.ListingID, "from": a.StatusFrom, "to": a.StatusTo}
			return s.announce.Emit(ctx, tx, sys, "listing.status_changed", "listing.status_changed:"+a.Change.String(), data)
		}
		return nil
	})
}
