package web

import (
	"net/http"
	"strings"

	"realty"
	"realty/internal/identity"
)

// routesAPIKeys are the routes of the API keys page.
func (s *site) routesAPIKeys() []route {
	return []route{
		{"GET /admin/api-keys", enrolled, s.handleAPIKeyList},
		{"POST /admin/api-keys", enrolled, s.handleAPIKeyCreate},
		{"POST /admin/api-keys/{id}/revoke", enrolled, s.handleAPIKeyRevoke},
	}
}

// apiKeysData is the API keys page.
type apiKeysData struct {
	Keys        []identity.APIKey
	Permissions []realty.Permission
	// Name, Checked and ExpiresOn are the form's values, shown back after an
	// error.
	Name      string
	Checked   []string
	ExpiresOn string
	// Created is the key just made with its secret: shown in answer to the
	// creating post only.
	Created *createdKey
}

type createdKey struct {
	Key    identity.APIKey
	Secret string
}

// showAPIKeys renders the API keys page with d, and err when set. It needs
// apikey.read (identity.Service.APIKeys, as GET /api/v1/api-keys).
func (s *site) showAPIKeys(w http.ResponseWriter, r *http.Request, st int, d apiKeysData, err error) {
	keys, lerr := s.Services.Identity.APIKeys(r.Context(), principalOf(r).Actor)
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	d.Keys, d.Permissions = keys, s.Services.Org.Permissions()
	v := s.newView(r, "API keys", d)
	if err != nil {
		s.withErr(r, v, err)
	}
	s.render(w, r, st, "apikeys", v)
}

// handleAPIKeyList shows the API keys page.
func (s *site) handleAPIKeyList(w http.ResponseWriter, r *http.Request) {
	s.showAPIKeys(w, r, http.StatusOK, apiKeysData{}, nil)
}

// handleAPIKeyCreate makes a key with the checked permissions
// (identity.Service.CreateAPIKey: apikey.write, as POST /api/v1/api-keys)
// and shows its secret once, in answer to the post itself.
func (s *site) handleAPIKeyCreate(w http.ResponseWriter, r *http.Request) {
	d := apiKeysData{Name: strings.TrimSpace(r.PostFormValue("name")), Checked: r.PostForm["permissions"],
		ExpiresOn: r.PostFormValue("expires_on")}
	in := identity.NewAPIKey{Name: d.Name, Permissions: d.Checked}
	var err error
	in.ExpiresAt, err = parseDay("expires_at", d.ExpiresOn)
	var key identity.APIKey
	var secret string
	if err == nil {
		key, secret, err = s.Services.Identity.CreateAPIKey(r.Context(), principalOf(r).Actor, in, clientOf(r))
	}
	if err != nil {
		s.showAPIKeys(w, r, status(err), d, err)
		return
	}
	s.showAPIKeys(w, r, http.StatusOK, apiKeysData{Created: &createdKey{Key: key, Secret: secret}}, nil)
}

// handleAPIKeyRevoke stops a key at once (identity.Service.RevokeAPIKey:
// apikey.write, as DELETE /api/v1/api-keys/{id}). htmx gets the key's row
// back.
func (s *site) handleAPIKeyRevoke(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Identity.RevokeAPIKey(r.Context(), actor, id, clientOf(r))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !isHTMX(r) {
		s.redirect(w, r, "/admin/api-keys?notice=revoked")
		return
	}
	keys, err := s.Services.Identity.APIKeys(r.Context(), actor)
	for _, k := range keys {
		if err == nil && k.ID == id {
			s.fragment(w, r, http.StatusOK, "apikeys", "apikey-row", row{V: s.bareView(r), It: k})
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}
