package crm

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Appointment is a showing, meeting, inspection, open house or call of one
// agent, perhaps with a client and about a listing or property. Its times
// are instants; TimeZone is the organization's, for showing them locally.
type Appointment struct {
	ID                 realty.ID  `db:"id" json:"id"`
	AgentID            realty.ID  `db:"agent_id" json:"agent_id" doc:"the member whose time it takes"`
	ClientID           *realty.ID `db:"client_id" json:"client_id,omitempty"`
	ListingID          *realty.ID `db:"listing_id" json:"listing_id,omitempty"`
	PropertyID         *realty.ID `db:"property_id" json:"property_id,omitempty"`
	Kind               string     `db:"kind" json:"kind" enum:"showing,meeting,inspection,open_house,call"`
	Title              string     `db:"title" json:"title"`
	Notes              *string    `db:"notes" json:"notes,omitempty"`
	Location           *string    `db:"location" json:"location,omitempty"`
	StartsAt           time.Time  `db:"starts_at" json:"starts_at"`
	EndsAt             time.Time  `db:"ends_at" json:"ends_at" doc:"exclusive: another appointment may start at this instant"`
	Status             string     `db:"status" json:"status" enum:"scheduled,confirmed,completed,canceled,no_show"`
	CancellationReason *string    `db:"cancellation_reason" json:"cancellation_reason,omitempty"`
	CreatedBy          *realty.ID `db:"created_by" json:"created_by,omitempty"`
	Version            int        `db:"version" json:"version" doc:"grows with every change; send it back (or If-Match) to change what you read"`
	CreatedAt          time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt          time.Time  `db:"updated_at" json:"updated_at"`
	TimeZone           string     `db:"-" json:"time_zone" doc:"the organization's IANA time zone, to show the times locally"`
}

// AppointmentKinds and AppointmentStatuses are the values an appointment's
// kind and status take.
var (
	AppointmentKinds    = []string{"showing", "meeting", "inspection", "open_house", "call"}
	AppointmentStatuses = []string{"scheduled", "confirmed", "completed", "canceled", "no_show"}
)

const appointmentColumns = `a.id, a.agent_id, a.client_id, a.listing_id, a.property_id, a.kind, a.title, a.notes, a.location,
	a.starts_at, a.ends_at, a.status, a.cancellation_reason, a.created_by, a.version, a.created_at, a.updated_at`

// appointmentScope is the WHERE of every appointment read and write: the
// organization, and the actor's own appointments unless they see all.
const appointmentScope = `a.organization_id = @org AND (@all::bool OR a.agent_id = @me)`

var errAppointmentNotFound = &realty.Error{Kind: realty.NotFound, Message: "appointment not found"}

// AppointmentInput is what booking an appointment takes; a nil AgentID is
// the actor.
type AppointmentInput struct {
	AgentID    *realty.ID
	ClientID   *realty.ID
	ListingID  *realty.ID
	PropertyID *realty.ID
	Kind       string
	Title      string
	Notes      string
	Location   string
	StartsAt   time.Time
	EndsAt     time.Time
}

func (in *AppointmentInput) validate() error {
	if in.Title = strings.TrimSpace(in.Title); in.Title == "" {
		return realty.FieldError("title", "is required")
	}
	if !oneOf(in.Kind, AppointmentKinds) {
		return realty.FieldError("kind", "must be showing, meeting, inspection, open_house or call")
	}
	return checkTimes(in.StartsAt, in.EndsAt)
}

func checkTimes(starts, ends time.Time) error {
	switch {
	case starts.IsZero():
		return realty.FieldError("starts_at", "is required")
	case ends.IsZero():
		return realty.FieldError("ends_at", "is required")
	case !ends.After(starts):
		return realty.FieldError("ends_at", "must be after starts_at")
	case ends.Sub(starts) > 7*24*time.Hour:
		return realty.FieldError("ends_at", "an appointment lasts at most 7 days")
	}
	return nil
}

// Book adds a scheduled appointment and returns it. An agent books for
// themself; booking for another member needs client.manage, and tells that
// member. Forbidden without client.write, or for another agent without
// client.manage; Invalid naming agent_id, client_id (a client the actor may
// not see), listing_id, property_id, kind, title, starts_at or ends_at;
// Conflict naming the clashing appointment (its id, start and end) when the
// agent already has a non-canceled appointment overlapping the slot.
func (s *Service) Book(ctx context.Context, actor realty.Actor, in AppointmentInput) (Appointment, error) {
	if err := actor.Require("client.write"); err != nil {
		return Appointment{}, err
	}
	if in.AgentID == nil {
		in.AgentID = me(actor)
	}
	if in.AgentID == nil {
		return Appointment{}, realty.FieldError("agent_id", "is required")
	}
	if *in.AgentID != actor.MemberID && !seesAll(actor) {
		return Appointment{}, &realty.Error{Kind: realty.Forbidden, Message: "only a member holding client.manage books for others"}
	}
	if err := in.validate(); err != nil {
		return Appointment{}, err
	}
	loc := s.location(ctx, actor) // read before the transaction: it takes a connection of its own
	var out Appointment
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if in.ClientID != nil {
			if _, err := lockClient(ctx, tx, actor, *in.ClientID); err != nil {
				return realty.FieldError("client_id", "no such client")
			}
		}
		rows, err := tx.Query(ctx, `INSERT INTO crm.appointments AS a (organization_id, id, agent_id, client_id, listing_id, property_id,
			kind, title, notes, location, starts_at, ends_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING `+appointmentColumns,
			actor.OrgID, realty.NewID(), in.AgentID, in.ClientID, in.ListingID, in.PropertyID, in.Kind, in.Title,
			optional(in.Notes), optional(in.Location), in.StartsAt, in.EndsAt, me(actor))
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Appointment]); err != nil {
			return err
		}
		if in.ClientID != nil {
			if err := s.rescoreTx(ctx, tx, actor, *in.ClientID); err != nil {
				return err
			}
		}
		return s.announceAppointment(ctx, tx, actor, out, "appointment.booked", loc)
	})
	if err != nil {
		return Appointment{}, s.clash(ctx, actor, *in.AgentID, nil, in.StartsAt, in.EndsAt, err)
	}
	return zoned(out, loc), nil
}

// Appointment returns one appointment. Forbidden without client.read;
// NotFound for another organization's, or another agent's when the actor
// sees only their own.
func (s *Service) Appointment(ctx context.Context, actor realty.Actor, id realty.ID) (Appointment, error) {
	if err := actor.Require("client.read"); err != nil {
		return Appointment{}, err
	}
	args := scopeArgs(actor)
	args["id"] = id
	items, err := postgres.ReadAll[Appointment](ctx, s.pool, actor, `SELECT `+appointmentColumns+` FROM crm.appointments a
		WHERE `+appointmentScope+` AND a.id = @id`, pgx.NamedArgs(args))
	if err != nil {
		return Appointment{}, err
	}
	if len(items) == 0 {
		return Appointment{}, errAppointmentNotFound
	}
	return zoned(items[0], s.location(ctx, actor)), nil
}

// zoned fills the organization's time zone into an appointment.
func zoned(a Appointment, loc *time.Location) Appointment {
	a.TimeZone = loc.String()
	return a
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"crm.appointments_kind_check":                {Kind: realty.Invalid, Field: "kind", Message: "must be showing, meeting, inspection, open_house or call"},
		"crm.appointments_title_check":               {Kind: realty.Invalid, Field: "title", Message: "must be 1 to 200 characters"},
		"crm.appointments_notes_check":               {Kind: realty.Invalid, Field: "notes", Message: "must be at most 4000 characters"},
		"crm.appointments_location_check":            {Kind: realty.Invalid, Field: "location", Message: "must be at most 500 characters"},
		"crm.appointments_status_check":              {Kind: realty.Invalid, Field: "status", Message: "must be scheduled, confirmed, completed, canceled or no_show"},
		"crm.appointments_cancellation_reason_check": {Kind: realty.Invalid, Field: "cancellation_reason", Message: "must be at most 500 characters"},
		"crm.appointments_canceled_check":            {Kind: realty.Invalid, Field: "cancellation_reason", Message: "is required to cancel"},
		"crm.appointments_time_check":                {Kind: realty.Invalid, Field: "ends_at", Message: "must be after starts_at"},
		"crm.appointments_no_overlap":                {Kind: realty.Conflict, Field: "starts_at", Message: "the agent has another appointment at that time"},
		"crm.appointments_agent_fkey":                {Kind: realty.Invalid, Field: "agent_id", Message: "no such member"},
		"crm.appointments_client_fkey":               {Kind: realty.Invalid, Field: "client_id", Message: "no such client"},
		"crm.appointments_property_fkey":             {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"crm.appointments_listing_fkey":              {Kind: realty.Invalid, Field: "listing_id", Message: "no such listing"},
	})
}
