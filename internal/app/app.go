// Package app builds realty's services: one Services bundle and one
// constructor that every entry point uses (the serve and operator commands,
// the test fixtures, the API and the dashboard). It is wiring only: no
// business rule, no SQL and no globals live here.
//
// A new domain adds its service to Services, its construction to New and its
// permissions to Permissions; nothing else outside the domain's own package
// (besides its migration and its API and dashboard files) changes.
package app

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"realty"
	"realty/internal/audit"
	"realty/internal/blob"
	"realty/internal/crm"
	"realty/internal/deal"
	"realty/internal/document"
	"realty/internal/idempotency"
	"realty/internal/identity"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/listing"
	"realty/internal/maintenance"
	"realty/internal/messaging"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/property"
)

// Options are the settings the services take. Zero values choose the
// defaults noted on each field.
type Options struct {
	// SecretKey is the server key (identity.SecretKeySize bytes) that
	// encrypts MFA secrets. Required.
	SecretKey []byte
	// Blobs stores uploaded files. Required.
	Blobs blob.Store
	// MediaMaxBytes bounds one uploaded photo or document.
	MediaMaxBytes int64
	// ImportMaxBytes bounds one uploaded MLS import file.
	ImportMaxBytes int64
	// SessionIdleTimeout and SessionLifetime end sessions (identity's
	// defaults when zero).
	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration
	// Argon2 sets password hashing costs (identity's defaults when zero;
	// tests make it cheap).
	Argon2 identity.Argon2Params
	// RateLimit is the default requests a minute per credential on the API
	// and the RESO Web API (0: none unless an organization sets its own).
	RateLimit int
	// Mail sends e-mail deliveries; nil leaves them queued (no SMTP
	// server configured).
	Mail messaging.Sender
	// MailFrom is the sender address of every e-mail.
	MailFrom string
	// AllowPrivateWebhooks lets webhook endpoints name private addresses.
	AllowPrivateWebhooks bool
	// PublicURL is where people reach realty, for links in e-mails
	// (http://127.0.0.1:8080 when empty).
	PublicURL string
	// Log receives the services' own logs (slog.Default when nil).
	Log *slog.Logger
	// Now is the clock of services whose rules depend on time (time.Now
	// when nil).
	Now func() time.Time
}

// Services is every domain service over one pool, plus what they share: the
// blob store and an insert-only River client that enqueues jobs inside the
// callers' transactions (the workers run in serve's own River client).
type Services struct {
	Pool     *postgres.Pool
	Blobs    blob.Store
	Jobs     *river.Client[pgx.Tx]
	Identity *identity.Service
	Org      *org.Service
	Limits   *org.RateLimits
	Audit    *audit.Service
	Property *property.Service
	Listing  *listing.Service
	Imports  *listing.Imports
	CRM      *crm.Service
	// Messaging is notifications and the outbox of e-mails.
	Messaging *messaging.Service
	// Ledger is the chart of accounts, the journal and its periods.
	Ledger  *ledger.Service
	Leasing *leasing.Service
	// Maintenance is vendors and work orders.
	Maintenance *maintenance.Service
	// Deal is a brokerage's transactions and their stage machine.
	Deal *deal.Service
	// Contracts is the deals' contracts, their versions and e-signatures.
	Contracts *deal.Contracts
	// Document is documents, their versions, search, share links and
	// access log.
	Document *document.Service
	// Idempotency stores money-moving requests' keys and first responses.
	Idempotency *idempotency.Store
}

// Permissions is every permission realty knows, each domain's declaration
// in one catalog for org.
func Permissions() []realty.Permission {
	return slices.Concat(org.Permissions, identity.Permissions, audit.Permissions, property.Permissions, listing.Permissions,
		crm.Permissions, messaging.Permissions, ledger.Permissions, leasing.Permissions,
		maintenance.Permissions, deal.Permissions, document.Permissions)
}

// New builds every service over pool. It returns an error for a missing or
// malformed option.
func New(pool *postgres.Pool, o Options) (Services, error) {
	if o.Blobs == nil {
		return Services{}, fmt.Errorf("services: no blob store")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	ids, err := identity.New(pool, identity.Config{SecretKey: o.SecretKey, IdleTimeout: o.SessionIdleTimeout,
		Lifetime: o.SessionLifetime, Argon2: o.Argon2})
	if err != nil {
		return Services{}, err
	}
	jobs, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Schema: postgres.RiverSchema, Logger: o.Log.With("component", "river")})
	if err != nil {
		return Services{}, fmt.Errorf("job client: %w", err)
	}
	s := Services{Pool: pool, Blobs: o.Blobs, Jobs: jobs, Identity: ids, Audit: audit.New(pool)}
	s.Org = org.New(pool, ids, Permissions(), o.Now)
	s.Ledger = ledger.New(pool, o.Now)
	s.Org.OnCreate(s.Ledger.SeedTx)
	s.Leasing = leasing.New(pool, s.Ledger, o.Now)
	s.Org.OnActor(s.Leasing.FenceActor)
	s.Idempotency = idempotency.New(pool, jobs)
	s.Limits = s.Org.NewRateLimits(o.RateLimit, o.Now)
	s.Property = property.New(pool, o.Blobs, o.MediaMaxBytes)
	s.Listing = listing.New(pool, s.Property, s.Org, jobs)
	s.Property.UseMarket(s.Listing)
	s.Org.OnCreate(s.Property.SeedRatesTx)
	s.Imports = listing.NewImports(s.Listing, o.Blobs, o.ImportMaxBytes, jobs, o.Log)
	s.Messaging = messaging.New(pool, jobs, s.Org, ids, messaging.Options{Mail: o.Mail, From: o.MailFrom, PublicURL: o.PublicURL, AllowPrivateWebhooks: o.AllowPrivateWebhooks, Log: o.Log,
		Audience: Audience{Leasing: s.Leasing, Property: s.Property}})
	s.Ledger.UseMail(s.Messaging, o.PublicURL)
	s.Maintenance = maintenance.New(pool, s.Org, o.Blobs, o.MediaMaxBytes, s.Messaging, o.Now)
	s.CRM = crm.New(pool, s.Org, o.Now, s.Messaging, s.Listing, jobs)
	s.Deal = deal.New(pool, o.Now)
	s.Org.OnCreate(s.Deal.SeedWorkflowTx)
	s.Deal.UseListings(s.Listing)
	s.Contracts = deal.NewContracts(pool, deal.ContractDeps{Blobs: o.Blobs, Mail: s.Messaging, Org: s.Org, CRM: s.CRM,
		PublicURL: o.PublicURL, Now: o.Now})
	s.Document = document.New(pool, o.Blobs, ids, o.MediaMaxBytes, o.Now)
	s.Document.UseLinker(documentLinker(s))
	s.Document.UseParticipation(documentParticipation(s))
	s.Deal.UseDocuments(s.Document)
	s.Deal.UseDocumentFiler(s.Document)
	return s, nil
}
