package deal

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/crm"
	"realty/internal/org"
)

// Participant is one party to a deal: a CRM client, a member, or an outside
// party (an attorney, a lender, a title officer…) named on the row.
type Participant struct {
	ID       realty.ID  `db:"id" json:"id"`
	DealID   realty.ID  `db:"deal_id" json:"deal_id"`
	Role     string     `db:"role" json:"role" enum:"buyer,seller,buyer_agent,listing_agent,attorney,lender,title,escrow,inspector,appraiser,referral,other"`
	ClientID *realty.ID `db:"client_id" json:"client_id,omitempty"`
	MemberID *realty.ID `db:"member_id" json:"member_id,omitempty"`
	Name     *string    `db:"name" json:"name,omitempty" doc:"an outside party's name"`
	Company  *string    `db:"company" json:"company,omitempty"`
	Email    *string    `db:"email" json:"email,omitempty"`
	Phone    *string    `db:"phone" json:"phone,omitempty" doc:"E.164, e.g. +14155552671"`
	// DisplayName is the client's, member's or outside party's name.
	DisplayName string    `db:"-" json:"display_name"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

const participantColumns = `id, deal_id, role, client_id, member_id, name, company, email, phone, created_at`

// ParticipantInput adds a participant: exactly one of ClientID, MemberID or
// Name (an outside party, who may also have a company, e-mail and phone).
type ParticipantInput struct {
	Role     string     `json:"role" enum:"buyer,seller,buyer_agent,listing_agent,attorney,lender,title,escrow,inspector,appraiser,referral,other"`
	ClientID *realty.ID `json:"client_id,omitempty" doc:"a CRM client"`
	MemberID *realty.ID `json:"member_id,omitempty" doc:"a member of the organization"`
	Name     *string    `json:"name,omitempty" maxLength:"200" doc:"an outside party"`
	Company  *string    `json:"company,omitempty" maxLength:"200"`
	Email    *string    `json:"email,omitempty" maxLength:"254"`
	Phone    *string    `json:"phone,omitempty" maxLength:"20" doc:"E.164, e.g. +14155552671"`
}

// check trims the input and refuses what the table would, naming the field.
func (in *ParticipantInput) check() error {
	for _, p := range []**string{&in.Name, &in.Company, &in.Email, &in.Phone} {
		if *p != nil {
			if v := strings.TrimSpace(**p); v != "" {
				*p = &v
			} else {
				*p = nil
			}
		}
	}
	if !slices.Contains(Roles, in.Role) {
		return realty.FieldError("role", "must be one of "+roleList)
	}
	n := 0
	for _, set := range []bool{in.ClientID != nil, in.MemberID != nil, in.Name != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return realty.FieldError("client_id", "name exactly one of client_id, member_id or name")
	}
	if in.Name == nil && (in.Company != nil || in.Email != nil || in.Phone != nil) {
		return realty.FieldError("company", "only an outside party (named by name) has a company, e-mail or phone here")
	}
	return nil
}

// AddParticipant adds a participant to a deal the actor may change. A
// client must be one the actor works (their own, or any with
// client.manage). Errors: Forbidden without deal.write; NotFound for a deal
// the actor may not see; Invalid naming the field (client_id for a client
// the actor does not work, member_id for no member); Conflict when the
// client or member already holds that role in the deal.
func (s *Service) AddParticipant(ctx context.Context, actor realty.Actor, dealID realty.ID, in ParticipantInput) (Participant, error) {
	if err := actor.Require("deal.write"); err != nil {
		return Participant{}, err
	}
	if err := in.check(); err != nil {
		return Participant{}, err
	}
	var out Participant
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, dealID, false); err != nil {
			return err
		}
		if in.ClientID != nil {
			if err := crm.VisibleClientTx(ctx, tx, actor, *in.ClientID); err != nil {
				return realty.FieldError("client_id", "no such client of yours")
			}
		}
		rows, err := tx.Query(ctx, `INSERT INTO deal.deal_participants (organization_id, id, deal_id, role, client_id, member_id,
			name, company, email, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+participantColumns,
			actor.OrgID, realty.NewID(), dealID, in.Role, in.ClientID, in.MemberID, in.Name, in.Company, in.Email, in.Phone)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Participant]); err != nil {
			return err
		}
		ps := []Participant{out}
		err = nameParticipantsTx(ctx, tx, actor, ps)
		out = ps[0]
		return err
	})
	return out, err
}

// Participants lists a deal's participants by role, then as added.
// Errors: Forbidden without deal.read; NotFound for a deal the actor may
// not see.
func (s *Service) Participants(ctx context.Context, actor realty.Actor, dealID realty.ID) ([]Participant, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	var out []Participant
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, dealID, false); err != nil {
			return err
		}
		var err error
		out, err = ParticipantsTx(ctx, tx, actor, dealID)
		return err
	})
	return out, err
}

// ParticipantsTx lists, inside tx, the participants of a deal the caller
// already read, named.
func ParticipantsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, dealID realty.ID) ([]Participant, error) {
	rows, err := tx.Query(ctx, `SELECT `+participantColumns+` FROM deal.deal_participants
		WHERE organization_id = $1 AND deal_id = $2 ORDER BY role, created_at, id`, actor.OrgID, dealID)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Participant])
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Participant{}
	}
	return out, nameParticipantsTx(ctx, tx, actor, out)
}

// RemoveParticipant removes a participant from a deal the actor may
// change. Errors: Forbidden without deal.write; NotFound for a participant
// of a deal the actor may not see (or of no deal of the organization).
func (s *Service) RemoveParticipant(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("deal.write"); err != nil {
		return err
	}
	gone := &realty.Error{Kind: realty.NotFound, Message: "participant not found"}
	return s.tx(ctx, actor, func(tx pgx.Tx) error {
		var dealID realty.ID
		err := tx.QueryRow(ctx, `SELECT deal_id FROM deal.deal_participants WHERE organization_id = $1 AND id = $2`,
			actor.OrgID, id).Scan(&dealID)
		if errors.Is(err, pgx.ErrNoRows) {
			return gone
		}
		if err != nil {
			return err
		}
		if _, err := GetTx(ctx, tx, actor, dealID, true); realty.KindOf(err) == realty.NotFound {
			return gone
		} else if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM deal.deal_participants WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
		return err
	})
}

// nameParticipantsTx fills each participant's display name: the client's
// or member's name, or the outside party's.
func nameParticipantsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, ps []Participant) error {
	var clients, members []realty.ID
	for _, p := range ps {
		if p.ClientID != nil {
			clients = append(clients, *p.ClientID)
		}
		if p.MemberID != nil {
			members = append(members, *p.MemberID)
		}
	}
	clientNames, err := crm.ClientNamesTx(ctx, tx, actor, clients)
	if err != nil {
		return err
	}
	memberNames, err := org.MemberNamesTx(ctx, tx, actor, members)
	if err != nil {
		return err
	}
	for i, p := range ps {
		switch {
		case p.ClientID != nil:
			ps[i].DisplayName = clientNames[*p.ClientID]
		case p.MemberID != nil:
			ps[i].DisplayName = memberNames[*p.MemberID]
		case p.Name != nil:
			ps[i].DisplayName = *p.Name
		}
	}
	return nil
}
