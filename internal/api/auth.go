package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/ratelimit"
)

// Access is the rule an operation declares: who may call it. Every
// operation declares one; an operation without is refused (deny by default)
// and fails TestEveryOperationDeclaresAccess.
type Access struct {
	// Public operations need no credential (signing in, accepting an
	// invitation).
	Public bool
	// User operations need a signed-in user (a session, not an API key) and
	// no permission: the user's own account.
	User bool
	// Authenticated operations need any valid credential and no permission.
	Authenticated bool
	// Permission is what any other operation needs, from a session or an API
	// key acting in an organization.
	Permission string
}

const accessKey = "access"

type principalKey struct{}

// Register adds an operation with its access rule; operations registered
// otherwise are refused. Before h runs, the input is checked for what the
// schema cannot say (checkInput: NUL characters, decimals past their
// column), an Invalid error naming the field. It panics on an input with a
// decimal field lacking its numeric tag.
func Register[I, O any](a huma.API, op huma.Operation, rule Access, h func(context.Context, *I) (*O, error)) {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[accessKey] = rule
	declareContract[I](&op, rule)
	switch {
	case rule.Public:
		op.Description = strings.TrimSpace(op.Description + "\n\nNeeds no credential.")
	case rule.Authenticated:
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Description = strings.TrimSpace(op.Description + "\n\nNeeds a session or an API key, and no permission.")
	case rule.User:
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Description = strings.TrimSpace(op.Description + "\n\nNeeds a signed-in user (not an API key).")
	default:
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Description = strings.TrimSpace(op.Description + "\n\nNeeds permission `" + rule.Permission + "`.")
	}
	requireTags(reflect.TypeFor[I]())
	huma.Register(a, op, func(ctx context.Context, in *I) (*O, error) {
		if err := checkInput(in); err != nil {
			return nil, err
		}
		return h(ctx, in)
	})
}

// authenticate is the API's one gate: it resolves the bearer credential and
// applies the operation's access rule before the handler runs.
func authenticate(a huma.API, orgs *org.Service, limits *org.RateLimits) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		rule, ok := ctx.Operation().Metadata[accessKey].(Access)
		if !ok {
			writeErr(a, ctx, &realty.Error{Kind: realty.Forbidden, Message: "operation declares no access rule"})
			return
		}
		p, err := resolve(ctx, orgs)
		if err == nil {
			err = admit(ctx, limits, p)
		}
		switch {
		case realty.KindOf(err) == realty.RateLimited:
			writeErr(a, ctx, err)
			return
		case err != nil && !rule.Public:
			writeErr(a, ctx, err)
			return
		case rule.Public:
		case rule.User && p.User == nil:
			writeErr(a, ctx, &realty.Error{Kind: realty.Forbidden, Message: "this operation is for signed-in users, not API keys"})
			return
		case rule.User, rule.Authenticated:
		case p.MFASetupRequired:
			writeErr(a, ctx, &realty.Error{Kind: realty.Forbidden, Message: "your organization requires two-factor authentication: enrol at /api/v1/account/mfa"})
			return
		default:
			if err := p.Actor.Require(rule.Permission); err != nil {
				writeErr(a, ctx, err)
				return
			}
		}
		next(huma.WithValue(ctx, principalKey{}, p))
	}
}

// admit spends one request of the credential's rate limit and writes the
// RateLimit headers (every limited response carries them); RateLimited when
// the bucket is empty.
func admit(ctx huma.Context, limits *org.RateLimits, p org.Principal) error {
	d, err := limits.Admit(ctx.Context(), p)
	if err != nil {
		return err
	}
	_, w := humago.Unwrap(ctx)
	d.SetHeaders(w.Header())
	if !d.Allowed {
		return &realty.Error{Kind: realty.RateLimited, Message: fmt.Sprintf(
			"rate limit of %d requests a minute for this credential reached; retry in %d s", d.Limit, ratelimit.Seconds(d.RetryAfter))}
	}
	return nil
}

var errNoCredential = &realty.Error{Kind: realty.Unauthenticated, Message: "sign in required: send Authorization: Bearer <token or API key>"}

func resolve(ctx huma.Context, orgs *org.Service) (org.Principal, error) {
	h := ctx.Header("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return org.Principal{}, errNoCredential
	}
	return orgs.Authenticate(ctx.Context(), strings.TrimSpace(token), clientOf(ctx))
}

// writeErr answers with err mapped like any handler error.
func writeErr(a huma.API, ctx huma.Context, err error) {
	_ = huma.WriteErr(a, ctx, http.StatusInternalServerError, "", err)
}

// principal returns the request's principal (zero for a public operation
// called without credential).
func principal(ctx context.Context) org.Principal {
	p, _ := ctx.Value(principalKey{}).(org.Principal)
	return p
}

func actor(ctx context.Context) realty.Actor { return principal(ctx).Actor }

type clientKey struct{}

// clientOf describes the caller for throttling and the security log: the
// connection's address (realty does not trust forwarding headers) and the
// user agent.
func clientOf(ctx huma.Context) identity.Client {
	c := identity.Client{UserAgent: ctx.Header("User-Agent")}
	if host, _, err := net.SplitHostPort(ctx.RemoteAddr()); err == nil {
		c.IP, _ = netip.ParseAddr(host)
	}
	return c
}

// withClient stores the caller description for handlers.
func withClient(ctx huma.Context, next func(huma.Context)) {
	next(huma.WithValue(ctx, clientKey{}, clientOf(ctx)))
}

func client(ctx context.Context) identity.Client {
	c, _ := ctx.Value(clientKey{}).(identity.Client)
	return c
}
