package crm

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// AppointmentPatch changes an appointment; nil fields stay, an empty Notes
// or Location removes it. Version, when set, is the version the caller
// read: the change is refused if someone changed it since.
type AppointmentPatch struct {
	AgentID    *realty.ID
	ClientID   *realty.ID
	ListingID  *realty.ID
	PropertyID *realty.ID
	Kind       *string
	Title      *string
	Notes      *string
	Location   *string
	StartsAt   *time.Time
	EndsAt     *time.Time
	Version    *int
}

// UpdateAppointment changes or reschedules an appointment and returns it
// with its version raised. Forbidden without client.write, or for moving it
// to another agent without client.manage; NotFound as Appointment;
// Conflict naming version when it changed since the caller read it, naming
// status for a canceled appointment, or naming the clashing appointment as
// Book does; Invalid naming the field.
func (s *Service) UpdateAppointment(ctx context.Context, actor realty.Actor, id realty.ID, p AppointmentPatch) (Appointment, error) {
	if err := actor.Require("client.write"); err != nil {
		return Appointment{}, err
	}
	if p.AgentID != nil && *p.AgentID != actor.MemberID && !seesAll(actor) {
		return Appointment{}, &realty.Error{Kind: realty.Forbidden, Message: "only a member holding client.manage books for others"}
	}
	loc := s.location(ctx, actor)
	var out, cur Appointment
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		if cur, err = lockAppointment(ctx, tx, actor, id, p.Version); err != nil {
			return err
		}
		if cur.Status == "canceled" {
			return &realty.Error{Kind: realty.Conflict, Message: "a canceled appointment does not change; book a new one",
				Fields: map[string]string{"status": "is canceled"}}
		}
		in := p.apply(cur)
		if err := in.validate(); err != nil {
			return err
		}
		if in.ClientID != nil && (cur.ClientID == nil || *in.ClientID != *cur.ClientID) {
			if _, err := lockClient(ctx, tx, actor, *in.ClientID); err != nil {
				return realty.FieldError("client_id", "no such client")
			}
		}
		args := scopeArgs(actor)
		for k, v := range map[string]any{"id": id, "agent": in.AgentID, "client": in.ClientID, "listing": in.ListingID,
			"property": in.PropertyID, "kind": in.Kind, "title": in.Title, "notes": optional(in.Notes),
			"location": optional(in.Location), "starts": in.StartsAt, "ends": in.EndsAt} {
			args[k] = v
		}
		out, err = updateAppointment(ctx, tx, `agent_id = @agent, client_id = @client, listing_id = @listing, property_id = @property,
			kind = @kind, title = @title, notes = @notes, location = @location, starts_at = @starts, ends_at = @ends`, args)
		if err != nil {
			return err
		}
		if cur.ClientID != nil && (out.ClientID == nil || *out.ClientID != *cur.ClientID) {
			if err := s.rescoreLockedTx(ctx, tx, actor, cur.ClientID); err != nil {
				return err
			}
		}
		return s.rescoreLockedTx(ctx, tx, actor, out.ClientID)
	})
	if err != nil {
		return Appointment{}, s.clashOnUpdate(ctx, actor, id, p, cur, err)
	}
	return zoned(out, loc), nil
}

// apply returns the appointment's fields with the patch over them.
func (p AppointmentPatch) apply(a Appointment) AppointmentInput {
	in := AppointmentInput{AgentID: &a.AgentID, ClientID: a.ClientID, ListingID: a.ListingID, PropertyID: a.PropertyID,
		Kind: a.Kind, Title: a.Title, Notes: derefOr(a.Notes, ""), Location: derefOr(a.Location, ""),
		StartsAt: a.StartsAt, EndsAt: a.EndsAt}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Kind, p.Kind)
	set(&in.Title, p.Title)
	set(&in.Notes, p.Notes)
	set(&in.Location, p.Location)
	if p.AgentID != nil {
		in.AgentID = p.AgentID
	}
	if p.ClientID != nil {
		in.ClientID = p.ClientID
	}
	if p.ListingID != nil {
		in.ListingID = p.ListingID
	}
	if p.PropertyID != nil {
		in.PropertyID = p.PropertyID
	}
	if p.StartsAt != nil {
		in.StartsAt = *p.StartsAt
	}
	if p.EndsAt != nil {
		in.EndsAt = *p.EndsAt
	}
	return in
}

// appointmentTransitions are the status changes an appointment may make; completed,
// canceled and no_show are final.
var appointmentTransitions = map[string][]string{
	"scheduled": {"confirmed", "completed", "no_show", "canceled"},
	"confirmed": {"completed", "no_show", "canceled"},
}

// SetAppointmentStatus confirms, completes, marks as no-show or cancels an
// appointment (with a reason) and returns it; a canceled appointment frees
// its slot. Forbidden without client.write; NotFound as Appointment;
// Invalid naming status, or cancellation_reason when canceling without
// one; Conflict naming status for a change its status does not allow, or
// naming version when it changed since the caller read it.
func (s *Service) SetAppointmentStatus(ctx context.Context, actor realty.Actor, id realty.ID, status, reason string, version *int) (Appointment, error) {
	if err := actor.Require("client.write"); err != nil {
		return Appointment{}, err
	}
	if !oneOf(status, AppointmentStatuses) || status == "scheduled" {
		return Appointment{}, realty.FieldError("status", "must be confirmed, completed, no_show or canceled")
	}
	reason = strings.TrimSpace(reason)
	if status == "canceled" && reason == "" {
		return Appointment{}, realty.FieldError("cancellation_reason", "is required to cancel")
	}
	if status != "canceled" {
		reason = ""
	}
	loc := s.location(ctx, actor)
	var out Appointment
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := lockClientOf(ctx, tx, actor.OrgID, id,
			`SELECT client_id FROM crm.appointments WHERE organization_id = $1 AND id = $2`); err != nil {
			return err
		}
		cur, err := lockAppointment(ctx, tx, actor, id, version)
		if err != nil {
			return err
		}
		if !oneOf(status, appointmentTransitions[cur.Status]) {
			return &realty.Error{Kind: realty.Conflict, Message: "an appointment that is " + cur.Status + " cannot become " + status,
				Fields: map[string]string{"status": "cannot change from " + cur.Status + " to " + status}}
		}
		args := scopeArgs(actor)
		args["id"], args["status"], args["reason"] = id, status, optional(reason)
		if out, err = updateAppointment(ctx, tx, `status = @status, cancellation_reason = @reason`, args); err != nil {
			return err
		}
		if err := s.rescoreLockedTx(ctx, tx, actor, out.ClientID); err != nil {
			return err
		}
		if status != "canceled" {
			return nil
		}
		return s.announceAppointment(ctx, tx, actor, out, "appointment.canceled", loc)
	})
	if err != nil {
		return Appointment{}, err
	}
	return zoned(out, loc), nil
}

// lockAppointment reads an appointment the actor may change, locked for
// the rest of tx, and checks the version the caller read. NotFound as
// Appointment; Conflict naming version.
func lockAppointment(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, version *int) (Appointment, error) {
	args := scopeArgs(actor)
	args["id"] = id
	rows, err := tx.Query(ctx, `SELECT `+appointmentColumns+` FROM crm.appointments a WHERE `+appointmentScope+` AND a.id = @id FOR UPDATE`,
		pgx.NamedArgs(args))
	if err != nil {
		return Appointment{}, err
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Appointment])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Appointment{}, errAppointmentNotFound
	}
	if err == nil && version != nil && *version != a.Version {
		msg := "changed since version " + strconv.Itoa(*version) + "; it is at version " + strconv.Itoa(a.Version)
		return Appointment{}, &realty.Error{Kind: realty.Conflict, Message: "appointment " + msg, Fields: map[string]string{"version": msg}}
	}
	return a, err
}

// updateAppointment sets columns of the appointment args["id"] within the
// actor's scope, raises its version and returns it.
func updateAppointment(ctx context.Context, tx pgx.Tx, set string, args map[string]any) (Appointment, error) {
	rows, err := tx.Query(ctx, `UPDATE crm.appointments a SET `+set+`, version = a.version + 1
		WHERE `+appointmentScope+` AND a.id = @id RETURNING `+appointmentColumns, pgx.NamedArgs(args))
	if err != nil {
		return Appointment{}, err
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Appointment])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Appointment{}, errAppointmentNotFound
	}
	return a, err
}
