package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/crm"
)

// AppointmentBody is a new appointment.
type AppointmentBody struct {
	AgentID    *realty.ID `json:"agent_id,omitempty" doc:"default: the caller; another member needs client.manage"`
	ClientID   *realty.ID `json:"client_id,omitempty"`
	ListingID  *realty.ID `json:"listing_id,omitempty"`
	PropertyID *realty.ID `json:"property_id,omitempty"`
	Kind       string     `json:"kind" enum:"showing,meeting,inspection,open_house,call"`
	Title      string     `json:"title" maxLength:"200"`
	Notes      string     `json:"notes,omitempty" maxLength:"4000"`
	Location   string     `json:"location,omitempty" maxLength:"500"`
	StartsAt   time.Time  `json:"starts_at" doc:"an instant (RFC 3339 with offset)"`
	EndsAt     time.Time  `json:"ends_at" doc:"an instant after starts_at; the slot is [starts_at, ends_at), so back-to-back appointments do not clash"`
}

// AppointmentPatchBody changes or reschedules an appointment; absent
// fields stay, an empty notes or location removes it.
type AppointmentPatchBody struct {
	AgentID    *realty.ID `json:"agent_id,omitempty" doc:"another member needs client.manage"`
	ClientID   *realty.ID `json:"client_id,omitempty"`
	ListingID  *realty.ID `json:"listing_id,omitempty"`
	PropertyID *realty.ID `json:"property_id,omitempty"`
	Kind       *string    `json:"kind,omitempty" enum:"showing,meeting,inspection,open_house,call"`
	Title      *string    `json:"title,omitempty" maxLength:"200"`
	Notes      *string    `json:"notes,omitempty" maxLength:"4000"`
	Location   *string    `json:"location,omitempty" maxLength:"500"`
	StartsAt   *time.Time `json:"starts_at,omitempty"`
	EndsAt     *time.Time `json:"ends_at,omitempty"`
	Version    *int       `json:"version,omitempty" minimum:"1" maximum:"2147483647" doc:"the version read; refused with 409 if it changed since (If-Match says the same)"`
}

// AppointmentStatusBody changes an appointment's status.
type AppointmentStatusBody struct {
	Status             string `json:"status" enum:"confirmed,completed,no_show,canceled"`
	CancellationReason string `json:"cancellation_reason,omitempty" maxLength:"500" doc:"required to cancel"`
	Version            *int   `json:"version,omitempty" minimum:"1" maximum:"2147483647"`
}

// AppointmentsInput filters the appointment list.
type AppointmentsInput struct {
	Agent  string    `query:"agent" maxLength:"36" doc:"member id of the agent"`
	Client string    `query:"client" maxLength:"36" doc:"client id"`
	Status string    `query:"status" enum:"scheduled,confirmed,completed,canceled,no_show"`
	From   time.Time `query:"from" doc:"keep appointments ending after this instant"`
	To     time.Time `query:"to" doc:"keep appointments starting before this instant"`
	Cursor string    `query:"cursor" maxLength:"500"`
	Limit  int       `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// AppointmentOutput is an appointment and its version as an entity tag.
type AppointmentOutput struct {
	ETag string `header:"ETag"`
	Body crm.Appointment
}

func appointmentOut(a crm.Appointment, err error) (*AppointmentOutput, error) {
	if err != nil {
		return nil, err
	}
	return &AppointmentOutput{ETag: `"` + strconv.Itoa(a.Version) + `"`, Body: a}, nil
}

// expectedVersion is the version a change expects: If-Match ("3", W/"3"
// or 3) or the body's version. Invalid naming If-Match when it is not a
// version or disagrees with the body.
func expectedVersion(ifMatch string, body *int) (*int, error) {
	ifMatch = strings.TrimSpace(ifMatch)
	if ifMatch == "" || ifMatch == "*" {
		return body, nil
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(ifMatch, "W/"), `"`))
	if err != nil || n < 1 {
		return nil, realty.FieldError("If-Match", "must be an appointment's version, as its ETag gives it")
	}
	if body != nil && *body != n {
		return nil, realty.FieldError("If-Match", "differs from version")
	}
	return &n, nil
}

func routeAppointments(a huma.API, d Deps) {
	tags := []string{"Appointments"}
	read, write := Access{Permission: "client.read"}, Access{Permission: "client.write"}
	Register(a, huma.Operation{OperationID: "list-appointments", Method: http.MethodGet, Path: Prefix + "/appointments", Tags: tags,
		Summary: "Appointments", Description: "By start, earliest first. An agent sees their own; client.manage sees every agent's. from/to keep those overlapping the window."},
		read, func(ctx context.Context, in *AppointmentsInput) (*struct{ Body crm.AppointmentPage }, error) {
			f := crm.AppointmentFilter{Status: in.Status, Cursor: in.Cursor, Limit: in.Limit}
			var err error
			if f.AgentID, err = optionalID(in.Agent, "agent"); err != nil {
				return nil, err
			}
			if f.ClientID, err = optionalID(in.Client, "client"); err != nil {
				return nil, err
			}
			if !in.From.IsZero() {
				f.From = &in.From
			}
			if !in.To.IsZero() {
				f.To = &in.To
			}
			p, err := d.CRM.Appointments(ctx, actor(ctx), f)
			return &struct{ Body crm.AppointmentPage }{p}, err
		})
	Register(a, huma.Operation{OperationID: "book-appointment", Method: http.MethodPost, Path: Prefix + "/appointments", Tags: tags,
		Summary: "Book an appointment", Description: "409 names the clashing appointment when the agent is already booked then (canceled appointments do not count).",
		DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *struct{ Body AppointmentBody }) (*AppointmentOutput, error) {
		b := in.Body
		return appointmentOut(d.CRM.Book(ctx, actor(ctx), crm.AppointmentInput{AgentID: b.AgentID, ClientID: b.ClientID,
			ListingID: b.ListingID, PropertyID: b.PropertyID, Kind: b.Kind, Title: b.Title, Notes: b.Notes, Location: b.Location,
			StartsAt: b.StartsAt, EndsAt: b.EndsAt}))
	})
	Register(a, huma.Operation{OperationID: "get-appointment", Method: http.MethodGet, Path: Prefix + "/appointments/{id}", Tags: tags,
		Summary: "One appointment"}, read, func(ctx context.Context, in *IDPath) (*AppointmentOutput, error) {
		return appointmentOut(d.CRM.Appointment(ctx, actor(ctx), in.ID))
	})
	Register(a, huma.Operation{OperationID: "update-appointment", Method: http.MethodPatch, Path: Prefix + "/appointments/{id}", Tags: tags,
		Summary: "Change or reschedule an appointment", Description: "Send the version read (or If-Match with its ETag): 409 if it changed since."},
		write, func(ctx context.Context, in *struct {
			ID      realty.ID `path:"id"`
			IfMatch string    `header:"If-Match" maxLength:"40"`
			Body    AppointmentPatchBody
		}) (*AppointmentOutput, error) {
			b := in.Body
			v, err := expectedVersion(in.IfMatch, b.Version)
			if err != nil {
				return nil, err
			}
			return appointmentOut(d.CRM.UpdateAppointment(ctx, actor(ctx), in.ID, crm.AppointmentPatch{AgentID: b.AgentID,
				ClientID: b.ClientID, ListingID: b.ListingID, PropertyID: b.PropertyID, Kind: b.Kind, Title: b.Title, Notes: b.Notes,
				Location: b.Location, StartsAt: b.StartsAt, EndsAt: b.EndsAt, Version: v}))
		})
	Register(a, huma.Operation{OperationID: "set-appointment-status", Method: http.MethodPost, Path: Prefix + "/appointments/{id}/status", Tags: tags,
		Summary: "Confirm, complete, mark no-show or cancel", Description: "Canceling needs a cancellation_reason and frees the slot; completed, canceled and no_show are final."},
		write, func(ctx context.Context, in *struct {
			ID      realty.ID `path:"id"`
			IfMatch string    `header:"If-Match" maxLength:"40"`
			Body    AppointmentStatusBody
		}) (*AppointmentOutput, error) {
			v, err := expectedVersion(in.IfMatch, in.Body.Version)
			if err != nil {
				return nil, err
			}
			return appointmentOut(d.CRM.SetAppointmentStatus(ctx, actor(ctx), in.ID, in.Body.Status, in.Body.CancellationReason, v))
		})
	routeCalendarFeed(a, d, tags, read)
}

// CalendarFeedOutput is the caller's calendar feed; URL and token only
// when it was just made.
type CalendarFeedOutput struct {
	Body struct {
		crm.CalendarFeed
		URL string `json:"url,omitempty" doc:"the feed's path, to subscribe to from a calendar app (shown once)"`
	}
}

func routeCalendarFeed(a huma.API, d Deps, tags []string, read Access) {
	out := func(f crm.CalendarFeed, err error) (*CalendarFeedOutput, error) {
		if err != nil {
			return nil, err
		}
		o := &CalendarFeedOutput{}
		o.Body.CalendarFeed = f
		if f.Token != "" {
			o.Body.URL = CalendarPath + f.Token + ".ics"
		}
		return o, nil
	}
	Register(a, huma.Operation{OperationID: "get-calendar-feed", Method: http.MethodGet, Path: Prefix + "/calendar-feed", Tags: tags,
		Summary: "Your calendar feed", Description: "Whether you have an iCalendar feed of your appointments, and since when."},
		read, func(ctx context.Context, _ *struct{}) (*CalendarFeedOutput, error) {
			return out(d.CRM.Feed(ctx, actor(ctx)))
		})
	Register(a, huma.Operation{OperationID: "rotate-calendar-feed", Method: http.MethodPost, Path: Prefix + "/calendar-feed", Tags: tags,
		Summary: "Make or rotate your calendar feed", Description: "Returns a new secret feed URL (shown once); the previous one stops working."},
		read, func(ctx context.Context, _ *struct{}) (*CalendarFeedOutput, error) {
			return out(d.CRM.RotateFeed(ctx, actor(ctx)))
		})
	Register(a, huma.Operation{OperationID: "revoke-calendar-feed", Method: http.MethodDelete, Path: Prefix + "/calendar-feed", Tags: tags,
		Summary: "End your calendar feed", DefaultStatus: http.StatusNoContent}, read, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		return nil, d.CRM.RevokeFeed(ctx, actor(ctx))
	})
}
