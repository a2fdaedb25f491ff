package org

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/identity"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"org.invitations_open_email_key": {Kind: realty.Conflict, Field: "email", Message: "already has an open invitation"},
		"org.invitations_role_fkey":      {Kind: realty.Invalid, Field: "role_id", Message: "no such role"},
	})
}

// InvitationLifetime is how long an invitation can be accepted.
const InvitationLifetime = 7 * 24 * time.Hour

// Invitation offers someone membership with a role.
type Invitation struct {
	ID         realty.ID  `db:"id" json:"id"`
	Email      string     `db:"email" json:"email"`
	RoleID     realty.ID  `db:"role_id" json:"role_id"`
	RoleKey    string     `db:"role_key" json:"role_key"`
	PropertyID *realty.ID `db:"property_id" json:"property_id,omitempty"`
	InvitedBy  *realty.ID `db:"invited_by" json:"invited_by,omitempty"`
	ExpiresAt  time.Time  `db:"expires_at" json:"expires_at"`
	AcceptedAt *time.Time `db:"accepted_at" json:"accepted_at,omitempty"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
}

const invitationSelect = `SELECT i.id, i.email::text AS email, i.role_id, r.key AS role_key, i.property_id, i.invited_by,
	i.expires_at, i.accepted_at, i.revoked_at, i.created_at
	FROM org.invitations i JOIN org.roles r ON r.organization_id = i.organization_id AND r.id = i.role_id`

// Invitations lists the organization's invitations, newest first. Forbidden
// without member.invite or member.read.
func (s *Service) Invitations(ctx context.Context, actor realty.Actor) ([]Invitation, error) {
	if !actor.Can("member.invite") {
		if err := actor.Require("member.read"); err != nil {
			return nil, err
		}
	}
	return postgres.ReadAll[Invitation](ctx, s.pool, actor, invitationSelect+` WHERE i.organization_id = $1 ORDER BY i.created_at DESC, i.id DESC`, actor.OrgID)
}

// NewInvitation is what inviting someone takes.
type NewInvitation struct {
	Email      string
	RoleID     realty.ID
	PropertyID *realty.ID
}

// Invite offers membership with a role no wider than the actor's own, and
// returns the invitation with its single-use token (shown once; the link to
// send is /invitations/accept?token=…). Forbidden without member.invite;
// Invalid or Conflict naming the field.
func (s *Service) Invite(ctx context.Context, actor realty.Actor, in NewInvitation) (Invitation, string, error) {
	var out Invitation
	var token string
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, token, err = s.InviteTx(ctx, tx, actor, in)
		return err
	})
	return out, token, err
}

// InviteTx is Invite inside the caller's transaction (which e-mails the
// invitation in the same transaction). Errors as Invite.
func (s *Service) InviteTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in NewInvitation) (Invitation, string, error) {
	if err := actor.Require("member.invite"); err != nil {
		return Invitation{}, "", err
	}
	email, err := identity.NormalizeEmail("email", in.Email)
	if err != nil {
		return Invitation{}, "", err
	}
	token, hash := invitationToken(actor.OrgID)
	if err := s.checkGrantable(ctx, tx, actor, in.RoleID, "role_id"); err != nil {
		return Invitation{}, "", err
	}
	var id realty.ID
	err = tx.QueryRow(ctx, `INSERT INTO org.invitations (organization_id, email, role_id, property_id, token_hash, invited_by, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		actor.OrgID, email, in.RoleID, in.PropertyID, hash, idPtr(actor.MemberID), s.now().Add(InvitationLifetime)).Scan(&id)
	if err != nil {
		return Invitation{}, "", err
	}
	out, err := invitationBy(ctx, tx, actor.OrgID, `i.id = $2`, id)
	return out, token, err
}

// invitationToken returns "inv_<organization hex>_<secret>" and the hash
// stored. The organization is in the clear so acceptance can scope itself
// before anyone is signed in; only the secret grants anything.
func invitationToken(orgID realty.ID) (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	return "inv_" + hex.EncodeToString(orgID[:]) + "_" + secret, sum[:]
}

func parseInvitationToken(token string) (realty.ID, []byte, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(token), "inv_")
	orgHex, secret, found := strings.Cut(rest, "_")
	var org realty.ID
	if n, err := hex.Decode(org[:], []byte(orgHex)); !ok || !found || err != nil || n != 16 || len(orgHex) != 32 {
		return realty.ID{}, nil, false
	}
	sum := sha256.Sum256([]byte(secret))
	return org, sum[:], true
}

func invitationBy(ctx context.Context, tx pgx.Tx, orgID realty.ID, where string, args ...any) (Invitation, error) {
	rows, err := tx.Query(ctx, invitationSelect+` WHERE i.organization_id = $1 AND `+where, append([]any{orgID}, args...)...)
	if err != nil {
		return Invitation{}, err
	}
	inv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invitation])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Invitation{}, &realty.Error{Kind: realty.NotFound, Message: "invitation not found"}
	}
	return inv, err
}

// RevokeInvitation withdraws an open invitation. NotFound for another
// organization's invitation; Forbidden without member.invite.
func (s *Service) RevokeInvitation(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("member.invite"); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE org.invitations SET revoked_at = now()
			WHERE organization_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL`, actor.OrgID, id)
		if err == nil && tag.RowsAffected() == 0 {
			return &realty.Error{Kind: realty.NotFound, Message: "no open invitation with this id"}
		}
		return err
	})
}

// Acceptance is what accepting an invitation takes: for someone without an
// account, the password and names of the account to create.
type Acceptance struct {
	Token     string
	Password  string
	FirstName string
	LastName  string
	// SignedIn is the user accepting while signed in; their email must be
	// the invited one.
	SignedIn *realty.ID
}

// AcceptInvitation spends an invitation: it creates the invited person's
// account (or links the existing one), makes them an active member and
// grants the role. NotFound when the token is unknown, spent, revoked or
// expired; Invalid naming password for a new account without a good one;
// Forbidden when a signed-in user's email is not the invited one; Conflict
// (PlanLimitError, naming max_users) when the plan has no free seat, and
// then nothing is kept (no account either).
func (s *Service) AcceptInvitation(ctx context.Context, in Acceptance) (Organization, identity.User, error) {
	orgID, hash, ok := parseInvitationToken(in.Token)
	gone := &realty.Error{Kind: realty.NotFound, Message: "invitation not found, already used, or expired"}
	if !ok {
		return Organization{}, identity.User{}, gone
	}
	var user identity.User
	err := postgres.Tx(ctx, s.pool, realty.Actor{OrgID: orgID}, func(tx pgx.Tx) error {
		inv, err := invitationBy(ctx, tx, orgID, `i.token_hash = $2 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $3`, hash, s.now())
		if err != nil {
			return gone
		}
		if user, err = s.invitee(ctx, tx, realty.System(orgID), inv.Email, in); err != nil {
			return err
		}
		if err := postgres.SetUser(ctx, tx, user.ID); err != nil {
			return err
		}
		member, err := insertMember(ctx, tx, orgID, user.ID, inv.InvitedBy)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO org.role_assignments (organization_id, member_id, role_id, property_id, granted_by)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, orgID, member, inv.RoleID, inv.PropertyID, inv.InvitedBy); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE org.invitations SET accepted_at = now(), accepted_member_id = $3 WHERE organization_id = $1 AND id = $2`,
			orgID, inv.ID, member)
		return err
	})
	if err != nil {
		return Organization{}, identity.User{}, err
	}
	o, err := s.organization(ctx, realty.Actor{OrgID: orgID, UserID: user.ID})
	return o, user, err
}

// invitee returns the account an invitation is for: the signed-in user
// (whose email must match), the existing account with that email, or a new
// one made with the acceptance's password.
func (s *Service) invitee(ctx context.Context, tx pgx.Tx, actor realty.Actor, email string, in Acceptance) (identity.User, error) {
	u, err := s.identity.UserByEmailTx(ctx, tx, actor, email)
	switch {
	case err == nil && in.SignedIn != nil && u.ID != *in.SignedIn:
		return identity.User{}, &realty.Error{Kind: realty.Forbidden, Message: "this invitation is for another email address"}
	case err == nil:
		return u, nil
	case realty.KindOf(err) != realty.NotFound:
		return identity.User{}, err
	case in.SignedIn != nil:
		return identity.User{}, &realty.Error{Kind: realty.Forbidden, Message: "this invitation is for another email address"}
	}
	if in.Password == "" {
		return identity.User{}, realty.FieldError("password", "is required to create your account")
	}
	return s.identity.CreateUserTx(ctx, tx, actor, identity.NewUser{Email: email, Password: in.Password, FirstName: in.FirstName, LastName: in.LastName})
}
