package crm

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// AppointmentFilter selects appointments. From and To keep those that
// overlap [From, To); AgentID one agent's, ClientID one client's, Status
// one status. Lists run by start time, earliest first.
type AppointmentFilter struct {
	AgentID  *realty.ID
	ClientID *realty.ID
	Status   string
	From     *time.Time
	To       *time.Time
	Cursor   string
	Limit    int
}

// AppointmentPage is a page of appointments, with the organization's time
// zone for showing them locally.
type AppointmentPage struct {
	Items      []Appointment `json:"items"`
	TimeZone   string        `json:"time_zone" doc:"the organization's IANA time zone"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// Appointments returns the appointments the actor may see, earliest first,
// a page at a time: an agent sees their own, client.manage every agent's.
// Forbidden without client.read; Invalid naming to (not after from),
// status or cursor.
func (s *Service) Appointments(ctx context.Context, actor realty.Actor, f AppointmentFilter) (AppointmentPage, error) {
	if err := actor.Require("client.read"); err != nil {
		return AppointmentPage{}, err
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		return AppointmentPage{}, realty.FieldError("to", "must be after from")
	}
	if f.Status != "" && !oneOf(f.Status, AppointmentStatuses) {
		return AppointmentPage{}, realty.FieldError("status", "is not an appointment status")
	}
	limit := pageSize(f.Limit)
	args := pgx.NamedArgs(scopeArgs(actor))
	args["limit"] = limit + 1
	where := []string{appointmentScope}
	add := func(cond, name string, v any) { where, args[name] = append(where, cond), v }
	if f.AgentID != nil {
		add("a.agent_id = @agent", "agent", *f.AgentID)
	}
	if f.ClientID != nil {
		add("a.client_id = @client", "client", *f.ClientID)
	}
	if f.Status != "" {
		add("a.status = @status", "status", f.Status)
	}
	if f.From != nil {
		add("a.ends_at > @from", "from", *f.From)
	}
	if f.To != nil {
		add("a.starts_at < @to", "to", *f.To)
	}
	if f.Cursor != "" {
		var at time.Time
		var id realty.ID
		if err := postgres.DecodeCursor(f.Cursor, &at, &id); err != nil {
			return AppointmentPage{}, err
		}
		add("(a.starts_at, a.id) > (@c_at, @c_id)", "c_at", at)
		args["c_id"] = id
	}
	items, err := postgres.ReadAll[Appointment](ctx, s.pool, actor, `SELECT `+appointmentColumns+` FROM crm.appointments a
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.starts_at, a.id LIMIT @limit`, args)
	if err != nil {
		return AppointmentPage{}, err
	}
	zone := s.location(ctx, actor).String()
	p := AppointmentPage{Items: items, TimeZone: zone}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.NextCursor = postgres.EncodeCursor(last.StartsAt, last.ID)
	}
	for i := range p.Items {
		p.Items[i].TimeZone = zone
	}
	if p.Items == nil {
		p.Items = []Appointment{}
	}
	return p, nil
}
