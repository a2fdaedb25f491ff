package org

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/identity"
	"realty/internal/postgres"
)

// Principal is who a request comes from: the Actor domain calls take, plus
// what the credential was.
type Principal struct {
	Actor   realty.Actor
	User    *identity.User    // nil for an API key
	Session *identity.Session // nil for an API key
	APIKey  *identity.APIKey  // nil for a session; for an access token, its key
	// Token is set when the credential was an access token issued for
	// APIKey (identity.IssueToken) rather than the key itself.
	Token bool
	// MFASetupRequired is set when the organization requires two-factor
	// authentication of one of the member's roles and the user has none:
	// the actor then holds no permissions until they enrol.
	MFASetupRequired bool
}

// Authenticate turns a credential — a session token, an API key (rk_…) or
// an access token issued for one (rat_…) — into a Principal. Unauthenticated for anything not currently
// valid. A session whose organization membership has ended yields a
// principal without organization. The caller is noted for the request's
// access log (realty.NoteCaller).
func (s *Service) Authenticate(ctx context.Context, credential string, c identity.Client) (Principal, error) {
	p, err := s.authenticate(ctx, credential, c)
	if err == nil {
		caller := realty.Caller{OrgID: p.Actor.OrgID, UserID: p.Actor.UserID}
		if p.APIKey != nil {
			caller.APIKeyID = p.APIKey.ID
		}
		realty.NoteCaller(ctx, caller)
	}
	return p, err
}

func (s *Service) authenticate(ctx context.Context, credential string, c identity.Client) (Principal, error) {
	switch {
	case strings.HasPrefix(credential, "rk_"):
		actor, key, err := s.identity.AuthenticateAPIKey(ctx, credential, c)
		if err == nil {
			actor, err = s.completeActor(ctx, actor)
		}
		if err != nil {
			return Principal{}, err
		}
		return Principal{Actor: actor, APIKey: &key}, nil
	case strings.HasPrefix(credential, identity.TokenPrefix):
		actor, key, err := s.identity.AuthenticateToken(ctx, credential)
		if err == nil {
			actor, err = s.completeActor(ctx, actor)
		}
		if err != nil {
			return Principal{}, err
		}
		return Principal{Actor: actor, APIKey: &key, Token: true}, nil
	}
	sess, user, err := s.identity.Authenticate(ctx, credential)
	if err != nil {
		return Principal{}, err
	}
	p := Principal{User: &user, Session: &sess, Actor: realty.Actor{UserID: user.ID}}
	if sess.ActiveOrgID == nil {
		return p, nil
	}
	return s.withOrganization(ctx, p, *sess.ActiveOrgID)
}

// ActorFor returns the Actor of a user acting in an organization, from
// their current role assignments; an actor without organization when they
// are not an active member.
func (s *Service) ActorFor(ctx context.Context, orgID, userID realty.ID) (realty.Actor, error) {
	u, err := s.identity.GetUser(ctx, userID)
	if err != nil {
		return realty.Actor{}, err
	}
	p, err := s.withOrganization(ctx, Principal{User: &u, Actor: realty.Actor{UserID: userID}}, orgID)
	return p.Actor, err
}

// MemberActor returns the Actor of a member of the organization (by member
// id) now, from their current role assignments: what a job acting for the
// member who queued it runs as. An actor without organization when the
// membership is no longer active; NotFound for an unknown member.
func (s *Service) MemberActor(ctx context.Context, orgID, memberID realty.ID) (realty.Actor, error) {
	var userID realty.ID
	err := postgres.Read(ctx, s.pool, realty.System(orgID), func(rows pgx.Rows) error {
		var err error
		userID, err = pgx.CollectExactlyOneRow(rows, pgx.RowTo[realty.ID])
		return err
	}, `SELECT user_id FROM org.members WHERE organization_id = $1 AND id = $2`, orgID, memberID)
	if err != nil {
		return realty.Actor{}, err
	}
	return s.ActorFor(ctx, orgID, userID)
}

// grant is one role a member holds, as the actor query returns it.
type grant struct {
	MemberID         realty.ID  `db:"member_id"`
	RoleKey          *string    `db:"role_key"`
	System           *bool      `db:"system"`
	PropertyID       *realty.ID `db:"property_id"`
	Permissions      []string   `db:"permissions"`
	MFARequiredRoles []string   `db:"mfa_required_roles"`
}

// withOrganization fills the principal's actor for one organization from
// the member's current role assignments, in one round trip.
func (s *Service) withOrganization(ctx context.Context, p Principal, orgID realty.ID) (Principal, error) {
	grants, err := postgres.ReadAll[grant](ctx, s.pool, realty.Actor{OrgID: orgID, UserID: p.User.ID}, `
		SELECT m.id AS member_id, r.key AS role_key, r.system, ra.property_id, o.mfa_required_roles,
		       coalesce((SELECT array_agg(rp.permission) FROM org.role_permissions rp
		                 WHERE rp.organization_id = r.organization_id AND rp.role_id = r.id), '{}') AS permissions
		FROM org.members m
		JOIN org.organizations o ON o.id = m.organization_id AND o.status = 'active'
		LEFT JOIN org.role_assignments ra ON ra.organization_id = m.organization_id AND ra.member_id = m.id
		     AND (ra.expires_at IS NULL OR ra.expires_at > now())
		LEFT JOIN org.roles r ON r.organization_id = ra.organization_id AND r.id = ra.role_id
		WHERE m.organization_id = $1 AND m.user_id = $2 AND m.status = 'active'`, orgID, p.User.ID)
	if err != nil || len(grants) == 0 {
		return p, err // not (or no longer) a member: no organization
	}
	if p.Actor, err = s.completeActor(ctx, s.actorFrom(orgID, p.User.ID, grants)); err != nil {
		return p, err
	}
	if mfaRequired(grants) && !p.User.MFAEnabled {
		p.MFASetupRequired = true
		p.Actor.Permissions = nil
	}
	return p, nil
}

// actorFrom merges a member's grants: the union of permissions, and a
// property scope only when every role the member holds is property-bound.
func (s *Service) actorFrom(orgID, userID realty.ID, grants []grant) realty.Actor {
	a := realty.Actor{OrgID: orgID, UserID: userID, MemberID: grants[0].MemberID}
	orgWide := false
	var scope []realty.ID
	for _, g := range grants {
		if g.RoleKey == nil {
			continue
		}
		perms := g.Permissions
		if *g.System {
			perms = s.catalog.byRole[*g.RoleKey]
		}
		for _, perm := range perms {
			if !slices.Contains(a.Permissions, perm) {
				a.Permissions = append(a.Permissions, perm)
			}
		}
		if g.PropertyID == nil {
			orgWide = true
		} else {
			scope = append(scope, *g.PropertyID)
		}
	}
	if !orgWide && len(scope) > 0 {
		a.PropertyScope = scope
	}
	slices.Sort(a.Permissions)
	return a
}

func mfaRequired(grants []grant) bool {
	for _, g := range grants {
		if g.RoleKey != nil && slices.Contains(g.MFARequiredRoles, *g.RoleKey) {
			return true
		}
	}
	return false
}

// LoginInput is a sign-in attempt.
type LoginInput struct {
	Email    string
	Password string
	// Organization is the slug to act in; empty picks the user's first.
	Organization string
	Kind         string // identity.KindBrowser or identity.KindAPI
	Client       identity.Client
}

// LoginResult is a completed sign-in, or one waiting for its second factor
// (MFAToken set, Tokens empty).
type LoginResult struct {
	Tokens   identity.Tokens
	MFAToken string
	User     identity.User
}

// Login signs a user in (see identity.VerifyLogin for the credential and
// throttling rules) into the named organization, or their first. Invalid
// naming organization when they are not a member of the named one.
func (s *Service) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	user, err := s.identity.VerifyLogin(ctx, in.Email, in.Password, in.Client)
	if err != nil {
		return LoginResult{}, err
	}
	orgID, err := s.pickOrganization(ctx, user.ID, in.Organization)
	if err != nil {
		return LoginResult{}, err
	}
	tokens, err := s.identity.StartSession(ctx, user.ID, orgID, in.Kind, user.MFAEnabled, in.Client)
	if err != nil {
		return LoginResult{}, err
	}
	if user.MFAEnabled {
		return LoginResult{MFAToken: tokens.Token, User: user}, nil
	}
	return LoginResult{Tokens: tokens, User: user}, nil
}

// pickOrganization returns the organization with that slug the user is an
// active member of, or their first when slug is empty (nil when they have
// none).
func (s *Service) pickOrganization(ctx context.Context, userID realty.ID, slug string) (*realty.ID, error) {
	ms, err := s.Memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	slug = strings.ToLower(strings.TrimSpace(slug))
	for _, m := range ms {
		if slug == "" || m.Slug == slug {
			return &m.ID, nil
		}
	}
	if slug != "" {
		return nil, realty.FieldError("organization", "you are not a member of an organization with this slug")
	}
	return nil, nil
}

// SwitchOrganization makes the session act in another organization the user
// is an active member of, and returns the new principal. Invalid naming
// organization when they are not a member of it.
func (s *Service) SwitchOrganization(ctx context.Context, p Principal, slug string) (Principal, error) {
	if p.Session == nil || p.User == nil {
		return Principal{}, &realty.Error{Kind: realty.Forbidden, Message: "only a signed-in user can switch organizations"}
	}
	orgID, err := s.pickOrganization(ctx, p.User.ID, slug)
	if err != nil {
		return Principal{}, err
	}
	if orgID == nil {
		return Principal{}, realty.FieldError("organization", "is required")
	}
	if err := s.identity.SwitchOrganization(ctx, p.Session.ID, *orgID); err != nil {
		return Principal{}, err
	}
	p.Session.ActiveOrgID = orgID
	return s.withOrganization(ctx, Principal{User: p.User, Session: p.Session, Actor: realty.Actor{UserID: p.User.ID}}, *orgID)
}
