package web

import (
	"net/http"

	"realty/internal/org"
)

// routesMembers are the routes of the members page.
func (s *site) routesMembers() []route {
	return []route{
		{"GET /admin/members", enrolled, s.handleMemberList},
		{"POST /admin/members/{id}", enrolled, s.handleMemberUpdate},
		{"POST /admin/members/{id}/remove", enrolled, s.handleMemberRemove},
	}
}

// membersData is the members page.
type membersData struct {
	Members []org.Member
}

// handleMemberList lists the organization's members (org.Service.Members:
// member.read, as GET /api/v1/members).
func (s *site) handleMemberList(w http.ResponseWriter, r *http.Request) {
	list, err := s.Services.Org.Members(r.Context(), principalOf(r).Actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "members", s.newView(r, "Members", membersData{Members: list}))
}

// handleMemberUpdate changes a member's title (org.Service.UpdateMember:
// member.write, as PATCH /api/v1/members/{id}).
func (s *site) handleMemberUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var m org.Member
	if err == nil {
		m, err = s.Services.Org.UpdateMember(r.Context(), principalOf(r).Actor, id, r.PostFormValue("title"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.memberDone(w, r, &m, "saved")
}

// handleMemberRemove ends a membership at once (org.Service.RemoveMember:
// member.write, as DELETE /api/v1/members/{id}); the member stays listed as
// inactive.
func (s *site) handleMemberRemove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Org.RemoveMember(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var m *org.Member
	if isHTMX(r) {
		if got, err := s.Services.Org.Member(r.Context(), principalOf(r).Actor, id); err == nil {
			m = &got
		}
	}
	s.memberDone(w, r, m, "removed")
}

// memberDone answers a change to one member: htmx gets the member's row
// (nothing, removing the row, when it cannot be read back), a plain form
// goes back to the list.
func (s *site) memberDone(w http.ResponseWriter, r *http.Request, m *org.Member, notice string) {
	switch {
	case !isHTMX(r):
		s.redirect(w, r, "/admin/members?notice="+notice)
	case m == nil:
		w.WriteHeader(http.StatusOK)
	default:
		s.fragment(w, r, http.StatusOK, "members", "member-row", row{V: s.bareView(r), It: *m})
	}
}
