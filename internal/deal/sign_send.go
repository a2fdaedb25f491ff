package deal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// SignLinkLifetime is how long a signer's link works.
const SignLinkLifetime = 14 * 24 * time.Hour

// SignMailKind is the kind of e-mail that carries a signing link.
const SignMailKind = "deal.signature_request"

// SignPath is the signing page's address; the link adds ?token=….
const SignPath = "/sign"

// Send e-mails a one-time signing link to every signer who has not signed
// the current version and marks the contract sent. Sending again replaces
// the links: earlier ones stop working. It returns the links (for the
// caller's tests and logs; the API never shows them). Forbidden without
// deal.write; NotFound; Conflict unless the contract is a draft or sent.
func (c *Contracts) Send(ctx context.Context, actor realty.Actor, id realty.ID) (ContractDetail, []SignLink, error) {
	if err := actor.Require("deal.write"); err != nil {
		return ContractDetail{}, nil, err
	}
	var links []SignLink
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		k, err := contractTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if k.Status != ContractDraft && k.Status != ContractSent {
			return realty.Errorf(realty.Conflict, "the contract is %s: only a draft or sent contract is sent", k.Status)
		}
		signers, err := contractRowsTx[ContractSigner](ctx, tx, actor, signerColumns, "deal.contract_signers", id, "position")
		if err != nil {
			return err
		}
		now := c.now()
		for _, s := range signers {
			if s.Status == SignerSigned {
				continue
			}
			l, err := c.sendOneTx(ctx, tx, actor, k, s, now)
			if err != nil {
				return err
			}
			links = append(links, l)
		}
		if len(links) == 0 {
			return realty.Errorf(realty.Conflict, "every signer has signed: there is nobody to send the contract to")
		}
		if _, err := tx.Exec(ctx, `UPDATE deal.contracts SET status = 'sent', sent_at = $3, updated_at = now()
			WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, now); err != nil {
			return err
		}
		return contractEventTx(ctx, tx, actor, contractEvent{ContractID: id, Event: "sent", Reason: strings.Join(linkEmails(links), ", ")})
	})
	if err != nil {
		return ContractDetail{}, nil, err
	}
	out, err := c.Contract(ctx, actor, id)
	return out, links, err
}

// sendOneTx gives signer s a fresh link and queues its e-mail.
func (c *Contracts) sendOneTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, k Contract, s ContractSigner, now time.Time) (SignLink, error) {
	token, hash := signToken(actor.OrgID)
	expires := now.Add(SignLinkLifetime)
	if _, err := tx.Exec(ctx, `UPDATE deal.contract_signers SET status = 'sent', token_hash = $3, expires_at = $4, sent_at = $5, updated_at = now()
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, s.ID, hash, expires, now); err != nil {
		return SignLink{}, err
	}
	link := c.publicURL + SignPath + "?" + url.Values{"token": {token}}.Encode()
	_, err := c.mail.EnqueueTx(ctx, tx, actor, emailFor(s, k, link, expires, now))
	return SignLink{SignerID: s.ID, Email: s.Email, URL: link, Token: token}, err
}

func linkEmails(links []SignLink) []string {
	out := make([]string, len(links))
	for i, l := range links {
		out[i] = l.Email
	}
	return out
}

// signToken returns "sig_<organization hex>_<secret>" and the SHA-256 of
// the secret, which is all that is stored. The organization is in the clear
// so the signing page can scope its transaction before anyone is known;
// only the secret grants anything.
func signToken(orgID realty.ID) (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	return "sig_" + hex.EncodeToString(orgID[:]) + "_" + secret, sum[:]
}

// parseSignToken returns the organization and secret hash of a token; ok
// is false for anything malformed.
func parseSignToken(token string) (realty.ID, []byte, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(token), "sig_")
	orgHex, secret, found := strings.Cut(rest, "_")
	var org realty.ID
	if n, err := hex.Decode(org[:], []byte(orgHex)); !ok || !found || err != nil || n != 16 || len(orgHex) != 32 || len(secret) != 43 {
		return realty.ID{}, nil, false
	}
	sum := sha256.Sum256([]byte(secret))
	return org, sum[:], true
}
