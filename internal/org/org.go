// Package org holds organizations — realty's isolation unit — their members,
// roles, role assignments and invitations, and turns a credential into the
// Actor every domain call takes.
//
// org sits below the business domains: they import it (for members and the
// actor), never the other way round. The permission catalog is handed to New
// by the wiring code, which gathers every domain's declarations.
package org

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/identity"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"org.organization_slugs_pkey":       {Kind: realty.Conflict, Field: "slug", Message: "is taken"},
		"org.organization_slugs_slug_check": {Kind: realty.Invalid, Field: "slug", Message: "must be 1 to 63 lower-case letters, digits and inner dashes"},
		"org.organizations_slug_check":      {Kind: realty.Invalid, Field: "slug", Message: "must be 1 to 63 lower-case letters, digits and inner dashes"},
		"org.organizations_name_check":      {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"org.organizations_kind_check":      {Kind: realty.Invalid, Field: "kind", Message: "must be brokerage, property_manager or both"},
		"org.organizations_currency_check":  {Kind: realty.Invalid, Field: "currency", Message: "must be an ISO 4217 code such as USD"},
		"org.members_user_key":              {Kind: realty.Conflict, Field: "email", Message: "is already a member"},
	})
}

// Service is the org domain.
type Service struct {
	pool     *postgres.Pool
	identity *identity.Service
	catalog  catalog
	now      func() time.Time
	onCreate []CreateHook
	onActor  []ActorHook
}

// CreateHook sets up one domain's part of a new organization (its chart of
// accounts, …) inside the organization's creating transaction, acting as
// realty.System of the organization. An error rolls the creation back.
type CreateHook func(ctx context.Context, tx pgx.Tx, actor realty.Actor) error

// OnCreate adds a hook run by every organization's creation, in the order
// added. The wiring code calls it while building the services, so org
// imports no domain that hooks in.
func (s *Service) OnCreate(h CreateHook) { s.onCreate = append(s.onCreate, h) }

// ActorHook completes an organization actor once its permissions are known,
// e.g. the leasing domain fences a resident to their own tenancy. An error
// fails the authentication.
type ActorHook func(ctx context.Context, actor realty.Actor) (realty.Actor, error)

// OnActor adds a hook run on every actor this service builds for an
// organization, in the order added; like OnCreate, called by the wiring.
func (s *Service) OnActor(h ActorHook) { s.onActor = append(s.onActor, h) }

// completeActor runs the actor hooks over actor (nothing without an
// organization).
func (s *Service) completeActor(ctx context.Context, actor realty.Actor) (realty.Actor, error) {
	if actor.OrgID.IsZero() {
		return actor, nil
	}
	for _, h := range s.onActor {
		var err error
		if actor, err = h(ctx, actor); err != nil {
			return realty.Actor{}, err
		}
	}
	return actor, nil
}

// New returns the org service over the permission catalog perms: every
// permission realty knows, each domain's declarations gathered by the
// wiring code (app.Permissions).
func New(pool *postgres.Pool, id *identity.Service, perms []realty.Permission, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{pool: pool, identity: id, catalog: newCatalog(perms), now: now}
}

// Permissions returns the catalog.
func (s *Service) Permissions() []realty.Permission { return s.catalog.perms }

// Organization is a customer of realty.
type Organization struct {
	ID               realty.ID `db:"id" json:"id"`
	Name             string    `db:"name" json:"name"`
	Slug             string    `db:"slug" json:"slug"`
	Kind             string    `db:"kind" json:"kind" enum:"brokerage,property_manager,both"`
	TimeZone         string    `db:"time_zone" json:"time_zone"`
	Currency         string    `db:"currency" json:"currency"`
	MFARequiredRoles []string  `db:"mfa_required_roles" json:"mfa_required_roles" doc:"roles whose members must use two-factor authentication"`
	Status           string    `db:"status" json:"status"`
	CreatedAt        time.Time `db:"created_at" json:"created_at"`
}

const orgColumns = `id, name, slug::text AS slug, kind, time_zone, currency, mfa_required_roles, status, created_at`

// NewOrganization is what creating an organization takes.
type NewOrganization struct {
	Name     string
	Slug     string
	Kind     string
	TimeZone string
	Currency string
}

func (n *NewOrganization) normalize() error {
	n.Name, n.Slug = strings.TrimSpace(n.Name), strings.ToLower(strings.TrimSpace(n.Slug))
	n.Kind = cmpOr(n.Kind, "brokerage")
	n.TimeZone = cmpOr(n.TimeZone, "UTC")
	n.Currency = strings.ToUpper(cmpOr(n.Currency, "USD"))
	return checkTimeZone(n.TimeZone)
}

func cmpOr(v, def string) string {
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}

func checkTimeZone(tz string) error {
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		return realty.FieldError("time_zone", "must be an IANA time zone such as America/New_York")
	}
	return nil
}

// CreateOrganization creates an organization with its system roles and
// makes the creating user its owner. The actor needs a user, not an
// organization. Invalid or Conflict name the field at fault.
func (s *Service) CreateOrganization(ctx context.Context, actor realty.Actor, in NewOrganization) (Organization, error) {
	if actor.UserID.IsZero() {
		return Organization{}, &realty.Error{Kind: realty.Unauthenticated, Message: "sign in to create an organization"}
	}
	return s.create(ctx, in, &actor.UserID)
}

// ProvisionOrganization creates an organization with its system roles and
// no member yet: for operators (the CLI), who then add its first owner with
// AddMember. Errors as CreateOrganization.
func (s *Service) ProvisionOrganization(ctx context.Context, in NewOrganization) (Organization, error) {
	return s.create(ctx, in, nil)
}

func (s *Service) create(ctx context.Context, in NewOrganization, owner *realty.ID) (Organization, error) {
	if err := in.normalize(); err != nil {
		return Organization{}, err
	}
	id := realty.NewID()
	scoped := realty.Actor{OrgID: id}
	if owner != nil {
		scoped.UserID = *owner
	}
	var out Organization
	err := postgres.Tx(ctx, s.pool, scoped, func(tx pgx.Tx) error {
		// Slugs are unique across organizations: the global lookup holds
		// that key (the organization row is unique only by its id).
		if _, err := tx.Exec(ctx, `INSERT INTO org.organization_slugs (slug, org_id) VALUES ($1, $2)`, in.Slug, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO org.organizations (id, name, slug, kind, time_zone, currency)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+orgColumns, id, in.Name, in.Slug, in.Kind, in.TimeZone, in.Currency)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Organization]); err != nil {
			return err
		}
		roles, err := seedRoles(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, h := range s.onCreate {
			if err := h(ctx, tx, realty.System(id)); err != nil {
				return err
			}
		}
		if owner == nil {
			return nil
		}
		member, err := insertMember(ctx, tx, id, *owner, nil)
		if err != nil {
			return err
		}
		return insertAssignment(ctx, tx, id, member, roles["owner"], nil, nil, nil)
	})
	return out, err
}

func seedRoles(ctx context.Context, tx pgx.Tx, orgID realty.ID) (map[string]realty.ID, error) {
	ids := map[string]realty.ID{}
	for _, r := range SystemRoles {
		var id realty.ID
		err := tx.QueryRow(ctx, `INSERT INTO org.roles (organization_id, key, name, description, system)
			VALUES ($1, $2, $3, $4, true) RETURNING id`, orgID, r.Key, r.Name, r.Description).Scan(&id)
		if err != nil {
			return nil, err
		}
		ids[r.Key] = id
	}
	return ids, nil
}

// Organization returns the actor's organization. Forbidden without org.read.
func (s *Service) Organization(ctx context.Context, actor realty.Actor) (Organization, error) {
	if err := actor.Require("org.read"); err != nil {
		return Organization{}, err
	}
	return s.organization(ctx, actor)
}

// OrganizationTx reads the actor's organization inside tx, for a domain
// whose rules depend on its settings (time zone, currency). It checks no
// permission: the calling use case has checked its own. NotFound when tx
// cannot see it.
func OrganizationTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) (Organization, error) {
	var o Organization
	b := &pgx.Batch{}
	QueueOrganization(b, actor, &o)
	return o, tx.SendBatch(ctx, b).Close()
}

// QueueOrganization queues OrganizationTx's read on b, so a domain can send
// it in one round trip with its own statements: out is filled when the
// batch's results are read, and the batch fails NotFound when the
// transaction cannot see the organization.
func QueueOrganization(b *pgx.Batch, actor realty.Actor, out *Organization) {
	b.Queue(`SELECT `+orgColumns+` FROM org.organizations WHERE id = $1`, actor.OrgID).Query(func(rows pgx.Rows) error {
		o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Organization])
		if err != nil {
			return postgres.MapError(err)
		}
		*out = o
		return nil
	})
}

func (s *Service) organization(ctx context.Context, actor realty.Actor) (Organization, error) {
	rows, err := postgres.ReadAll[Organization](ctx, s.pool, actor, `SELECT `+orgColumns+` FROM org.organizations WHERE id = $1`, actor.OrgID)
	if err != nil {
		return Organization{}, err
	}
	if len(rows) == 0 {
		return Organization{}, &realty.Error{Kind: realty.NotFound, Message: "organization not found"}
	}
	return rows[0], nil
}

// OrganizationPatch changes an organization's settings; nil fields stay.
type OrganizationPatch struct {
	Name             *string
	Kind             *string
	TimeZone         *string
	Currency         *string
	MFARequiredRoles *[]string
}

// UpdateOrganization changes the settings. Forbidden without org.update;
// Invalid naming the field for a bad value or an unknown role key.
func (s *Service) UpdateOrganization(ctx context.Context, actor realty.Actor, p OrganizationPatch) (Organization, error) {
	if err := actor.Require("org.update"); err != nil {
		return Organization{}, err
	}
	if p.TimeZone != nil {
		if err := checkTimeZone(*p.TimeZone); err != nil {
			return Organization{}, err
		}
	}
	if p.Currency != nil {
		up := strings.ToUpper(*p.Currency)
		p.Currency = &up
	}
	var out Organization
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if p.MFARequiredRoles != nil {
			if err := checkRoleKeys(ctx, tx, actor.OrgID, *p.MFARequiredRoles); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `UPDATE org.organizations SET name = coalesce($2, name), kind = coalesce($3, kind),
			time_zone = coalesce($4, time_zone), currency = coalesce($5, currency), mfa_required_roles = coalesce($6, mfa_required_roles)
			WHERE id = $1 RETURNING `+orgColumns, actor.OrgID, trimPtr(p.Name), p.Kind, p.TimeZone, p.Currency, p.MFARequiredRoles)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Organization])
		return err
	})
	return out, err
}

func trimPtr(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

func checkRoleKeys(ctx context.Context, tx pgx.Tx, orgID realty.ID, keys []string) error {
	var known []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(key), '{}') FROM org.roles WHERE organization_id = $1`, orgID).Scan(&known); err != nil {
		return err
	}
	for _, k := range keys {
		if !slices.Contains(known, k) {
			return realty.FieldError("mfa_required_roles", "no role "+k)
		}
	}
	return nil
}

// Membership is one of a user's organizations.
type Membership struct {
	Organization
	MemberID realty.ID `db:"member_id" json:"member_id"`
	Title    string    `db:"title" json:"title"`
}

// Memberships lists the organizations the user is an active member of,
// oldest membership first (RLS lets a user see their own memberships).
func (s *Service) Memberships(ctx context.Context, userID realty.ID) ([]Membership, error) {
	return postgres.ReadAll[Membership](ctx, s.pool, realty.Actor{UserID: userID}, `
		SELECT `+postgres.Prefix("o", orgColumns)+`, m.id AS member_id, m.title
		FROM org.members m JOIN org.organizations o ON o.id = m.organization_id
		WHERE m.user_id = $1 AND m.status = 'active' AND o.status = 'active'
		ORDER BY m.created_at, m.id`, userID)
}

// IDBySlug returns the id of the organization with that slug from the
// global slug lookup, read through db: an administrative connection, since
// row-level security hides every other organization's slug from a runtime
// connection (operators' commands name organizations by slug before they
// act in one). Invalid naming org when there is none.
func IDBySlug(ctx context.Context, db postgres.DB, slug string) (realty.ID, error) {
	var id realty.ID
	err := db.QueryRow(ctx, `SELECT org_id FROM org.organization_slugs WHERE slug = $1`, slug).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return id, realty.FieldError("org", "no organization with slug "+slug)
	}
	return id, err
}
