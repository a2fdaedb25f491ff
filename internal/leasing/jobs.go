package leasing

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/ledger"
	"realty/internal/org"
)

// Expired is what one expiry pass did: leases expired (their units freed)
// and leases rolled over to month-to-month successors.
type Expired struct {
	Expired    int `json:"expired"`
	RolledOver int `json:"rolled_over"`
}

// ExpireDue ends the organization's active fixed leases whose end date is
// before today in the organization's time zone: one without auto_renew
// becomes expired and frees its unit; one with auto_renew is renewed into
// an active month-to-month successor from the day after its end, with its
// increase applied (the unit stays occupied). Month-to-month leases never
// expire here. Each lease changes in its own transaction, so one failure
// leaves the others done; running it again changes nothing more.
// Forbidden without lease.manage.
func (s *Service) ExpireDue(ctx context.Context, actor realty.Actor) (Expired, error) {
	var out Expired
	if err := actor.Require("lease.manage"); err != nil {
		return out, err
	}
	var due []Lease
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		o, err := org.OrganizationTx(ctx, tx, actor)
		if err != nil {
			return err
		}
		today, err := ledger.AccountingDate(s.now(), o.TimeZone)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+leaseColumns+` FROM leasing.leases l WHERE l.organization_id = $1
			AND l.status = 'active' AND l.lease_type = 'fixed' AND l.end_date < $2 ORDER BY l.end_date, l.id`, actor.OrgID, today)
		if err != nil {
			return err
		}
		due, err = pgx.CollectRows(rows, pgx.RowToStructByName[Lease])
		return err
	})
	for _, l := range due {
		if err != nil {
			break
		}
		if l.AutoRenew {
			_, err = s.Renew(ctx, actor, l.ID, RenewInput{LeaseType: "month_to_month", Activate: true})
			out.RolledOver++
		} else {
			err = s.expire(ctx, actor, l.ID)
			out.Expired++
		}
	}
	return out, err
}

// expire marks an active lease expired and frees its unit.
func (s *Service) expire(ctx context.Context, actor realty.Actor, id realty.ID) error {
	return s.tx(ctx, actor, func(tx pgx.Tx) error {
		l, err := leaseTx(ctx, tx, actor, id, true)
		if err != nil || l.Status != "active" {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leasing.leases SET status = 'expired' WHERE organization_id = $1 AND id = $2`,
			actor.OrgID, id); err != nil {
			return err
		}
		return freeUnitTx(ctx, tx, actor, l.UnitID)
	})
}

// ExpiryArgs is the periodic job that runs ExpireDue for every
// organization.
type ExpiryArgs struct{}

// Kind names the job in River.
func (ExpiryArgs) Kind() string { return "leasing.expire" }

// InsertOpts make the job unique per hour.
func (ExpiryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// ExpiryWorker runs ExpireDue as realty.System of each organization in
// turn; ExpireDue is idempotent, so a retried job does no harm.
type ExpiryWorker struct {
	river.WorkerDefaults[ExpiryArgs]
	Leasing *Service
}

// Work expires every organization's due leases; an error makes River retry.
func (w *ExpiryWorker) Work(ctx context.Context, _ *river.Job[ExpiryArgs]) error {
	return org.EachOrganization(ctx, w.Leasing.pool, func(id realty.ID) error {
		if _, err := w.Leasing.ExpireDue(ctx, realty.System(id)); err != nil {
			return fmt.Errorf("expire leases of %s: %w", id, err)
		}
		return nil
	})
}

// PeriodicJobs are the leasing domain's scheduled jobs: lease expiry,
// hourly (organizations' days start at different instants) and at start.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return ExpiryArgs{}, nil },
			&river.PeriodicJobOpts{ID: "leasing.expire", RunOnStart: true}),
	}
}
