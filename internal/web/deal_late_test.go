package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestDealLateMilestones: the broker's view lists a deal's late milestones,
// each linking to its deal, with its due date and agent; another
// organization's broker does not see them.
func TestDealLateMilestones(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme, globex := h.env.Organization(t, "acme"), h.env.Organization(t, "globex")
	id := dealWithMilestones(t, h, acme)
	broker := h.login(acme.Personas["broker"].Email, "acme")
	agent := acme.Personas["agent"].User
	r := h.get("/deals/closing", broker)
	expect(t, r, http.StatusOK, `id="late-milestones"`, `href="/deals/`+id.String()+`#milestones"`, "14 Late Lane with a long name",
		"Offer accepted", "2024-03-01", agent.FirstName+" "+agent.LastName)
	if i := strings.Index(r.body, "Offer accepted"); i < 0 || i > strings.Index(r.body, "Earnest money due") {
		t.Errorf("late milestones not oldest first")
	}
	other := h.get("/deals/closing", h.login(globex.Personas["broker"].Email, "globex"))
	expect(t, other, http.StatusOK, "No milestone is late.")
	if strings.Contains(other.body, id.String()) {
		t.Errorf("another organization's broker sees acme's late milestones")
	}
}
