package messaging

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Thread is a conversation between staff and one tenant or one vendor.
type Thread struct {
	ID            realty.ID  `db:"id" json:"id"`
	Subject       string     `db:"subject" json:"subject"`
	TenantID      *realty.ID `db:"tenant_id" json:"tenant_id,omitempty"`
	VendorID      *realty.ID `db:"vendor_id" json:"vendor_id,omitempty"`
	CreatedBy     realty.ID  `db:"created_by" json:"created_by"`
	LastMessageAt time.Time  `db:"last_message_at" json:"last_message_at"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	Unread        int        `db:"unread" json:"unread" doc:"messages from others the caller has not read"`
}

// Message is one message of a thread.
type Message struct {
	ID        realty.ID `db:"id" json:"id"`
	ThreadID  realty.ID `db:"thread_id" json:"thread_id"`
	SenderID  realty.ID `db:"sender_id" json:"sender_id" doc:"the member who wrote it (staff or the resident)"`
	FromStaff bool      `db:"from_staff" json:"from_staff"`
	Body      string    `db:"body" json:"body"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// ThreadView is a thread with its messages, oldest first.
type ThreadView struct {
	Thread
	Messages []Message `json:"messages"`
}

// NewThread starts a thread. Staff name exactly one of TenantID and
// VendorID; a resident names neither (their own tenancy is the party).
type NewThread struct {
	TenantID *realty.ID
	VendorID *realty.ID
	Subject  string
	Body     string
}

var (
	errThreadNotFound = &realty.Error{Kind: realty.NotFound, Message: "thread not found"}
	errNoTenancy      = &realty.Error{Kind: realty.NotFound, Message: "you are linked to no tenant"}
)

// ResidentOnly is the resident portal's gate: nil for a resident
// (tenancy.own) linked to a tenant; Forbidden without tenancy.own,
// NotFound for anyone else (staff holding it, a resident linked to no
// tenant), as the portal's other reads answer.
func ResidentOnly(actor realty.Actor) error {
	if err := actor.Require("tenancy.own"); err != nil {
		return err
	}
	if !actor.Resident || actor.TenantID.IsZero() {
		return errNoTenancy
	}
	return nil
}

// side is how actor takes part in threads: as staff holding perm (tenant
// nil), or as a resident fenced to their own tenant. Forbidden without the
// permission and, when writing, for an actor acting for no member (an API
// key); NotFound for a resident linked to no tenant.
func side(actor realty.Actor, perm string, writing bool) (tenant *realty.ID, err error) {
	if actor.Resident {
		if err := actor.Require("tenancy.own"); err != nil {
			return nil, err
		}
		if actor.TenantID.IsZero() {
			return nil, errNoTenancy
		}
		t := actor.TenantID
		return &t, nil
	}
	if err := actor.Require(perm); err != nil {
		return nil, err
	}
	if writing && actor.MemberID.IsZero() {
		return nil, &realty.Error{Kind: realty.Forbidden, Message: "messages are written by members; this credential acts for none"}
	}
	return nil, nil
}

// text trims s and returns Invalid naming field unless it holds 1 to max
// characters.
func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > max {
		return "", realty.FieldError(field, fmt.Sprintf("must be 1 to %d characters", max))
	}
	return s, nil
}

// StartThread starts a thread with its first message and tells the other
// side. Staff need message.send and name a tenant or a vendor; a resident
// (tenancy.own) writes about their own tenancy. Invalid naming subject,
// body, tenant_id or vendor_id; Forbidden as side.
func (s *Service) StartThread(ctx context.Context, actor realty.Actor, in NewThread) (ThreadView, error) {
	tenant, err := side(actor, "message.send", true)
	if err != nil {
		return ThreadView{}, err
	}
	if in.Subject, err = text("subject", in.Subject, 200); err != nil {
		return ThreadView{}, err
	}
	if in.Body, err = text("body", in.Body, 10000); err != nil {
		return ThreadView{}, err
	}
	if tenant != nil {
		if in.VendorID != nil || (in.TenantID != nil && *in.TenantID != *tenant) {
			return ThreadView{}, realty.FieldError("tenant_id", "a resident writes only about their own tenancy")
		}
		in.TenantID = tenant
	}
	if (in.TenantID == nil) == (in.VendorID == nil) {
		return ThreadView{}, realty.FieldError("tenant_id", "name exactly one of tenant_id and vendor_id")
	}
	id := realty.NewID()
	var out ThreadView
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if in.TenantID != nil {
			if _, err := s.audience().ResidentTx(ctx, tx, actor, *in.TenantID); err != nil {
				if realty.KindOf(err) == realty.NotFound {
					return realty.FieldError("tenant_id", "no such tenant")
				}
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO messaging.threads (organization_id, id, subject, tenant_id, vendor_id, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, actor.OrgID, id, in.Subject, in.TenantID, in.VendorID, actor.MemberID); err != nil {
			return err
		}
		t := Thread{ID: id, Subject: in.Subject, TenantID: in.TenantID, VendorID: in.VendorID, CreatedBy: actor.MemberID}
		if _, err := s.post(ctx, tx, actor, t, in.Body, tenant == nil); err != nil {
			return err
		}
		out, err = s.threadView(ctx, tx, actor, id, tenant)
		return err
	})
	return out, err
}

// Reply adds a message to a thread and tells the other side. Staff need
// message.send; a resident writes only in their own tenancy's threads.
// NotFound for a thread the actor cannot see; Invalid naming body;
// Forbidden as side.
func (s *Service) Reply(ctx context.Context, actor realty.Actor, threadID realty.ID, body string) (Message, error) {
	tenant, err := side(actor, "message.send", true)
	if err != nil {
		return Message{}, err
	}
	if body, err = text("body", body, 10000); err != nil {
		return Message{}, err
	}
	var out Message
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		t, err := threadTx(ctx, tx, actor, threadID, tenant)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE messaging.threads SET last_message_at = now(), updated_at = now()
			WHERE organization_id = $1 AND id = $2`, actor.OrgID, threadID); err != nil {
			return err
		}
		out, err = s.post(ctx, tx, actor, t, body, tenant == nil)
		return err
	})
	return out, err
}

// post writes a message of actor in thread t, moves actor's read marker
// past it and tells the other side.
func (s *Service) post(ctx context.Context, tx pgx.Tx, actor realty.Actor, t Thread, body string, fromStaff bool) (Message, error) {
	rows, err := tx.Query(ctx, `INSERT INTO messaging.thread_messages (organization_id, id, thread_id, tenant_id, sender_id, from_staff, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, thread_id, sender_id, from_staff, body, created_at`,
		actor.OrgID, realty.NewID(), t.ID, t.TenantID, actor.MemberID, fromStaff, body)
	if err != nil {
		return Message{}, err
	}
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Message])
	if err != nil {
		return Message{}, err
	}
	if err := markRead(ctx, tx, actor, t); err != nil {
		return Message{}, err
	}
	return m, s.tellOtherSide(ctx, tx, actor, t, m)
}

// markRead moves actor's read marker of thread t to now.
func markRead(ctx context.Context, tx pgx.Tx, actor realty.Actor, t Thread) error {
	_, err := tx.Exec(ctx, `INSERT INTO messaging.thread_reads (organization_id, id, thread_id, tenant_id, member_id, read_at)
		VALUES ($1, $2, $3, $4, $5, now())
		ON CONFLICT (organization_id, thread_id, member_id) DO UPDATE SET read_at = now(), updated_at = now()`,
		actor.OrgID, realty.NewID(), t.ID, t.TenantID, actor.MemberID)
	return err
}
