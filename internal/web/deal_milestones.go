package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"realty"
	"realty/internal/deal"
)

// routesDealMilestones are a deal's milestones (the section the deal page
// embeds, and a page of its own), their actions, and the workflow page:
// the holiday calendar and the workflow templates.
func (s *site) routesDealMilestones() []route {
	return []route{
		{"GET /deals/{id}/milestones", enrolled, s.handleDealMilestones},
		{"POST /deals/{id}/milestones", enrolled, s.handleApplyMilestones},
		{"POST /milestones/{id}/complete", enrolled, s.milestoneAction("complete")},
		{"POST /milestones/{id}/uncomplete", enrolled, s.milestoneAction("uncomplete")},
		{"POST /milestones/{id}/due", enrolled, s.milestoneAction("due")},
		{"GET /deal-workflow", enrolled, s.handleWorkflow},
		{"POST /deal-workflow/holidays", enrolled, s.handleHolidayAdd},
		{"POST /deal-workflow/holidays/{day}/remove", enrolled, s.handleHolidayRemove},
		{"POST /deal-workflow/templates", enrolled, s.handleTemplateSave},
		{"POST /deal-workflow/templates/{id}", enrolled, s.handleTemplateSave},
		{"POST /deal-workflow/templates/{id}/delete", enrolled, s.handleTemplateDelete},
	}
}

// MilestonesSection is what the deal page's milestones section shows: the
// deal's milestones with their due dates, how many are late, and where its
// forms return. The deal page renders it with
// {{template "deal_milestones_section" (row $ .Data.Milestones)}}.
type MilestonesSection struct {
	DealID realty.ID
	Items  []milestoneRow
	Late   int
	Next   string
}

// milestoneRow is a milestone with its rule in words.
type milestoneRow struct {
	deal.Milestone
	Rule string
}

// dealMilestonesSection loads the section for a deal (deal.Service.
// Milestones: deal.read); next is the page its forms return to.
func (s *site) dealMilestonesSection(r *http.Request, dealID realty.ID, next string) (*MilestonesSection, error) {
	items, err := s.Services.Deal.Milestones(r.Context(), principalOf(r).Actor, dealID)
	if err != nil {
		return nil, err
	}
	sec := &MilestonesSection{DealID: dealID, Next: next}
	names := map[string]string{}
	for _, m := range items {
		names[m.Key] = m.Name
	}
	for _, m := range items {
		if m.Late {
			sec.Late++
		}
		sec.Items = append(sec.Items, milestoneRow{Milestone: m, Rule: ruleWords(m, names)})
	}
	return sec, nil
}

// ruleWords says how a milestone's due date is computed: "3 business days
// after the contract date", "1 business day before Closing".
func ruleWords(m deal.Milestone, names map[string]string) string {
	if m.DueFixed != nil || m.Anchor == nil {
		return "a fixed date"
	}
	from := map[string]string{deal.AnchorContractDate: "the contract date", deal.AnchorExpectedClose: "the expected close"}[*m.Anchor]
	if m.AnchorKey != nil {
		from = names[*m.AnchorKey]
	}
	if m.Days == 0 {
		return "on " + from
	}
	n, unit, dir := m.Days, "calendar day", "after"
	if m.BusinessDays {
		unit = "business day"
	}
	if n < 0 {
		n, dir = -n, "before"
	}
	if n != 1 {
		unit += "s"
	}
	return strconv.Itoa(n) + " " + unit + " " + dir + " " + from
}

// handleDealMilestones shows a deal's milestones on a page of their own.
func (s *site) handleDealMilestones(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sec, err := s.dealMilestonesSection(r, id, "/deals/"+id.String()+"/milestones")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "deal_milestones", s.newView(r, "Milestones", sec))
}

// handleApplyMilestones gives the deal its template's milestones
// (deal.Service.ApplyTemplate: deal.write).
func (s *site) handleApplyMilestones(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil {
		_, err = s.Services.Deal.ApplyTemplate(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, milestonesNext(r.PostForm.Get("next"), id))
}

// milestoneAction completes, reopens or re-dates one milestone
// (deal.Service: deal.write) and returns to the form's page.
func (s *site) milestoneAction(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err == nil {
			err = r.ParseForm()
		}
		var m deal.Milestone
		if err == nil {
			ctx, actor := r.Context(), principalOf(r).Actor
			switch what {
			case "complete":
				m, err = s.Services.Deal.CompleteMilestone(ctx, actor, id)
			case "uncomplete":
				m, err = s.Services.Deal.UncompleteMilestone(ctx, actor, id)
			default:
				var due *realty.Date
				if due, err = milestoneDate(r.PostForm.Get("due_override"), "due_override"); err == nil {
					m, err = s.Services.Deal.SetMilestoneDue(ctx, actor, id, due)
				}
			}
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.redirect(w, r, milestonesNext(r.PostForm.Get("next"), m.DealID))
	}
}

// milestonesNext is the form's page when it is one of ours, else the
// deal's milestones page.
func milestonesNext(next string, dealID realty.ID) string {
	if n := safeNext(next); n != "/" {
		return n
	}
	return "/deals/" + dealID.String() + "/milestones"
}

// milestoneDate reads an optional YYYY-MM-DD form value.
func milestoneDate(v, field string) (*realty.Date, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	d, err := realty.ParseDate(strings.TrimSpace(v))
	if err != nil {
		return nil, realty.FieldError(field, "is not a date (YYYY-MM-DD)")
	}
	return &d, nil
}

// workflowData is the workflow page: a year of the holiday calendar and the
// templates, each with room for more milestones.
type workflowData struct {
	Year      int
	Holidays  []deal.CalendarDay
	Templates []templateForm
	New       templateForm
	Stages    []string
}

// templateForm is a template as its form shows it: its rules plus blank
// rows, and its checklist as "stage: category, category" lines.
type templateForm struct {
	deal.WorkflowTemplate
	Rows      []deal.MilestoneRule
	Checklist string
}

const blankRows = 3

func formOf(t deal.WorkflowTemplate) templateForm {
	f := templateForm{WorkflowTemplate: t, Rows: append(append([]deal.MilestoneRule{}, t.Milestones...), make([]deal.MilestoneRule, blankRows)...)}
	var lines []string
	for _, sd := range t.RequiredDocuments {
		lines = append(lines, sd.Stage+": "+strings.Join(sd.Categories, ", "))
	}
	f.Checklist = strings.Join(lines, "\n")
	return f
}

// handleWorkflow shows the holiday calendar of a year (?year=, this year
// by default) and the templates (deal.Service.Holidays, Templates:
// deal.read).
func (s *site) handleWorkflow(w http.ResponseWriter, r *http.Request) {
	d, err := s.workflowData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "deal_workflow", s.newView(r, "Deal workflow", d))
}

func (s *site) workflowData(r *http.Request) (*workflowData, error) {
	d := &workflowData{Year: time.Now().UTC().Year(), Stages: deal.Stages,
		New: templateForm{WorkflowTemplate: deal.WorkflowTemplate{Kind: "any", Side: "any"}, Rows: make([]deal.MilestoneRule, blankRows)}}
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			n = -1 // refused by the domain, once the permission is checked
		}
		d.Year = n
	}
	ctx, actor := r.Context(), principalOf(r).Actor
	var err error
	if d.Holidays, err = s.Services.Deal.Holidays(ctx, actor, d.Year); err != nil {
		return nil, err
	}
	ts, err := s.Services.Deal.Templates(ctx, actor)
	for _, t := range ts {
		d.Templates = append(d.Templates, formOf(t))
	}
	return d, err
}

// handleHolidayAdd puts the form's day on the calendar (deal.manage).
func (s *site) handleHolidayAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	day, err := milestoneDate(r.PostForm.Get("day"), "day")
	if err == nil && day == nil {
		day = &realty.Date{} // refused as missing, once the permission is checked
	}
	if err == nil {
		_, err = s.Services.Deal.AddHoliday(r.Context(), principalOf(r).Actor, deal.Holiday{Day: *day, Name: r.PostForm.Get("name")})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/deal-workflow?year="+strconv.Itoa(day.Year)+"&notice=saved")
}

// handleHolidayRemove takes a day off the calendar (deal.manage).
func (s *site) handleHolidayRemove(w http.ResponseWriter, r *http.Request) {
	day, err := milestoneDate(r.PathValue("day"), "day")
	if err == nil && day == nil {
		err = realty.FieldError("day", "is required")
	}
	if err == nil {
		err = s.Services.Deal.RemoveHoliday(r.Context(), principalOf(r).Actor, *day)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/deal-workflow?year="+strconv.Itoa(day.Year)+"&notice=removed")
}

// handleTemplateSave creates a template, or replaces the one of the path
// (deal.Service.CreateTemplate, ReplaceTemplate: deal.manage).
func (s *site) handleTemplateSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := templateInput(r)
	if err == nil {
		ctx, actor := r.Context(), principalOf(r).Actor
		if r.PathValue("id") == "" {
			_, err = s.Services.Deal.CreateTemplate(ctx, actor, in)
		} else {
			var id realty.ID
			if id, err = pathID(r); err == nil {
				_, err = s.Services.Deal.ReplaceTemplate(ctx, actor, id, in)
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/deal-workflow?notice=saved")
}

// handleTemplateDelete deletes a template (deal.manage).
func (s *site) handleTemplateDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Deal.DeleteTemplate(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/deal-workflow?notice=deleted")
}

// templateInput reads a template form: rows m<i>.key, .name, .required,
// .rule (contract_date, expected_close, milestone or fixed), .anchor_key,
// .days, .business, .due_fixed, a row without key and name skipped; and
// the checklist, one "stage: category, category" a line.
func templateInput(r *http.Request) (deal.WorkflowTemplateInput, error) {
	f := r.PostForm
	in := deal.WorkflowTemplateInput{Name: f.Get("name"), Kind: f.Get("kind"), Side: f.Get("side"), Milestones: []deal.MilestoneRule{}}
	for i := 0; i < 60; i++ {
		p := "m" + strconv.Itoa(i) + "."
		if _, ok := f[p+"key"]; !ok {
			break
		}
		m, ok, err := ruleRow(f.Get, p)
		if err != nil {
			return in, err
		}
		if ok {
			in.Milestones = append(in.Milestones, m)
		}
	}
	for _, line := range strings.Split(f.Get("checklist"), "\n") {
		stage, cats, ok := strings.Cut(line, ":")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !ok {
			return in, realty.FieldError("checklist", "write each line as stage: category, category")
		}
		sd := deal.StageDocuments{Stage: strings.TrimSpace(stage)}
		for _, c := range strings.Split(cats, ",") {
			if c = strings.TrimSpace(c); c != "" {
				sd.Categories = append(sd.Categories, c)
			}
		}
		in.RequiredDocuments = append(in.RequiredDocuments, sd)
	}
	return in, nil
}

// ruleRow reads one milestone row of a template form; false for a blank
// row.
func ruleRow(get func(string) string, p string) (deal.MilestoneRule, bool, error) {
	m := deal.MilestoneRule{Key: strings.TrimSpace(get(p + "key")), Name: strings.TrimSpace(get(p + "name")),
		Required: get(p+"required") == "on", BusinessDays: get(p+"business") == "on", AnchorKey: strings.TrimSpace(get(p + "anchor_key"))}
	if m.Key == "" && m.Name == "" {
		return m, false, nil
	}
	switch rule := get(p + "rule"); rule {
	case "fixed":
		due, err := milestoneDate(get(p+"due_fixed"), p+"due_fixed")
		if err != nil {
			return m, false, err
		}
		m.DueFixed, m.AnchorKey, m.BusinessDays = due, "", false
	case deal.AnchorContractDate, deal.AnchorExpectedClose, deal.AnchorMilestone:
		m.Anchor = rule
		if rule != deal.AnchorMilestone {
			m.AnchorKey = ""
		}
	}
	if v := strings.TrimSpace(get(p + "days")); v != "" && m.DueFixed == nil {
		n, err := strconv.Atoi(v)
		if err != nil || n < -365 || n > 365 {
			return m, false, realty.FieldError(p+"days", "must be a whole number between -365 and 365")
		}
		m.Days = n
	}
	return m, true, nil
}
