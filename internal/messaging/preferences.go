package messaging

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Preference is how a member is told about one kind: the defaults of the
// kind unless the member chose otherwise.
type Preference struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
	InApp       bool   `json:"in_app"`
	Email       bool   `json:"email"`
}

// choices are a member's stored choices, by kind and channel.
type choices map[[2]string]bool

func (c choices) enabled(k Kind, channel string) bool {
	if on, ok := c[[2]string{k.Name, channel}]; ok {
		return on
	}
	switch channel {
	case ChannelInApp:
		return k.InApp
	case ChannelEmail:
		return k.Email
	}
	return false
}

func preferencesOf(ctx context.Context, db postgres.DB, orgID, memberID realty.ID) (choices, error) {
	rows, err := db.Query(ctx, `SELECT kind, channel, enabled FROM messaging.notification_preferences
		WHERE organization_id = $1 AND member_id = $2`, orgID, memberID)
	if err != nil {
		return nil, err
	}
	c := choices{}
	var kind, channel string
	var on bool
	_, err = pgx.ForEachRow(rows, []any{&kind, &channel, &on}, func() error {
		c[[2]string{kind, channel}] = on
		return nil
	})
	return c, err
}

// Preferences returns how the acting member is told about each kind of
// notification. Forbidden without notification.read or a member.
func (s *Service) Preferences(ctx context.Context, actor realty.Actor) ([]Preference, error) {
	me, err := member(actor)
	if err != nil {
		return nil, err
	}
	var c choices
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		c, err = preferencesOf(ctx, tx, actor.OrgID, me)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := []Preference{}
	for _, k := range Kinds {
		if !k.Account {
			out = append(out, Preference{Kind: k.Name, Description: k.Description, InApp: c.enabled(k, ChannelInApp), Email: c.enabled(k, ChannelEmail)})
		}
	}
	return out, nil
}

// SetPreference turns one channel of one kind on or off for the acting
// member and returns the kind's preference. Invalid naming kind or
// channel; Forbidden as Preferences.
func (s *Service) SetPreference(ctx context.Context, actor realty.Actor, kind, channel string, enabled bool) (Preference, error) {
	me, err := member(actor)
	if err != nil {
		return Preference{}, err
	}
	k, err := kindOf("kind", kind)
	if err != nil {
		return Preference{}, err
	}
	if k.Account {
		return Preference{}, realty.FieldError("kind", "account e-mails are always sent")
	}
	if channel != ChannelInApp && channel != ChannelEmail {
		return Preference{}, realty.FieldError("channel", "must be in_app or email")
	}
	var c choices
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := setChoiceTx(ctx, tx, actor.OrgID, me, kind, channel, enabled); err != nil {
			return err
		}
		c, err = preferencesOf(ctx, tx, actor.OrgID, me)
		return err
	})
	return Preference{Kind: k.Name, Description: k.Description, InApp: c.enabled(k, ChannelInApp), Email: c.enabled(k, ChannelEmail)}, err
}
