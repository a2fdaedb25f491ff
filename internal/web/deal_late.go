package web

import (
	"net/http"

	"realty/internal/deal"
)

// dealLateData is the broker's view's late milestones: the oldest open
// ones past due on the deals the viewer sees, with their agents' names.
type dealLateData struct {
	Late  []deal.LateMilestone
	Limit int
	nameBook
}

// dealLate loads the late milestones section (deal.Service.LateMilestones:
// deal.read; a broker sees every agent's, an agent their own).
func (s *site) dealLate(r *http.Request) (*dealLateData, error) {
	ctx, actor := r.Context(), principalOf(r).Actor
	late, err := s.Services.Deal.LateMilestones(ctx, actor)
	if err != nil {
		return nil, err
	}
	_, names := s.memberNames(ctx, actor)
	return &dealLateData{Late: late, Limit: deal.LateLimit, nameBook: names}, nil
}
