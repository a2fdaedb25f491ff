package web

import (
	"net/http"
	"net/url"

	"realty"
	"realty/internal/maintenance"
)

// routesInspections are the inspection pages: the list (per unit or
// property) with the form scheduling one, an inspection's checklist form,
// and a move-out's comparison with its move-in.
func (s *site) routesInspections() []route {
	return []route{
		{"GET /inspections", enrolled, s.handleInspectionList},
		{"POST /inspections", enrolled, s.handleInspectionCreate},
		{"GET /inspections/{id}", enrolled, s.handleInspectionShow},
		{"POST /inspections/{id}/items", enrolled, s.handleInspectionItems},
		{"POST /inspections/{id}/start", enrolled, s.handleInspectionMove},
		{"POST /inspections/{id}/complete", enrolled, s.handleInspectionMove},
		{"GET /inspections/{id}/comparison", enrolled, s.handleInspectionComparison},
	}
}

// inspectionsData is the inspection list and the scheduling form.
type inspectionsData struct {
	Page      maintenance.InspectionPage
	Templates []maintenance.Template
	Unit      string
	Property  string
	Kinds     []string
	Form      url.Values
	Next      string
}

// handleInspectionList lists inspections, of one unit or property when
// asked (maintenance.Service.Inspections: maintenance.read, as GET
// /api/v1/inspections).
func (s *site) handleInspectionList(w http.ResponseWriter, r *http.Request) {
	s.renderInspections(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *site) renderInspections(w http.ResponseWriter, r *http.Request, code int, form url.Values, failed error) {
	actor := principalOf(r).Actor
	q := r.URL.Query()
	d := inspectionsData{Unit: q.Get("unit"), Property: q.Get("property"), Kinds: maintenance.InspectionKinds, Form: form}
	f := maintenance.InspectionFilter{Kind: q.Get("kind"), Status: q.Get("status"), Cursor: q.Get("cursor")}
	err := actor.Require("maintenance.read") // before the query's values are judged
	if err == nil {
		f.UnitID, err = idField(q, "unit")
	}
	if err == nil {
		f.PropertyID, err = idField(q, "property")
	}
	if err == nil {
		d.Page, err = s.Services.Maintenance.Inspections(r.Context(), actor, f)
	}
	if err == nil && actor.Can("maintenance.write") {
		d.Templates, err = s.Services.Maintenance.Templates(r.Context(), actor)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Page.NextCursor != "" {
		d.Next = "/inspections?" + url.Values{"unit": {d.Unit}, "property": {d.Property}, "cursor": {d.Page.NextCursor}}.Encode()
	}
	v := s.newView(r, "Inspections", &d)
	if failed != nil {
		v = s.withErr(r, v, failed)
	}
	s.render(w, r, code, "inspections", v)
}

// handleInspectionCreate schedules the inspection of the form
// (maintenance.Service.CreateInspection); a refused field comes back in
// place with 422.
func (s *site) handleInspectionCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := principalOf(r).Actor.Require("maintenance.write"); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := maintenance.InspectionInput{Kind: f.Get("kind"), Notes: nonEmpty(textField(f, "notes"))}
	var out maintenance.InspectionDetail
	err := inspectionInput(f, &in)
	if err == nil {
		out, err = s.Services.Maintenance.CreateInspection(r.Context(), principalOf(r).Actor, in)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderInspections(w, r, status(err), f, err)
		return
	}
	s.redirect(w, r, "/inspections/"+out.Inspection.ID.String()+"?notice=saved")
}

// inspectionInput reads the scheduling form's ids and date into in.
func inspectionInput(f url.Values, in *maintenance.InspectionInput) error {
	var err error
	for _, p := range []struct {
		name string
		dst  **realty.ID
	}{{"unit_id", &in.UnitID}, {"lease_id", &in.LeaseID}, {"template_id", &in.TemplateID}, {"inspector_id", &in.InspectorID}} {
		if *p.dst, err = idField(f, p.name); err != nil {
			return err
		}
	}
	if v := f.Get("scheduled_on"); v != "" {
		day, err := realty.ParseDate(v)
		if err != nil {
			return realty.FieldError("scheduled_on", "must be a date")
		}
		in.ScheduledOn = &day
	}
	return nil
}

// inspectionData is an inspection's page: its checklist, as a form while
// it may still change.
type inspectionData struct {
	Detail  maintenance.InspectionDetail
	Ratings []string
	Form    url.Values
}

// Open reports whether the checklist may still change.
func (d inspectionData) Open() bool { return d.Detail.Inspection.Status != "completed" }

// Rated reports whether item has rating r.
func (d inspectionData) Rated(item maintenance.InspectionItem, r string) bool {
	return item.Rating != nil && *item.Rating == r
}

// handleInspectionShow shows an inspection (maintenance.Service.Inspection:
// maintenance.read).
func (s *site) handleInspectionShow(w http.ResponseWriter, r *http.Request) {
	s.renderInspection(w, r, http.StatusOK, nil, nil)
}

func (s *site) renderInspection(w http.ResponseWriter, r *http.Request, code int, form url.Values, failed error) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := inspectionData{Ratings: maintenance.Ratings, Form: form}
	if d.Detail, err = s.Services.Maintenance.Inspection(r.Context(), principalOf(r).Actor, id); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Inspection", &d)
	if failed != nil {
		v = s.withErr(r, v, failed)
	}
	s.render(w, r, code, "inspection", v)
}

// handleInspectionItems saves the checklist form
// (maintenance.Service.UpdateItems: maintenance.write): rating_<item> and
// notes_<item> for each item; an empty rating leaves the item unrated.
func (s *site) handleInspectionItems(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := principalOf(r).Actor
	if err := actor.Require("maintenance.write"); err != nil {
		s.fail(w, r, err)
		return
	}
	var ups []maintenance.ItemUpdate
	for _, raw := range r.PostForm["item"] {
		item, err := realty.ParseID(raw)
		if err != nil {
			continue
		}
		ups = append(ups, maintenance.ItemUpdate{ID: item, Rating: nonEmpty(textField(r.PostForm, "rating_"+raw)),
			Notes: textField(r.PostForm, "notes_"+raw)})
	}
	if _, err := s.Services.Maintenance.UpdateItems(r.Context(), actor, id, ups); err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderInspection(w, r, status(err), r.PostForm, err)
		return
	}
	s.redirect(w, r, "/inspections/"+id.String()+"?notice=saved")
}

// handleInspectionMove starts or completes an inspection
// (maintenance.Service.StartInspection or CompleteInspection:
// maintenance.write).
func (s *site) handleInspectionMove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := principalOf(r).Actor
	move := s.Services.Maintenance.StartInspection
	if r.URL.Path == "/inspections/"+id.String()+"/complete" {
		move = s.Services.Maintenance.CompleteInspection
	}
	if _, err := move(r.Context(), actor, id); err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderInspection(w, r, status(err), nil, err)
		return
	}
	s.redirect(w, r, "/inspections/"+id.String()+"?notice=saved")
}

// handleInspectionComparison shows a move-out inspection against its
// move-in (maintenance.Service.Compare: maintenance.read), with the
// deductions a deposit disposition may cite.
func (s *site) handleInspectionComparison(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Services.Maintenance.Compare(r.Context(), principalOf(r).Actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "inspection_comparison", s.newView(r, "Move-out against move-in", &c))
}
