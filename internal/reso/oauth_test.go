package reso_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"realty/internal/audit"
	"realty/internal/identity"
)

// tokenReply is the token endpoint's answer, success or error.
type tokenReply struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// tokenRequest posts form to the token endpoint, with HTTP Basic when
// basic holds an id and a secret.
func (h *harness) tokenRequest(form url.Values, basic ...string) (*http.Response, tokenReply) {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.url+"/reso/oauth/token", strings.NewReader(form.Encode()))
	h.must(err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	h.must(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	h.must(err)
	var out tokenReply
	if err := json.Unmarshal(body, &out); err != nil {
		h.t.Fatalf("token endpoint answered %d, not JSON: %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		h.t.Fatalf("token endpoint headers %v", resp.Header)
	}
	return resp, out
}

// clientOf splits an API key into the client id and secret a client sends.
func clientOf(key string) (string, string) {
	return key[:len("rk_")+12], key[len("rk_")+13:]
}

// token exchanges key for an access token by HTTP Basic, optionally scoped.
func (h *harness) token(key string, scope ...string) string {
	h.t.Helper()
	id, secret := clientOf(key)
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scope) > 0 {
		form.Set("scope", strings.Join(scope, " "))
	}
	resp, out := h.tokenRequest(form, id, secret)
	if resp.StatusCode != 200 || out.TokenType != "Bearer" || !strings.HasPrefix(out.AccessToken, identity.TokenPrefix) {
		h.t.Fatalf("token: %d %+v", resp.StatusCode, out)
	}
	return out.AccessToken
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id, secret := clientOf(h.keyA)
	grant := url.Values{"grant_type": {"client_credentials"}}

	t.Run("OKBasic", func(t *testing.T) {
		resp, out := h.tokenRequest(grant, id, secret)
		if resp.StatusCode != 200 || out.ExpiresIn != 3600 || out.Scope != "listing.read member.read property.read" {
			t.Fatalf("%d %+v", resp.StatusCode, out)
		}
		if c := h.page("/reso/odata/Property", out.AccessToken); len(c.Value) != 8 {
			t.Fatalf("bearer token read %d listings", len(c.Value))
		}
		if c := h.page("/reso/odata/Member", out.AccessToken); len(c.Value) == 0 {
			t.Fatal("no members with member.read")
		}
	})
	t.Run("OKFormFields", func(t *testing.T) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {strings.TrimPrefix(id, "rk_")}, "client_secret": {secret}}
		if resp, out := h.tokenRequest(form); resp.StatusCode != 200 || out.AccessToken == "" {
			t.Fatalf("%d %+v", resp.StatusCode, out)
		}
	})
	t.Run("OKNarrowerScope", func(t *testing.T) {
		tok := h.token(h.keyA, "listing.read")
		h.page("/reso/odata/Property", tok)
		h.odataError("/reso/odata/Member", tok, 403)
	})
	t.Run("ErrTampered", func(t *testing.T) {
		tok := h.token(h.keyA, "listing.read")
		h.odataError("/reso/odata/Property", tok[:len(tok)-2]+"AA", 401)
		h.odataError("/reso/odata/Property", identity.TokenPrefix+"garbage.garbage", 401)
	})
	for _, c := range []struct {
		name   string
		form   url.Values
		basic  []string
		status int
		code   string
	}{
		{"ErrWiderScope", url.Values{"grant_type": {"client_credentials"}, "scope": {"listing.read listing.write"}}, []string{id, secret}, 400, "invalid_scope"},
		{"ErrEmptyScope", url.Values{"grant_type": {"client_credentials"}, "scope": {" "}}, []string{id, secret}, 400, "invalid_scope"},
		{"ErrGrantType", url.Values{"grant_type": {"password"}}, []string{id, secret}, 400, "unsupported_grant_type"},
		{"ErrNoGrantType", url.Values{}, []string{id, secret}, 400, "invalid_request"},
		{"ErrRepeated", url.Values{"grant_type": {"client_credentials", "client_credentials"}}, []string{id, secret}, 400, "invalid_request"},
		{"ErrTwoMethods", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}, []string{id, secret}, 400, "invalid_request"},
		{"ErrNoClient", grant, nil, 401, "invalid_client"},
		{"ErrWrongSecret", grant, []string{id, strings.Repeat("x", 43)}, 401, "invalid_client"},
		{"ErrUnknownClient", grant, []string{"rk_000000000000", secret}, 401, "invalid_client"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, out := h.tokenRequest(c.form, c.basic...)
			if resp.StatusCode != c.status || out.Error != c.code || out.Description == "" || out.AccessToken != "" {
				t.Fatalf("%d %+v, want %d %s", resp.StatusCode, out, c.status, c.code)
			}
			if c.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("401 without a Basic challenge: %v", resp.Header)
			}
		})
	}
	t.Run("ErrNotAForm", func(t *testing.T) {
		resp, err := http.Post(h.url+"/reso/oauth/token", "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
		h.must(err)
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("JSON body: %d", resp.StatusCode)
		}
	})
	t.Run("OKMetadata", func(t *testing.T) {
		resp, body := h.get("/.well-known/oauth-authorization-server", "")
		var m struct {
			TokenEndpoint string   `json:"token_endpoint"`
			Grants        []string `json:"grant_types_supported"`
		}
		if err := json.Unmarshal(body, &m); err != nil || resp.StatusCode != 200 || m.TokenEndpoint != h.url+"/reso/oauth/token" ||
			len(m.Grants) != 1 || m.Grants[0] != "client_credentials" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("OKIssueIsAudited", func(t *testing.T) {
		events, err := h.env.Audit.Events(context.Background(), h.a.Personas["owner"].Actor, audit.Filter{Kind: identity.EventTokenIssued})
		h.must(err)
		if len(events.Items) == 0 || !strings.Contains(string(events.Items[0].Details), `"prefix"`) {
			t.Fatalf("token issues logged: %+v", events.Items)
		}
	})
}

// TestTokenEndsWithKey: revoking the key ends its tokens at once (this
// server runs without the change listener, so the key is read on every
// request; identity's TestTokenFollowsRevocation covers the cache).
func TestTokenEndsWithKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	key, secret, err := h.env.Identity.CreateAPIKey(context.Background(), h.a.Personas["owner"].Actor,
		identity.NewAPIKey{Name: "revoked", Permissions: []string{"listing.read"}}, identity.Client{})
	h.must(err)
	tok := h.token(secret)
	h.page("/reso/odata/Property", tok)
	h.must(h.env.Identity.RevokeAPIKey(context.Background(), h.a.Personas["owner"].Actor, key.ID, identity.Client{}))
	h.odataError("/reso/odata/Property", tok, 401)
	id, sec := clientOf(secret)
	if resp, out := h.tokenRequest(url.Values{"grant_type": {"client_credentials"}}, id, sec); resp.StatusCode != 401 || out.Error != "invalid_client" {
		t.Fatalf("revoked key got a token: %d %+v", resp.StatusCode, out)
	}
}
