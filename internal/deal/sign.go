package deal

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/messaging"
	"realty/internal/postgres"
	"realty/internal/ratelimit"
)

// The public signing pages are limited per client address: SignPerIP
// requests per SignWindow, in memory per process like the other public
// limits. A loopback address is not counted (a reverse proxy on the same
// machine, or a local tool).
const (
	SignPerIP  = 30
	SignWindow = time.Minute
)

// SigningClient is where a signing request came from.
type SigningClient struct {
	IP        netip.Addr
	UserAgent string
}

// Signing is what the signing page shows: the exact version to sign.
type Signing struct {
	Organization string
	ContractID   realty.ID
	Title        string
	SignerName   string
	SignerEmail  string
	Role         string
	Version      int
	SHA256       string
	Body         string
	ExpiresAt    time.Time
}

// SignInput is what signing takes: consent to sign electronically, the
// typed name, and the SHA-256 of the version the signer was shown.
type SignInput struct {
	Consent   bool
	TypedName string
	SHA256    string
}

// SignResult says what signing did.
type SignResult struct {
	Signing
	// Executed is true when this signature was the last required one.
	Executed bool
}

// signTarget is a signer found by their link, with their contract.
type signTarget struct {
	actor    realty.Actor
	signer   ContractSigner
	contract Contract
	version  ContractVersion
}

// errLinkUnknown answers a link that names nothing.
var errLinkUnknown = &realty.Error{Kind: realty.NotFound, Message: "this signing link is not valid: ask the sender for a new one"}

// OpenSigning returns what the signer of token signs and records that they
// viewed it. NotFound for an unknown or replaced link; Conflict (logged in
// the contract's trail) for a used or expired link, a void contract, or a
// document that no longer matches its SHA-256; RateLimited past SignPerIP.
func (c *Contracts) OpenSigning(ctx context.Context, token string, cl SigningClient) (Signing, error) {
	var out Signing
	err := c.signing(ctx, token, cl, func(tx pgx.Tx, t signTarget) error {
		if _, err := c.versionBytes(ctx, t.version); err != nil {
			return err
		}
		out = c.signingView(ctx, t)
		return contractEventTx(ctx, tx, t.actor, contractEvent{ContractID: t.contract.ID, SignerID: &t.signer.ID, Event: "viewed",
			SHA256: t.version.SHA256, IP: cl.IP, UserAgent: cl.UserAgent})
	})
	return out, err
}

// SigningDocument returns the PDF the signer of token signs, checked
// against its SHA-256. Errors as OpenSigning.
func (c *Contracts) SigningDocument(ctx context.Context, token string, cl SigningClient) ([]byte, ContractVersion, error) {
	var b []byte
	var v ContractVersion
	err := c.signing(ctx, token, cl, func(_ pgx.Tx, t signTarget) error {
		var err error
		b, err = c.versionBytes(ctx, t.version)
		v = t.version
		return err
	})
	return b, v, err
}

// Sign records the signature of token's signer on the version they were
// shown: time, address, user agent, typed name, consent and the version's
// SHA-256; the link then stops working. When every required signer has
// signed, the contract is executed in the same transaction (with the
// certificate version). Invalid naming consent or typed_name; otherwise
// errors as OpenSigning, plus Conflict (logged) when sha256 is not the
// current version's.
func (c *Contracts) Sign(ctx context.Context, token string, in SignInput, cl SigningClient) (SignResult, error) {
	if !in.Consent {
		return SignResult{}, realty.FieldError("consent", "tick the box to agree to sign electronically")
	}
	in.TypedName = strings.TrimSpace(in.TypedName)
	if n := len([]rune(in.TypedName)); n < 1 || n > 200 {
		return SignResult{}, realty.FieldError("typed_name", "type your full name (1 to 200 characters)")
	}
	var out SignResult
	err := c.signing(ctx, token, cl, func(tx pgx.Tx, t signTarget) error {
		if in.SHA256 != t.version.SHA256 {
			return realty.Errorf(realty.Conflict, "the document changed since you opened it: reload the page and read it again")
		}
		if _, err := c.versionBytes(ctx, t.version); err != nil {
			return err
		}
		if err := signTx(ctx, tx, t, in, cl, c.now()); err != nil {
			return err
		}
		out.Signing = c.signingView(ctx, t)
		var err error
		out.Executed, err = c.executeIfCompleteTx(ctx, tx, t.actor, t.contract)
		return err
	})
	return out, err
}

func signTx(ctx context.Context, tx pgx.Tx, t signTarget, in SignInput, cl SigningClient, now time.Time) error {
	var ip *netip.Addr
	if cl.IP.IsValid() {
		a := cl.IP.Unmap()
		ip = &a
	}
	if _, err := tx.Exec(ctx, `UPDATE deal.contract_signers SET status = 'signed', signed_at = $3, ip = $4, user_agent = NULLIF($5, ''),
		typed_name = $6, consent = true, signed_version = $7, signed_sha256 = $8, updated_at = now()
		WHERE organization_id = $1 AND id = $2`, t.actor.OrgID, t.signer.ID, now, ip, contractClip(cl.UserAgent, 500), in.TypedName,
		t.version.Number, t.version.SHA256); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE deal.contracts SET status = 'signed', updated_at = now() WHERE organization_id = $1 AND id = $2
		AND status = 'sent' AND NOT EXISTS (SELECT FROM deal.contract_signers WHERE organization_id = $1 AND contract_id = $2
		AND required AND status <> 'signed')`, t.actor.OrgID, t.contract.ID); err != nil {
		return err
	}
	return contractEventTx(ctx, tx, t.actor, contractEvent{ContractID: t.contract.ID, SignerID: &t.signer.ID, Event: "signed",
		SHA256: t.version.SHA256, IP: cl.IP, UserAgent: cl.UserAgent, Reason: "typed name: " + in.TypedName})
}

// signing finds token's signer and contract in a transaction of their
// organization, checks the link may still be used, and runs fn. A refusal
// is recorded in the contract's trail after the transaction rolled back.
func (c *Contracts) signing(ctx context.Context, token string, cl SigningClient, fn func(pgx.Tx, signTarget) error) error {
	if err := c.admitSigning(cl.IP); err != nil {
		return err
	}
	orgID, hash, ok := parseSignToken(token)
	if !ok {
		return errLinkUnknown
	}
	actor := realty.Actor{OrgID: orgID}
	var found *signTarget
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		t, err := signTargetTx(ctx, tx, actor, hash)
		if err != nil {
			return err
		}
		found = &t
		if err := t.usable(c.now()); err != nil {
			return err
		}
		return fn(tx, t)
	})
	if err != nil && found != nil && realty.KindOf(err) == realty.Conflict {
		c.logRefusal(ctx, *found, err, cl)
	}
	return err
}

// signTargetTx reads the signer holding the link hash, their contract and
// its current version, locking the contract.
func signTargetTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, hash []byte) (signTarget, error) {
	rows, err := tx.Query(ctx, `SELECT `+signerColumns+` FROM deal.contract_signers WHERE organization_id = $1 AND token_hash = $2`, actor.OrgID, hash)
	if err != nil {
		return signTarget{}, err
	}
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractSigner])
	if errors.Is(err, pgx.ErrNoRows) {
		return signTarget{}, errLinkUnknown
	} else if err != nil {
		return signTarget{}, err
	}
	rows, err = tx.Query(ctx, `SELECT `+contractColumns+` FROM deal.contracts WHERE organization_id = $1 AND id = $2 FOR UPDATE`, actor.OrgID, s.ContractID)
	if err != nil {
		return signTarget{}, err
	}
	k, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Contract])
	if err != nil {
		return signTarget{}, notFound(err, "contract")
	}
	v, err := versionTx(ctx, tx, actor, k.ID, k.CurrentVersion)
	return signTarget{actor: actor, signer: s, contract: k, version: v}, err
}

// usable refuses a link that was used, expired, or whose contract is void
// or no longer waiting for signatures.
func (t signTarget) usable(now time.Time) error {
	switch {
	case t.signer.Status == SignerSigned:
		return realty.Errorf(realty.Conflict, "this link was used: you signed this contract on %s", contractTime(t.signer.SignedAt))
	case t.contract.Status == ContractVoid:
		return realty.Errorf(realty.Conflict, "this contract was voided by its sender: there is nothing to sign")
	case t.signer.Status != SignerSent || (t.contract.Status != ContractSent && t.contract.Status != ContractSigned):
		return realty.Errorf(realty.Conflict, "this contract is not waiting for your signature: ask the sender for a new link")
	case t.signer.ExpiresAt == nil || !now.Before(*t.signer.ExpiresAt):
		return realty.Errorf(realty.Conflict, "this link expired: ask the sender for a new one")
	}
	return nil
}

// logRefusal records a refused signing attempt in its own transaction (the
// attempt's own was rolled back).
func (c *Contracts) logRefusal(ctx context.Context, t signTarget, refusal error, cl SigningClient) {
	_ = postgres.Tx(context.WithoutCancel(ctx), c.pool, t.actor, func(tx pgx.Tx) error {
		return contractEventTx(ctx, tx, t.actor, contractEvent{ContractID: t.contract.ID, SignerID: &t.signer.ID, Event: "refused",
			Reason: realty.MessageOf(refusal), IP: cl.IP, UserAgent: cl.UserAgent})
	})
}

func (c *Contracts) signingView(ctx context.Context, t signTarget) Signing {
	s := Signing{ContractID: t.contract.ID, Title: t.contract.Title, SignerName: t.signer.Name, SignerEmail: t.signer.Email,
		Role: t.signer.Role, Version: t.version.Number, SHA256: t.version.SHA256, Body: t.version.Body}
	if t.signer.ExpiresAt != nil {
		s.ExpiresAt = *t.signer.ExpiresAt
	}
	if c.org != nil {
		if o, err := c.org.Organization(ctx, realty.System(t.actor.OrgID)); err == nil {
			s.Organization = o.Name
		}
	}
	return s
}

// admitSigning spends one request of ip's bucket; RateLimited when empty.
func (c *Contracts) admitSigning(ip netip.Addr) error {
	if !ip.IsValid() || ip.Unmap().IsLoopback() {
		return nil
	}
	var k ratelimit.Key
	a, b := sha256.Sum256([]byte("deal.sign")), sha256.Sum256([]byte(ip.Unmap().String()))
	copy(k.Org[:], a[:])
	copy(k.Credential[:], b[:])
	if d := c.limits.Take(k, SignPerIP, SignWindow); !d.Allowed {
		return realty.Errorf(realty.RateLimited, "too many signing requests from your address; try again in %d seconds",
			max(1, ratelimit.Seconds(d.RetryAfter)))
	}
	return nil
}

// emailFor is the e-mail carrying signer s's link.
func emailFor(s ContractSigner, k Contract, link string, expires, now time.Time) messaging.Email {
	return messaging.Email{To: s.Email, Kind: SignMailKind, Key: fmt.Sprintf("contract-sign:%s:%d", s.ID, now.UnixNano()),
		Data: map[string]any{"name": s.Name, "title": k.Title, "link": link, "to": expires.UTC().Format("2 January 2006 15:04 MST")}}
}
