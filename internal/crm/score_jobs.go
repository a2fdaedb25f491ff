package crm

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"realty"
	"realty/internal/org"
)

// RescoreArgs is the job that recomputes one client's score after one of
// its inputs changed.
type RescoreArgs struct {
	OrganizationID realty.ID `json:"organization_id"`
	ClientID       realty.ID `json:"client_id"`
	// Generation is the client's score_generation the change saw: the
	// recompute that will make the next one.
	Generation int `json:"generation"`
}

// Kind names the job in River.
func (RescoreArgs) Kind() string { return "crm.rescore" }

// InsertOpts keep one job per client and score generation, so a burst of
// changes (an import of interactions, a merge) collapses into one
// recompute. Each change holds the client's row lock when it reads the
// generation, and the recompute takes the same lock before it reads and
// bumps the generation: a change that saw generation g either committed
// before recompute g read anything, or waited for it and so saw g+1 and
// enqueued the next recompute. No change goes unscored, even while a
// finished job is not yet marked completed.
func (RescoreArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// RescoreWorker runs RescoreArgs.
type RescoreWorker struct {
	river.WorkerDefaults[RescoreArgs]
	CRM *Service
}

// Work recomputes the client's score; an error makes River retry.
func (w *RescoreWorker) Work(ctx context.Context, job *river.Job[RescoreArgs]) error {
	return w.CRM.Rescore(ctx, job.Args.OrganizationID, job.Args.ClientID)
}

// rescoreTx enqueues the client's recompute in the transaction that changed
// one of its inputs, so the job exists exactly when the change does; the
// caller holds the client's row lock (see InsertOpts). A
// service wired without jobs (some tests) enqueues nothing.
func (s *Service) rescoreTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, client realty.ID) error {
	if s.jobs == nil {
		return nil
	}
	var gen int
	if err := tx.QueryRow(ctx, `SELECT score_generation FROM crm.clients WHERE organization_id = $1 AND id = $2`,
		actor.OrgID, client).Scan(&gen); err != nil {
		return err
	}
	if _, err := s.jobs.InsertTx(ctx, tx, RescoreArgs{OrganizationID: actor.OrgID, ClientID: client, Generation: gen}, nil); err != nil {
		return fmt.Errorf("enqueue rescore: %w", err)
	}
	return nil
}

// rescoreLockedTx locks the client's row and enqueues its recompute, for
// changes made through another row (an appointment, a match) that did not
// lock the client already. The client is locked whatever the actor's
// scope: the change was allowed on the row that links them.
func (s *Service) rescoreLockedTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, client *realty.ID) error {
	if client == nil || s.jobs == nil {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM crm.clients WHERE organization_id = $1 AND id = $2 FOR UPDATE`, actor.OrgID, *client); err != nil {
		return err
	}
	return s.rescoreTx(ctx, tx, actor, *client)
}

// lockClientOf locks the client a match or appointment (query reads its
// client_id by organization and id) belongs to, before the row itself is
// changed: clients are locked before their rows everywhere (a merge locks
// the clients, then moves their rows), so the two never deadlock. A row
// without a client, or none, locks nothing.
func lockClientOf(ctx context.Context, tx pgx.Tx, org, id realty.ID, query string) error {
	var client *realty.ID
	if err := tx.QueryRow(ctx, query, org, id).Scan(&client); err != nil && err != pgx.ErrNoRows {
		return err
	}
	if client == nil {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT 1 FROM crm.clients WHERE organization_id = $1 AND id = $2 FOR UPDATE`, org, *client)
	return err
}

// RescoreOrgArgs is the job that recomputes every client's score of one
// organization (the nightly decay).
type RescoreOrgArgs struct {
	OrganizationID realty.ID `json:"organization_id"`
}

// Kind names the job in River.
func (RescoreOrgArgs) Kind() string { return "crm.rescore_organization" }

// InsertOpts keep one job per organization and half day.
func (RescoreOrgArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 12 * time.Hour}}
}

// RescoreOrgWorker runs RescoreOrgArgs.
type RescoreOrgWorker struct {
	river.WorkerDefaults[RescoreOrgArgs]
	CRM *Service
}

// Timeout allows a large organization's clients time to be scored, and
// stays below the rescuer's default REALTY_JOB_RESCUE_AFTER (10 minutes),
// so a run still at work is never taken for lost.
func (w *RescoreOrgWorker) Timeout(*river.Job[RescoreOrgArgs]) time.Duration { return 9 * time.Minute }

// Work rescores the organization's clients.
func (w *RescoreOrgWorker) Work(ctx context.Context, job *river.Job[RescoreOrgArgs]) error {
	_, err := w.CRM.RescoreAll(ctx, job.Args.OrganizationID)
	return err
}

// NightlyScoresArgs is the periodic job that enqueues each organization's
// rescore.
type NightlyScoresArgs struct{}

// Kind names the job in River.
func (NightlyScoresArgs) Kind() string { return "crm.nightly_scores" }

// InsertOpts make the job unique per day, so restarts and several servers
// never pile copies up.
func (NightlyScoresArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
}

// NightlyScoresWorker fans the nightly rescore out, one job per
// organization.
type NightlyScoresWorker struct {
	river.WorkerDefaults[NightlyScoresArgs]
	CRM *Service
}

// Work enqueues RescoreOrgArgs for every organization.
func (w *NightlyScoresWorker) Work(ctx context.Context, _ *river.Job[NightlyScoresArgs]) error {
	return org.EachOrganization(ctx, w.CRM.pool, func(id realty.ID) error {
		_, err := w.CRM.jobs.Insert(ctx, RescoreOrgArgs{OrganizationID: id}, nil)
		return err
	})
}

// PeriodicJobs are the CRM's scheduled jobs: the nightly rescore (daily,
// first at start) and the task reminders (every ReminderEvery).
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return NightlyScoresArgs{}, nil },
			&river.PeriodicJobOpts{ID: "crm.nightly_scores", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(ReminderEvery),
			func() (river.JobArgs, *river.InsertOpts) { return TaskRemindersArgs{}, nil },
			&river.PeriodicJobOpts{ID: "crm.task_reminders", RunOnStart: true}),
	}
}
