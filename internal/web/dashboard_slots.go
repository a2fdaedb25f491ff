package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"realty"
	"realty/internal/ledger"

	"github.com/shopspring/decimal"
)

// dashboardPanel is a panel of the manager dashboard filled by another
// domain: a titled chart of labelled figures, each linking to the list
// behind it, drawn and tabulated like the dashboard's own panels.
type dashboardPanel struct {
	// ID names the panel's section (its element id), Title heads it and
	// Note, when set, is a line under the chart, a link to NoteLink when
	// that is set.
	ID, Title, Note, NoteLink string
	// Chart holds the figures: one label and link per figure, one series
	// per row of values ("Budget", "Actual", …).
	Chart chart
	// Money says whether the values are amounts (shown with cents) or
	// counts.
	Money bool
}

// Figure is one of the panel's values as its table shows it: an amount
// with thousands separators (and cents when there are any), or a count.
func (p dashboardPanel) Figure(v float64) string {
	if p.Money {
		return "$" + money(decimal.NewFromFloat(v).Round(2))
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// dashboardSlot is a panel of the manager dashboard shown to a member
// holding perm, filled by one domain read. A domain adds a row to
// dashboardSlots, as homePanels does for the start page.
type dashboardSlot struct {
	perm string
	load func(ctx context.Context, s *site, actor realty.Actor) (dashboardPanel, error)
}

// dashboardSlots are the panels other domains add to the manager
// dashboard, in order: open work orders by priority, budget vs actual for
// the year.
var dashboardSlots = []dashboardSlot{
	{"maintenance.read", workOrderPanel},
	{"ledger.read", budgetPanel},
}

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

// openStatuses are the work order statuses still to be done, the series of
// the work order panel.
var openStatuses = []string{"open", "assigned", "in_progress"}

// workOrderPanel is the work orders still to be done within the actor's
// property scope, by priority and status (maintenance.Service.OpenByPriority):
// each priority links to its list of orders still to be done, the note to
// the overdue ones.
func workOrderPanel(ctx context.Context, s *site, actor realty.Actor) (dashboardPanel, error) {
	counts, err := s.Services.Maintenance.OpenByPriority(ctx, actor)
	if err != nil {
		return dashboardPanel{}, err
	}
	p := dashboardPanel{ID: "dash-work-orders", Title: "Open work orders by priority", NoteLink: "/work-orders?overdue=1"}
	p.Chart = chart{Type: "bar"}
	for _, st := range openStatuses {
		p.Chart.Series = append(p.Chart.Series, chartSeries{Name: label(st), Values: make([]float64, 4)})
	}
	total, overdue := 0, 0
	for i, pr := range []string{"emergency", "high", "normal", "low"} {
		p.Chart.Labels = append(p.Chart.Labels, label(pr))
		p.Chart.Links = append(p.Chart.Links, "/work-orders?active=1&priority="+pr)
		for _, c := range counts {
			if c.Priority == pr {
				p.Chart.Series[slices.Index(openStatuses, c.Status)].Values[i] = float64(c.Count)
				total, overdue = total+c.Count, overdue+c.Overdue
			}
		}
	}
	p.Note = fmt.Sprintf("%d still to do, %d open past the response target", total, overdue)
	return p, nil
}

// budgetPanel is this year's budget against the journal from January to
// this month (ledger.Service.YearBudgetActual), by account: each account
// links to the full report, as does the note. A year without a budget the
// actor may see shows an empty panel linking to the budgets.
func budgetPanel(ctx context.Context, s *site, actor realty.Actor) (dashboardPanel, error) {
	today := realty.DateOf(time.Now().UTC())
	p := dashboardPanel{ID: "dash-budget", Title: "Budget vs actual, " + strconv.Itoa(today.Year), Money: true,
		Chart: chart{Type: "bar", Series: []chartSeries{{Name: "Budget to date"}, {Name: "Actual to date"}}}}
	yb, err := s.Services.Ledger.YearBudgetActual(ctx, actor, today.Year)
	if realty.KindOf(err) == realty.NotFound {
		p.Note, p.NoteLink = "No budget for "+strconv.Itoa(today.Year)+" yet.", "/budgets"
		return p, nil
	}
	if err != nil {
		return dashboardPanel{}, err
	}
	report := "/budgets/" + yb.BudgetID.String() + "/vs-actual"
	var income, expense ledger.Variance
	for _, r := range yb.Rows {
		v := r.Through(int(today.Month))
		if v.Budget.IsZero() && v.Actual.IsZero() {
			continue
		}
		p.Chart.Labels = append(p.Chart.Labels, r.Code+" "+r.Name)
		p.Chart.Links = append(p.Chart.Links, report)
		p.Chart.Series[0].Values = append(p.Chart.Series[0].Values, v.Budget.InexactFloat64())
		p.Chart.Series[1].Values = append(p.Chart.Series[1].Values, v.Actual.InexactFloat64())
		if r.Type == "income" {
			income = addVariance(income, r.Year)
		} else {
			expense = addVariance(expense, r.Year)
		}
	}
	p.Note = fmt.Sprintf("%s, January to %s. The year's budget: income $%s, expenses $%s. Full report",
		yb.Name, today.Time().Format("January"), money(income.Budget), money(expense.Budget))
	p.NoteLink = report
	return p, nil
}

// addVariance sums the budget and actual of two variances.
func addVariance(a, b ledger.Variance) ledger.Variance {
	return ledger.Variance{Budget: ledger.M(a.Budget.Add(b.Budget.Decimal)), Actual: ledger.M(a.Actual.Add(b.Actual.Decimal))}
}
