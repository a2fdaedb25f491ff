package web

import (
	"context"

	"realty"
)

// dashboardPanel is a panel of the manager dashboard filled by another
// domain: a titled chart of labelled figures, each linking to the list
// behind it, drawn and tabulated like the dashboard's own panels.
type dashboardPanel struct {
	// ID names the panel's section (its element id), Title heads it and
	// Note, when set, is a line under the chart.
	ID, Title, Note string
	// Chart holds the figures: one label and link per figure, one series
	// per row of values ("Budget", "Actual", …).
	Chart chart
	// Money says whether the values are amounts (shown with cents) or
	// counts.
	Money bool
}

// dashboardSlot is a panel of the manager dashboard shown to a member
// holding perm, filled by one domain read. A domain adds a row to
// dashboardSlots, as homePanels does for the start page.
type dashboardSlot struct {
	perm string
	load func(ctx context.Context, s *site, actor realty.Actor) (dashboardPanel, error)
}

// dashboardSlots are the panels other domains add to the manager
// dashboard, in order (open work orders by priority, budget vs actual for
// the year, …); empty until those domains exist.
var dashboardSlots []dashboardSlot

// slotPanels loads the slots the actor's permissions call for.
func (s *site) slotPanels(ctx context.Context, actor realty.Actor) ([]dashboardPanel, error) {
	var out []dashboardPanel
	for _, slot := range dashboardSlots {
		if !actor.Can(slot.perm) {
			continue
		}
		p, err := slot.load(ctx, s, actor)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
