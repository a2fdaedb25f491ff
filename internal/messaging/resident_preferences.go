package messaging

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// ResidentKinds are the notifications a resident chooses e-mail for:
// announcements to their home and messages from the manager. In-app they
// always arrive (the portal lists them whatever the choice).
var ResidentKinds = []string{"announcement.published", "message.new"}

// ResidentPreferences returns, for the acting resident, each of
// ResidentKinds with its e-mail choice (InApp is always true). The choices
// are the resident member's own rows of notification_preferences, the same
// ones NotifyTx reads when it delivers to them. Errors as ResidentOnly
// (NotFound for a resident linked to no tenancy).
func (s *Service) ResidentPreferences(ctx context.Context, actor realty.Actor) ([]Preference, error) {
	if err := residentMember(actor); err != nil {
		return nil, err
	}
	var c choices
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		c, err = preferencesOf(ctx, tx, actor.OrgID, actor.MemberID)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]Preference, 0, len(ResidentKinds))
	for _, name := range ResidentKinds {
		k, err := kindOf("kind", name)
		if err != nil {
			return nil, err
		}
		out = append(out, Preference{Kind: k.Name, Description: k.Description, InApp: true, Email: c.enabled(k, ChannelEmail)})
	}
	return out, nil
}

// SetResidentPreferences turns e-mail on or off for each kind of email (a
// kind of ResidentKinds to its choice) for the acting resident only, in one
// transaction, and returns the resident's preferences. Forbidden without
// tenancy.own; then Invalid naming kind for a kind a resident does not
// choose (nothing written); then errors as ResidentPreferences.
func (s *Service) SetResidentPreferences(ctx context.Context, actor realty.Actor, email map[string]bool) ([]Preference, error) {
	if err := actor.Require("tenancy.own"); err != nil {
		return nil, err
	}
	for kind := range email {
		if !slices.Contains(ResidentKinds, kind) {
			return nil, realty.FieldError("kind", "must be one of announcement.published and message.new")
		}
	}
	if err := residentMember(actor); err != nil {
		return nil, err
	}
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		for _, kind := range ResidentKinds {
			on, ok := email[kind]
			if !ok {
				continue
			}
			if err := setChoiceTx(ctx, tx, actor.OrgID, actor.MemberID, kind, ChannelEmail, on); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.ResidentPreferences(ctx, actor)
}

// residentMember is nil for a resident acting for their own member and
// linked to a tenancy; errors as ResidentOnly.
func residentMember(actor realty.Actor) error {
	if err := ResidentOnly(actor); err != nil {
		return err
	}
	if actor.MemberID.IsZero() {
		return &realty.Error{Kind: realty.Forbidden, Message: "preferences belong to members; this credential acts for none"}
	}
	return nil
}

// setChoiceTx stores one member's choice of one channel of one kind.
func setChoiceTx(ctx context.Context, tx pgx.Tx, orgID, memberID realty.ID, kind, channel string, enabled bool) error {
	_, err := tx.Exec(ctx, `INSERT INTO messaging.notification_preferences (organization_id, id, member_id, kind, channel, enabled)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (organization_id, member_id, kind, channel) DO UPDATE SET enabled = EXCLUDED.enabled`,
		orgID, realty.NewID(), memberID, kind, channel, enabled)
	return err
}
