package messaging

import (
	"crypto/sha256"
	"net/netip"
	"time"

	"realty"
	"realty/internal/ratelimit"
)

// Account e-mails a person can ask for (a password reset link, an address
// confirmation) are limited so the requests cannot flood an inbox or be
// sent in bulk from one place: per recipient (the address asked for, or the
// signed-in user) AccountMailPerRecipient an hour, and per client address
// AccountMailPerIP an hour. The limits count every request, whether or not
// the address has an account, so a refusal says nothing about it. They are
// kept in memory per process, like the API's rate limits. A loopback client
// address is not counted: it is a reverse proxy on the same machine (every
// request would share its bucket) or a local tool.
const (
	AccountMailPerRecipient = 3
	AccountMailPerIP        = 10
	AccountMailWindow       = time.Hour
)

// bucketOf names a limit's bucket: what is counted (kind and dimension) in
// place of the organization, and a digest of who in place of the
// credential.
func bucketOf(what, who string) ratelimit.Key {
	var k ratelimit.Key
	a, b := sha256.Sum256([]byte("account-mail:"+what)), sha256.Sum256([]byte(who))
	copy(k.Org[:], a[:])
	copy(k.Credential[:], b[:])
	return k
}

// admitAccountMail spends one request of kind for recipient from client
// address ip (not counted when unknown or loopback). RateLimited, with the
// wait, when either bucket is empty.
func (s *Service) admitAccountMail(kind, recipient string, ip netip.Addr) error {
	if ip.IsValid() && !ip.Unmap().IsLoopback() {
		if d := s.mailLimits.Take(bucketOf(kind+":ip", ip.Unmap().String()), AccountMailPerIP, AccountMailWindow); !d.Allowed {
			return tooMany(d)
		}
	}
	if d := s.mailLimits.Take(bucketOf(kind+":recipient", recipient), AccountMailPerRecipient, AccountMailWindow); !d.Allowed {
		return tooMany(d)
	}
	return nil
}

func tooMany(d ratelimit.Decision) error {
	return realty.Errorf(realty.RateLimited, "too many e-mails asked for; try again in %d minutes",
		max(1, (ratelimit.Seconds(d.RetryAfter)+59)/60))
}
