package crm

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// noOverlap is the exclusion constraint that keeps one agent's
// non-canceled appointments from overlapping.
const noOverlap = "appointments_no_overlap"

// clash turns a violation of noOverlap by a booking of agent over
// [starts, ends) into a Conflict naming the appointment in the way (its id,
// start and end); any other error passes through. The database decided
// (the constraint holds under any concurrency); this read only names the
// winner, which committed before the violation was reported.
func (s *Service) clash(ctx context.Context, actor realty.Actor, agent realty.ID, except *realty.ID, starts, ends time.Time, err error) error {
	if postgres.ConstraintOf(err) != noOverlap {
		return err
	}
	type other struct {
		ID       realty.ID `db:"id"`
		StartsAt time.Time `db:"starts_at"`
		EndsAt   time.Time `db:"ends_at"`
	}
	found, rerr := postgres.ReadAll[other](ctx, s.pool, actor, `SELECT a.id, a.starts_at, a.ends_at FROM crm.appointments a
		WHERE a.organization_id = $1 AND a.agent_id = $2 AND a.status <> 'canceled' AND ($3::uuid IS NULL OR a.id <> $3)
		  AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange($4, $5, '[)')
		ORDER BY a.starts_at LIMIT 1`, actor.OrgID, agent, except, starts, ends)
	msg := "the agent has another appointment at that time"
	e := &realty.Error{Kind: realty.Conflict, Err: err}
	if rerr == nil && len(found) == 1 {
		o := found[0]
		loc := s.location(ctx, actor)
		msg = "clashes with appointment " + o.ID.String() + " from " + o.StartsAt.In(loc).Format(time.RFC3339) +
			" to " + o.EndsAt.In(loc).Format(time.RFC3339)
	}
	e.Message, e.Fields = msg, map[string]string{"starts_at": msg}
	return e
}

// clashOnUpdate is clash for a change of appointment id from cur by p.
func (s *Service) clashOnUpdate(ctx context.Context, actor realty.Actor, id realty.ID, p AppointmentPatch, cur Appointment, err error) error {
	if postgres.ConstraintOf(err) != noOverlap {
		return err
	}
	in := p.apply(cur)
	return s.clash(ctx, actor, *in.AgentID, &id, in.StartsAt, in.EndsAt, err)
}

// announceAppointment sends event (appointment.booked or
// appointment.canceled) to the webhooks, and tells the agent when someone
// else booked or canceled their time. Times are RFC 3339 in the
// organization's zone loc (instants with their local offset).
func (s *Service) announceAppointment(ctx context.Context, tx pgx.Tx, actor realty.Actor, a Appointment, event string, loc *time.Location) error {
	data := map[string]any{"appointment_id": a.ID, "agent_id": a.AgentID, "kind": a.Kind, "title": a.Title,
		"starts_at": a.StartsAt.In(loc).Format(time.RFC3339), "ends_at": a.EndsAt.In(loc).Format(time.RFC3339),
		"time_zone": loc.String(), "status": a.Status}
	if a.ClientID != nil {
		data["client_id"] = *a.ClientID
	}
	if a.ListingID != nil {
		data["listing_id"] = *a.ListingID
	}
	if a.CancellationReason != nil {
		data["cancellation_reason"] = *a.CancellationReason
	}
	if a.AgentID != actor.MemberID {
		if err := s.announce.NotifyMember(ctx, tx, actor, a.AgentID, event, data); err != nil {
			return err
		}
	}
	return s.announce.Emit(ctx, tx, actor, event, event+":"+a.ID.String(), data)
}
