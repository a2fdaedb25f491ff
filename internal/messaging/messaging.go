// Package messaging tells people what happened: in-app notifications with
// each member's preferences per kind and channel, and an outbox of
// deliveries (e-mail through SMTP now) that a background job sends at most
// once each. Other domains call NotifyTx and EnqueueTx inside their own
// transactions, so a notice exists exactly when the change that causes it
// does.
package messaging

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/ratelimit"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"messaging.notifications_recipient_fkey":         {Kind: realty.Invalid, Field: "recipient_id", Message: "no such member"},
		"messaging.notification_preferences_member_fkey": {Kind: realty.Invalid, Field: "member_id", Message: "no such member"},
		"messaging.deliveries_idempotency_key_key":       {Kind: realty.Conflict, Field: "idempotency_key", Message: "a delivery with this key exists"},
		"messaging.threads_tenant_fkey":                  {Kind: realty.Invalid, Field: "tenant_id", Message: "no such tenant"},
		"messaging.threads_vendor_fkey":                  {Kind: realty.Invalid, Field: "vendor_id", Message: "no such vendor"},
		"messaging.announcements_property_fkey":          {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"messaging.announcements_building_fkey":          {Kind: realty.Invalid, Field: "building_id", Message: "no such building"},
		"messaging.announcements_unit_fkey":              {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
	})
}

// Permissions are the messaging domain's permissions. Every staff role
// reads its own notifications and sets its own preferences; the outbox is
// for those who run the organization.
var Permissions = []realty.Permission{
	{Name: "notification.read", Description: "See your own notifications, mark them read and choose how you are notified",
		Roles: []string{"broker", "agent", "property_manager", "accountant", "maintenance"}},
	{Name: "delivery.read", Description: "See the organization's outbox of e-mails and webhooks and their status"},
	{Name: "webhook.manage", Description: "Register webhook endpoints, rotate their secrets and replay deliveries"},
	{Name: "message.read", Description: "See the message threads with tenants and vendors",
		Roles: []string{"property_manager", "maintenance"}},
	{Name: "message.send", Description: "Start message threads with tenants and vendors and reply in them",
		Roles: []string{"property_manager", "maintenance"}},
	{Name: "announcement.read", Description: "See the announcements to tenants and whom they reached",
		Roles: []string{"property_manager"}},
	{Name: "announcement.manage", Description: "Publish announcements to every tenant of a property, building or unit",
		Roles: []string{"property_manager"}},
}

// Options configure the service.
type Options struct {
	// Mail sends e-mail; nil leaves e-mail deliveries queued (no SMTP
	// server configured).
	Mail Sender
	// From is the sender address of every e-mail.
	From string
	// PublicURL is where people reach realty: the base of links in
	// e-mails (http://127.0.0.1:8080 when empty).
	PublicURL string
	// Backoff is the wait before retry n (1-based) of a failed delivery
	// (DefaultBackoff when nil).
	Backoff func(n int) time.Duration
	// MaxAttempts is how many times a delivery is tried (DefaultMaxAttempts
	// when zero).
	MaxAttempts int
	// AllowPrivateWebhooks lets webhook endpoints name private and
	// loopback addresses (tests, a receiver beside realty); off, realty
	// refuses them when registered and when connecting.
	AllowPrivateWebhooks bool
	// Log receives send failures (slog.Default when nil).
	Log *slog.Logger
	// Audience resolves the tenants that threads and announcements reach
	// (app wires one over leasing and property); without it those calls
	// fail.
	Audience Audience
}

// DefaultMaxAttempts is how many sends a delivery gets before it is dead.
const DefaultMaxAttempts = 5

// DefaultBackoff doubles from 30 seconds: 30 s, 1 min, 2 min, 4 min, …,
// at most an hour.
func DefaultBackoff(n int) time.Duration {
	d := 30 * time.Second << min(max(n-1, 0), 7)
	return min(d, time.Hour)
}

// Service is the messaging domain.
type Service struct {
	pool *postgres.Pool
	jobs *river.Client[pgx.Tx]
	org  *org.Service
	ids  *identity.Service
	opt  Options
	http *http.Client
	now  func() time.Time
	// mailLimits count the account e-mails people ask for (account_limits.go).
	mailLimits *ratelimit.Limiter
	// afterSend runs between a successful send and recording it (tests
	// stop there, as a worker killed at that point would).
	afterSend func(ctx context.Context) error
}

// New returns the messaging service. jobs enqueues delivery jobs in the
// callers' transactions; orgs names the organization in e-mails and finds
// members' addresses; ids issues account tokens.
func New(pool *postgres.Pool, jobs *river.Client[pgx.Tx], orgs *org.Service, ids *identity.Service, o Options) *Service {
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.PublicURL == "" {
		o.PublicURL = "http://127.0.0.1:8080"
	}
	s := &Service{pool: pool, jobs: jobs, org: orgs, ids: ids, opt: o, now: time.Now, http: webhookClient(o.AllowPrivateWebhooks)}
	s.mailLimits = ratelimit.New(func() time.Time { return s.now() })
	return s
}

// MailConfigured reports whether e-mail can be sent.
func (s *Service) MailConfigured() bool { return s.opt.Mail != nil }

// member returns the acting member, Forbidden for an actor without one (an
// API key or the System actor: notifications belong to people).
func member(actor realty.Actor) (realty.ID, error) {
	if err := actor.Require("notification.read"); err != nil {
		return realty.ID{}, err
	}
	if actor.MemberID.IsZero() {
		return realty.ID{}, &realty.Error{Kind: realty.Forbidden, Message: "notifications belong to members; this credential acts for none"}
	}
	return actor.MemberID, nil
}
