package reso

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"realty"
	"realty/internal/org"
)

// TokenPath is the OAuth 2.0 token endpoint (RFC 6749 §3.2): an API key's
// client id and secret exchanged for a bearer access token by the client
// credentials grant (§4.4). docs/reso.md shows a session.
const TokenPath = "/reso/oauth/token"

// metadataPath is the authorization server metadata (RFC 8414).
const metadataPath = "/.well-known/oauth-authorization-server"

// tokenReply is the successful answer (RFC 6749 §5.1).
type tokenReply struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// oauthError is an error answer (RFC 6749 §5.2).
type oauthError struct {
	status int
	code   string
	desc   string
}

// serveToken answers POST /reso/oauth/token with grant_type
// client_credentials, the client authenticated by HTTP Basic or by the
// client_id and client_secret form fields (one of the two), and an optional
// space-separated scope.
func (h *handler) serveToken(w http.ResponseWriter, r *http.Request) {
	form, oerr := tokenForm(r)
	if oerr == nil {
		oerr = h.issue(w, r, form)
	}
	if oerr != nil {
		writeOAuthError(w, oerr)
	}
}

// tokenForm reads and checks the request's form: every parameter once,
// the grant type supported.
func tokenForm(r *http.Request) (url.Values, *oauthError) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil, badRequest("invalid_request", "send the parameters as application/x-www-form-urlencoded")
	}
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("invalid_request", "malformed form body")
	}
	form := r.PostForm
	for name, vs := range form {
		if len(vs) > 1 {
			return nil, badRequest("invalid_request", "parameter "+name+" is repeated")
		}
	}
	switch form.Get("grant_type") {
	case "":
		return nil, badRequest("invalid_request", "grant_type is required")
	case "client_credentials":
		return form, nil
	default:
		return nil, badRequest("unsupported_grant_type", "only grant_type=client_credentials is supported")
	}
}

// issue authenticates the client and answers its token.
func (h *handler) issue(w http.ResponseWriter, r *http.Request, form url.Values) *oauthError {
	id, secret, oerr := clientCredentials(r, form)
	if oerr != nil {
		return oerr
	}
	var scope []string
	if form.Has("scope") {
		if scope = strings.Fields(form.Get("scope")); len(scope) == 0 {
			return badRequest("invalid_scope", "scope is empty")
		}
	}
	if h.ids == nil {
		return &oauthError{http.StatusUnauthorized, "invalid_client", "invalid client credentials"}
	}
	tok, err := h.ids.IssueToken(r.Context(), id, secret, scope, client(r))
	switch realty.KindOf(err) {
	case "":
	case realty.Unauthenticated:
		return &oauthError{http.StatusUnauthorized, "invalid_client", realty.MessageOf(err)}
	case realty.Invalid:
		return badRequest("invalid_scope", realty.MessageOf(err))
	case realty.RateLimited:
		return &oauthError{http.StatusTooManyRequests, "slow_down", realty.MessageOf(err)}
	default:
		h.log.ErrorContext(r.Context(), "issue access token", "err", err)
		return &oauthError{http.StatusInternalServerError, "server_error", "internal error"}
	}
	writeOAuth(w, http.StatusOK, tokenReply{AccessToken: tok.Token, TokenType: "Bearer",
		ExpiresIn: int64(tok.ExpiresIn.Seconds()), Scope: strings.Join(tok.Scope, " ")})
	return nil
}

// clientCredentials returns the client id and secret from HTTP Basic
// (form-urlencoded inside, RFC 6749 §2.3.1) or from the form; using both
// is invalid_request, neither invalid_client.
func clientCredentials(r *http.Request, form url.Values) (string, string, *oauthError) {
	user, pass, basic := r.BasicAuth()
	inForm := form.Has("client_id") || form.Has("client_secret")
	switch {
	case basic && inForm:
		return "", "", badRequest("invalid_request", "authenticate the client by HTTP Basic or by form fields, not both")
	case basic:
		id, err1 := url.QueryUnescape(user)
		secret, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return "", "", &oauthError{http.StatusUnauthorized, "invalid_client", "malformed HTTP Basic credentials"}
		}
		return id, secret, nil
	case inForm:
		return form.Get("client_id"), form.Get("client_secret"), nil
	default:
		return "", "", &oauthError{http.StatusUnauthorized, "invalid_client",
			"authenticate with the API key: client id rk_<prefix>, client secret the rest of the key"}
	}
}

func badRequest(code, desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, code, desc}
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="realty"`)
	}
	writeOAuth(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

// writeOAuth sends a token endpoint answer: JSON, never cached.
func writeOAuth(w http.ResponseWriter, status int, body any) {
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// serveAuthMetadata answers the authorization server metadata (RFC 8414):
// where the token endpoint is and what it takes.
func (h *handler) serveAuthMetadata(w http.ResponseWriter, r *http.Request) {
	base := origin(r)
	writeOAuth(w, http.StatusOK, map[string]any{
		"issuer":                                base,
		"token_endpoint":                        base + TokenPath,
		"grant_types_supported":                 []string{"client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"response_types_supported":              []string{},
		"service_documentation":                 base + Root,
	})
}

// admit spends one request of the principal's rate limit, writing the
// RateLimit headers on w; RateLimited when the bucket is empty.
func (h *handler) admit(w http.ResponseWriter, r *http.Request, p org.Principal) error {
	d, err := h.limits.Admit(r.Context(), p)
	if err != nil {
		return err
	}
	d.SetHeaders(w.Header())
	if !d.Allowed {
		return realty.Errorf(realty.RateLimited, "rate limit of %d requests a minute for this credential reached; retry in %s s",
			d.Limit, w.Header().Get("Retry-After"))
	}
	return nil
}
