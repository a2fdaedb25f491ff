package web

import (
	"net/http"
	"net/url"
	"strings"

	"realty"
	"realty/internal/org"
)

// routesInvitations are the routes of the invitations page and accepting an invitation.
func (s *site) routesInvitations() []route {
	return []route{
		{"GET /invitations/accept", anyone, s.handleInvitationAcceptShow},
		{"POST /invitations/accept", anyone, s.handleInvitationAccept},
		{"GET /admin/invitations", enrolled, s.handleInvitationList},
		{"POST /admin/invitations", enrolled, s.handleInvitationCreate},
		{"POST /admin/invitations/{id}/revoke", enrolled, s.handleInvitationRevoke},
	}
}

// invitationsData is the invitations page.
type invitationsData struct {
	Invitations []org.Invitation
	// Roles fill the role select; nil when the actor may not read roles.
	Roles []org.Role
	Email string
	Role  string
	// Created is the invitation just made, with its token and link: shown
	// in answer to the creating post only.
	Created *createdInvitation
}

type createdInvitation struct {
	Invitation org.Invitation
	Token      string
	Link       string
}

// showInvitations renders the invitations page with d, and err when set.
// Listing needs member.read or member.invite (org.Service.Invitations, as
// GET /api/v1/invitations); the role select is left out without role.read.
func (s *site) showInvitations(w http.ResponseWriter, r *http.Request, st int, d invitationsData, err error) {
	actor := principalOf(r).Actor
	list, lerr := s.Services.Org.Invitations(r.Context(), actor)
	if lerr == nil {
		d.Roles, lerr = s.Services.Org.Roles(r.Context(), actor)
		if realty.KindOf(lerr) == realty.Forbidden {
			d.Roles, lerr = nil, nil
		}
	}
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	d.Invitations = list
	v := s.newView(r, "Invitations", d)
	if err != nil {
		s.withErr(r, v, err)
	}
	s.render(w, r, st, "invitations", v)
}

// handleInvitationList shows the invitations page.
func (s *site) handleInvitationList(w http.ResponseWriter, r *http.Request) {
	s.showInvitations(w, r, http.StatusOK, invitationsData{}, nil)
}

// handleInvitationCreate invites someone by email with a role
// (org.Service.Invite: member.invite, as POST /api/v1/invitations) and shows
// the token and accept link once. The page answers the post itself rather
// than redirecting, so the token never sits in a URL or in history.
func (s *site) handleInvitationCreate(w http.ResponseWriter, r *http.Request) {
	d := invitationsData{Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role_id")}
	roleID, _ := realty.ParseID(d.Role) // none chosen: the zero id, which Invite refuses naming role_id
	inv, token, err := s.Services.Messaging.Invite(r.Context(), principalOf(r).Actor, org.NewInvitation{Email: d.Email, RoleID: roleID})
	if err != nil {
		s.showInvitations(w, r, status(err), d, err)
		return
	}
	d = invitationsData{Created: &createdInvitation{Invitation: inv, Token: token, Link: acceptLink(r, token)}}
	s.showInvitations(w, r, http.StatusOK, d, nil)
}

// acceptLink is the absolute address of the accept page for token, on the
// host the inviting admin reached.
func acceptLink(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/invitations/accept?token=" + url.QueryEscape(token)
}

// handleInvitationRevoke withdraws an open invitation (org.Service.
// RevokeInvitation: member.invite, as DELETE /api/v1/invitations/{id}).
// htmx gets the invitation's row back.
func (s *site) handleInvitationRevoke(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Org.RevokeInvitation(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !isHTMX(r) {
		s.redirect(w, r, "/admin/invitations?notice=revoked")
		return
	}
	list, err := s.Services.Org.Invitations(r.Context(), actor)
	for _, inv := range list {
		if err == nil && inv.ID == id {
			s.fragment(w, r, http.StatusOK, "invitations", "invitation-row", row{V: s.bareView(r), It: inv})
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// acceptData is the accept-invitation page: the token from the link and the
// names typed so far (never the password).
type acceptData struct {
	Token string
	// SignIn signs in first and comes back here.
	SignIn    string
	FirstName string
	LastName  string
}

func newAcceptData(token, first, last string) acceptData {
	signIn := "/login?next=" + url.QueryEscape("/invitations/accept?token="+url.QueryEscape(token))
	return acceptData{Token: token, SignIn: signIn, FirstName: first, LastName: last}
}

// handleInvitationAcceptShow shows the form accepting the invitation whose
// token the link carries: a signed-in user accepts as themselves, anyone
// else gives the password (and names) of the account to create, or signs in
// first when they already have one.
func (s *site) handleInvitationAcceptShow(w http.ResponseWriter, r *http.Request) {
	d := newAcceptData(r.URL.Query().Get("token"), "", "")
	s.render(w, r, http.StatusOK, "accept", s.newView(r, "Accept invitation", d))
}

// handleInvitationAccept spends the invitation (org.Service.
// AcceptInvitation, public as POST /api/v1/invitations/accept). A signed-in
// user then acts in the organization joined; anyone else signs in.
func (s *site) handleInvitationAccept(w http.ResponseWriter, r *http.Request) {
	d := newAcceptData(strings.TrimSpace(r.PostFormValue("token")), r.PostFormValue("first_name"), r.PostFormValue("last_name"))
	acc := org.Acceptance{Token: d.Token, Password: r.PostFormValue("password"), FirstName: d.FirstName, LastName: d.LastName}
	p := principalOf(r)
	if p != nil {
		acc.SignedIn = &p.User.ID
	}
	o, _, err := s.Services.Org.AcceptInvitation(r.Context(), acc)
	if err != nil {
		s.render(w, r, status(err), "accept", s.withErr(r, s.newView(r, "Accept invitation", d), err))
		return
	}
	if p == nil {
		s.redirect(w, r, "/login?notice=accepted")
		return
	}
	if _, err := s.Services.Org.SwitchOrganization(r.Context(), *p, o.Slug); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/?notice=accepted")
}
