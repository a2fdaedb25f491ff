package messaging

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/postgres"
)

// noOrganization is the actor of account e-mails: global tables only.
var noOrganization = realty.Actor{}

// EnqueueAccountTx queues an e-mail about a person's own account (no
// organization) in the caller's global transaction, with its job. Errors
// as EnqueueTx.
func (s *Service) EnqueueAccountTx(ctx context.Context, tx pgx.Tx, e Email) (realty.ID, error) {
	if err := checkEmail(e); err != nil {
		return realty.ID{}, err
	}
	id := realty.NewID()
	var got realty.ID
	err := tx.QueryRow(ctx, `INSERT INTO messaging.account_deliveries (id, recipient, kind, data, idempotency_key, max_attempts)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
		RETURNING id`, id, e.To, e.Kind, orEmpty(e.Data), e.Key, s.opt.MaxAttempts).Scan(&got)
	if err != nil || got != id {
		return got, err
	}
	if _, err := s.jobs.InsertTx(ctx, tx, DeliverArgs{DeliveryID: id}, nil); err != nil {
		return realty.ID{}, fmt.Errorf("enqueue delivery job: %w", err)
	}
	return id, nil
}

// link is an absolute link to path on realty with the token as a query
// parameter.
func (s *Service) link(path, token string) string {
	return s.opt.PublicURL + path + "?" + url.Values{"token": {token}}.Encode()
}

// RequestPasswordReset queues a job that e-mails a reset link to the
// account with that address, if there is one. The answer and the work done
// before answering are the same whether or not the address is known: the
// lookup happens in the job. Requests are limited per address and per
// client address from (account_limits.go). Invalid naming email for a
// malformed address; RateLimited past a limit.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, from netip.Addr) error {
	email, err := identity.NormalizeEmail("email", email)
	if err != nil {
		return err
	}
	if err := s.admitAccountMail("password_reset", email, from); err != nil {
		return err
	}
	_, err = s.jobs.Insert(ctx, PasswordResetArgs{Email: email}, nil)
	return err
}

// sendPasswordReset issues a reset token for the active user with that
// address and queues its e-mail; nothing for an unknown or disabled one.
func (s *Service) sendPasswordReset(ctx context.Context, email string) error {
	return postgres.Tx(ctx, s.pool, noOrganization, func(tx pgx.Tx) error {
		u, err := s.ids.UserByEmailTx(ctx, tx, noOrganization, email)
		if realty.KindOf(err) == realty.NotFound || err == nil && u.Status != "active" {
			return nil
		}
		if err != nil {
			return err
		}
		id, tok, err := s.ids.IssueAccountTokenTx(ctx, tx, u.ID, u.Email, identity.PurposePasswordReset)
		if err != nil {
			return err
		}
		_, err = s.EnqueueAccountTx(ctx, tx, Email{To: u.Email, Kind: "account.password_reset",
			Data: map[string]any{"link": s.link("/reset-password", tok)}, Key: "account_token:" + id.String()})
		return err
	})
}

// RequestEmailVerification e-mails the signed-in user a link confirming
// their address. Requests are limited per user and per client address
// from (account_limits.go). Forbidden for an actor without a user (an API
// key); RateLimited past a limit.
func (s *Service) RequestEmailVerification(ctx context.Context, actor realty.Actor, from netip.Addr) error {
	if actor.UserID.IsZero() {
		return &realty.Error{Kind: realty.Forbidden, Message: "only a signed-in user can confirm their address"}
	}
	if err := s.admitAccountMail("verify_email", actor.UserID.String(), from); err != nil {
		return err
	}
	u, err := s.ids.GetUser(ctx, actor.UserID)
	if err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, noOrganization, func(tx pgx.Tx) error {
		id, tok, err := s.ids.IssueAccountTokenTx(ctx, tx, u.ID, u.Email, identity.PurposeVerifyEmail)
		if err != nil {
			return err
		}
		_, err = s.EnqueueAccountTx(ctx, tx, Email{To: u.Email, Kind: "account.verify_email",
			Data: map[string]any{"link": s.link("/verify-email", tok)}, Key: "account_token:" + id.String()})
		return err
	})
}

// Invite creates an invitation (org.Service.Invite) and e-mails its link to
// the invitee in the same transaction. Errors as org.Service.Invite.
func (s *Service) Invite(ctx context.Context, actor realty.Actor, in org.NewInvitation) (org.Invitation, string, error) {
	var inv org.Invitation
	var token string
	inviter := "A colleague"
	if !actor.MemberID.IsZero() {
		if m, err := s.org.Member(ctx, realty.System(actor.OrgID), actor.MemberID); err == nil {
			inviter = cmpOr(m.FirstName+" "+m.LastName, m.Email)
		}
	}
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		if inv, token, err = s.org.InviteTx(ctx, tx, actor, in); err != nil {
			return err
		}
		_, err = s.EnqueueTx(ctx, tx, actor, Email{To: inv.Email, Kind: "org.invitation",
			Data: map[string]any{"inviter": inviter, "link": s.link("/invitations/accept", token)}, Key: "invitation:" + inv.ID.String()})
		return err
	})
	return inv, token, err
}

func cmpOr(s, def string) string {
	if len(s) > 1 {
		return s
	}
	return def
}

// PasswordResetArgs is the job that answers a password reset request.
type PasswordResetArgs struct {
	Email string `json:"email"`
}

// Kind names the job in River.
func (PasswordResetArgs) Kind() string { return "messaging.password_reset" }

// PasswordResetWorker issues reset links.
type PasswordResetWorker struct {
	river.WorkerDefaults[PasswordResetArgs]
	Messaging *Service
}

// Work issues the token and queues the e-mail (nothing for an unknown
// address); an error makes River retry.
func (w *PasswordResetWorker) Work(ctx context.Context, job *river.Job[PasswordResetArgs]) error {
	return w.Messaging.sendPasswordReset(ctx, job.Args.Email)
}
