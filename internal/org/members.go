package org

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/identity"
	"realty/internal/postgres"
)

// Member is a user's membership in the organization, with the user's name
// and email and the roles they hold.
type Member struct {
	ID        realty.ID  `db:"id" json:"id"`
	UserID    realty.ID  `db:"user_id" json:"user_id"`
	Email     string     `db:"email" json:"email"`
	FirstName string     `db:"first_name" json:"first_name"`
	LastName  string     `db:"last_name" json:"last_name"`
	Title     string     `db:"title" json:"title"`
	Status    string     `db:"status" json:"status" enum:"invited,active,inactive"`
	Roles     []string   `db:"roles" json:"roles" doc:"keys of the roles held"`
	JoinedAt  *time.Time `db:"joined_at" json:"joined_at,omitempty"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
}

const memberSelect = `SELECT m.id, m.user_id, u.email::text AS email, u.first_name, u.last_name, m.title, m.status,
	coalesce((SELECT array_agg(r.key ORDER BY r.key) FROM org.role_assignments ra
		JOIN org.roles r ON r.organization_id = ra.organization_id AND r.id = ra.role_id
		WHERE ra.organization_id = m.organization_id AND ra.member_id = m.id
		  AND (ra.expires_at IS NULL OR ra.expires_at > now())), '{}') AS roles,
	m.joined_at, m.created_at
	FROM org.members m JOIN identity.users u ON u.id = m.user_id`

var errMemberNotFound = &realty.Error{Kind: realty.NotFound, Message: "member not found"}

// Members lists the organization's members, active first then by name.
// Forbidden without member.read.
func (s *Service) Members(ctx context.Context, actor realty.Actor) ([]Member, error) {
	if err := actor.Require("member.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[Member](ctx, s.pool, actor, memberSelect+`
		WHERE m.organization_id = $1 ORDER BY m.status <> 'active', lower(u.last_name), lower(u.first_name), m.id`, actor.OrgID)
}

// Member returns one member. NotFound for another organization's member or
// an unknown id; Forbidden without member.read (a member may always read
// their own membership).
func (s *Service) Member(ctx context.Context, actor realty.Actor, id realty.ID) (Member, error) {
	if id != actor.MemberID {
		if err := actor.Require("member.read"); err != nil {
			return Member{}, err
		}
	}
	rows, err := postgres.ReadAll[Member](ctx, s.pool, actor, memberSelect+` WHERE m.organization_id = $1 AND m.id = $2`, actor.OrgID, id)
	if err != nil {
		return Member{}, err
	}
	if len(rows) == 0 {
		return Member{}, errMemberNotFound
	}
	return rows[0], nil
}

// MemberTx is Member read in the caller's transaction tx (scoped to
// actor's organization), for a domain that needs a member's address while
// it holds locks: taking a second connection from the pool there could
// wait for ever on a pool its own transactions fill. Same errors.
func (s *Service) MemberTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Member, error) {
	if id != actor.MemberID {
		if err := actor.Require("member.read"); err != nil {
			return Member{}, err
		}
	}
	rows, err := tx.Query(ctx, memberSelect+` WHERE m.organization_id = $1 AND m.id = $2`, actor.OrgID, id)
	if err != nil {
		return Member{}, err
	}
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Member])
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, errMemberNotFound
	}
	return m, err
}

// AddMember makes an existing user an active member holding the role with
// that key (for operators and demo data; people normally join through an
// invitation). Forbidden without member.write or for a role the actor may not
// grant; Invalid naming role for an unknown role key; Conflict
// (PlanLimitError, naming max_users) when the plan has no free seat.
func (s *Service) AddMember(ctx context.Context, actor realty.Actor, userID realty.ID, roleKey, title string) (Member, error) {
	if err := actor.Require("member.write"); err != nil {
		return Member{}, err
	}
	var id realty.ID
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var roleID realty.ID
		if err := tx.QueryRow(ctx, `SELECT id FROM org.roles WHERE organization_id = $1 AND key = $2`, actor.OrgID, roleKey).Scan(&roleID); err != nil {
			return realty.FieldError("role", "no role with key "+roleKey)
		}
		if err := s.checkGrantable(ctx, tx, actor, roleID, "role"); err != nil {
			return err
		}
		var err error
		if id, err = insertMember(ctx, tx, actor.OrgID, userID, idPtr(actor.MemberID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE org.members SET title = $3 WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, strings.TrimSpace(title)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO org.role_assignments (organization_id, member_id, role_id, granted_by)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, actor.OrgID, id, roleID, idPtr(actor.MemberID))
		return err
	})
	if err != nil {
		return Member{}, err
	}
	return s.Member(ctx, realty.System(actor.OrgID), id)
}

func insertMember(ctx context.Context, tx pgx.Tx, orgID, userID realty.ID, invitedBy *realty.ID) (realty.ID, error) {
	var id realty.ID
	if err := checkSeat(ctx, tx, orgID, userID); err != nil {
		return id, err
	}
	err := tx.QueryRow(ctx, `INSERT INTO org.members (organization_id, user_id, status, invited_by, joined_at)
		VALUES ($1, $2, 'active', $3, now())
		ON CONFLICT (organization_id, user_id) DO UPDATE SET status = 'active', joined_at = now()
		RETURNING id`, orgID, userID, invitedBy).Scan(&id)
	if err != nil {
		return id, err
	}
	// A membership made active again revives the keys its member created.
	return id, identity.AnnounceAuthChange(ctx, tx, identity.ChangedMembers)
}

// UpdateMember changes a member's title. Forbidden without member.write;
// NotFound for another organization's member.
func (s *Service) UpdateMember(ctx context.Context, actor realty.Actor, id realty.ID, title string) (Member, error) {
	if err := actor.Require("member.write"); err != nil {
		return Member{}, err
	}
	title = strings.TrimSpace(title)
	if len(title) > 100 {
		return Member{}, realty.FieldError("title", "must be at most 100 characters")
	}
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE org.members SET title = $3 WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, title)
		if err == nil && tag.RowsAffected() == 0 {
			return errMemberNotFound
		}
		return err
	})
	if err != nil {
		return Member{}, err
	}
	return s.Member(ctx, actor, id)
}

// RemoveMember ends a membership at once: the member becomes inactive, their
// role assignments go, and their sessions in this organization and the API
// keys they made are revoked. An owner can be removed only by an owner, and
// never the last one. Forbidden without member.write; NotFound for another
// organization's member.
func (s *Service) RemoveMember(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("member.write"); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var userID realty.ID
		err := tx.QueryRow(ctx, `UPDATE org.members SET status = 'inactive' WHERE organization_id = $1 AND id = $2 AND status <> 'inactive'
			RETURNING user_id`, actor.OrgID, id).Scan(&userID)
		if err != nil {
			return postgres.MapError(err)
		}
		if err := guardOwners(ctx, tx, actor, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM org.role_assignments WHERE organization_id = $1 AND member_id = $2`, actor.OrgID, id); err != nil {
			return err
		}
		if err := identity.AnnounceAuthChange(ctx, tx, identity.ChangedMembers); err != nil {
			return err
		}
		if err := s.identity.RevokeOrgSessionsTx(ctx, tx, actor, userID); err != nil {
			return err
		}
		return s.identity.RevokeMemberKeysTx(ctx, tx, actor, id)
	})
}

// guardOwners refuses a change that touches an owner unless the actor is an
// owner, or that would leave the organization without an active owner.
func guardOwners(ctx context.Context, tx pgx.Tx, actor realty.Actor, member realty.ID) error {
	var isOwner, actorOwner bool
	var owners int
	err := tx.QueryRow(ctx, `
		SELECT coalesce(bool_or(ra.member_id = $2), false), coalesce(bool_or(ra.member_id = $3), false),
		       count(DISTINCT ra.member_id) FILTER (WHERE m.status = 'active' AND ra.member_id <> $2)
		FROM org.role_assignments ra
		JOIN org.roles r ON r.organization_id = ra.organization_id AND r.id = ra.role_id AND r.key = 'owner'
		JOIN org.members m ON m.organization_id = ra.organization_id AND m.id = ra.member_id
		WHERE ra.organization_id = $1`, actor.OrgID, member, actor.MemberID).Scan(&isOwner, &actorOwner, &owners)
	if err != nil {
		return err
	}
	if !isOwner {
		return nil
	}
	if !actorOwner && !actor.IsSystem() {
		return &realty.Error{Kind: realty.Forbidden, Message: "only an owner can change an owner's membership"}
	}
	if owners == 0 {
		return &realty.Error{Kind: realty.Conflict, Message: "the organization must keep at least one owner"}
	}
	return nil
}

// MemberEmails maps the lower-cased e-mail address of every active member of
// the actor's organization to their member id: how records arriving from
// outside (an MLS file's agent e-mail) name the member they belong to. It
// checks no permission of its own: callers are domains resolving references
// within a use case whose permission they have checked.
func (s *Service) MemberEmails(ctx context.Context, actor realty.Actor) (map[string]realty.ID, error) {
	out := map[string]realty.ID{}
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		var email string
		var member realty.ID
		_, err := pgx.ForEachRow(rows, []any{&email, &member}, func() error {
			out[email] = member
			return nil
		})
		return err
	}, `SELECT lower(u.email::text), m.id FROM org.members m JOIN identity.users u ON u.id = m.user_id
		WHERE m.organization_id = $1 AND m.status = 'active'`, actor.OrgID)
	return out, err
}

// UserNames returns the display names ("First Last") of the users among ids
// who are or were members of the actor's organization; others are left out.
// Like MemberEmails it checks no permission: it names who did something in
// a record the caller may already read.
func (s *Service) UserNames(ctx context.Context, actor realty.Actor, ids []realty.ID) (map[realty.ID]string, error) {
	out := map[realty.ID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		var id realty.ID
		var name string
		_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
			out[id] = name
			return nil
		})
		return err
	}, `SELECT u.id, btrim(u.first_name || ' ' || u.last_name) FROM org.members m JOIN identity.users u ON u.id = m.user_id
		WHERE m.organization_id = $1 AND m.user_id = ANY($2) AND btrim(u.first_name || ' ' || u.last_name) <> ''`, actor.OrgID, ids)
	return out, err
}
