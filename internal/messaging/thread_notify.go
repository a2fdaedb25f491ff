package messaging

import (
	"bytes"
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"

	"realty"
)

// errNoAudience is what an unwired Audience answers.
var errNoAudience = errors.New("messaging: no audience configured (Options.Audience)")

type noAudience struct{}

func (noAudience) ResidentTx(context.Context, pgx.Tx, realty.Actor, realty.ID) (Resident, error) {
	return Resident{}, errNoAudience
}

func (noAudience) ResidentsTx(context.Context, pgx.Tx, realty.Actor, Scope) ([]Resident, error) {
	return nil, errNoAudience
}

func (noAudience) PropertiesTx(context.Context, pgx.Tx, realty.Actor, realty.ID) ([]realty.ID, error) {
	return nil, errNoAudience
}

func (s *Service) audience() Audience {
	if s.opt.Audience == nil {
		return noAudience{}
	}
	return s.opt.Audience
}

// tellOtherSide notifies of message m in thread t: a staff message its
// tenant (the resident member per their preferences, or the tenant's own
// e-mail address when no member is linked), a resident's message every
// staff member who wrote in the thread or started it — or, while no staff
// member has (a thread the resident started), the property's staff: the
// members holding message.send for a property the tenant leases in
// (propertyStaffTx). A vendor is not told here: vendors' addresses belong
// to maintenance, which wires that.
func (s *Service) tellOtherSide(ctx context.Context, tx pgx.Tx, actor realty.Actor, t Thread, m Message) error {
	data := map[string]any{"title": t.Subject, "thread_id": t.ID.String(), "excerpt": excerpt(m.Body)}
	if m.FromStaff {
		if t.TenantID == nil {
			return nil
		}
		r, err := s.audience().ResidentTx(ctx, tx, actor, *t.TenantID)
		if err != nil {
			return err
		}
		data["name"], data["link"] = "your property manager", s.opt.PublicURL+"/resident/messages/"+t.ID.String()
		_, err = s.tellResident(ctx, tx, actor, r, "message.new", "message:"+m.ID.String(), data)
		return err
	}
	r, err := s.audience().ResidentTx(ctx, tx, actor, *t.TenantID)
	if err != nil {
		return err
	}
	data["name"], data["link"] = r.Name, s.opt.PublicURL+"/messages/"+t.ID.String()
	rows, err := tx.Query(ctx, `SELECT DISTINCT sender_id FROM messaging.thread_messages
		WHERE organization_id = $1 AND thread_id = $2 AND from_staff AND sender_id <> $3`, actor.OrgID, t.ID, actor.MemberID)
	if err != nil {
		return err
	}
	staff, err := pgx.CollectRows(rows, pgx.RowTo[realty.ID])
	if err != nil {
		return err
	}
	if t.CreatedBy != actor.MemberID && !slices.Contains(staff, t.CreatedBy) {
		staff = append(staff, t.CreatedBy)
	}
	if len(staff) == 0 {
		if staff, err = s.propertyStaffTx(ctx, tx, actor, *t.TenantID); err != nil {
			return err
		}
	}
	for _, member := range staff {
		if _, err := s.NotifyTx(ctx, tx, actor, Notice{Recipient: member, Kind: "message.new", Payload: data}); err != nil {
			return err
		}
	}
	return nil
}

// tellResident notifies a tenant of kind: the resident member as their
// preferences say, or, with no member linked, an e-mail to the tenant's own
// address (keyed by key, so it is queued once) when they have one.
func (s *Service) tellResident(ctx context.Context, tx pgx.Tx, actor realty.Actor, r Resident, kind, key string, data map[string]any) (Notified, error) {
	if r.MemberID != nil {
		return s.NotifyTx(ctx, tx, actor, Notice{Recipient: *r.MemberID, Kind: kind, Payload: data})
	}
	if r.Email == nil {
		return Notified{}, nil
	}
	d, err := s.EnqueueTx(ctx, tx, actor, Email{To: *r.Email, Kind: kind, Key: key, Data: data})
	return Notified{Delivery: &d}, err
}

// excerpt is the start of a message body for a notice.
func excerpt(body string) string {
	r := []rune(body)
	if len(r) <= 200 {
		return body
	}
	return string(r[:200]) + "…"
}

// propertyStaffTx is whom a resident's thread goes to while no staff
// member has written in it: the members holding message.send for any
// property the tenant leases in (org.Service.HoldersTx: organization-wide
// ones and those scoped to the property), each once, in id order.
func (s *Service) propertyStaffTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenant realty.ID) ([]realty.ID, error) {
	props, err := s.audience().PropertiesTx(ctx, tx, actor, tenant)
	if err != nil {
		return nil, err
	}
	var out []realty.ID
	for _, p := range props {
		holders, err := s.org.HoldersTx(ctx, tx, actor, "message.send", p)
		if err != nil {
			return nil, err
		}
		for _, m := range holders {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, func(a, b realty.ID) int { return bytes.Compare(a[:], b[:]) })
	return out, nil
}
