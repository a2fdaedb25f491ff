package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
	"realty/internal/org"
)

// dealPageData is the deal page: the deal, its participants and stage
// history, the moves the machine allows, the forms as typed, and the
// sections other areas fill.
type dealPageData struct {
	Deal         deal.Deal
	Participants []deal.Participant
	History      []deal.DealStageChange
	Moves        []string
	Roles        []string
	Agents       []org.Member
	Form         url.Values
	Sections     map[string]any
	nameBook
}

// Section is what the partial of area sees.
func (d *dealPageData) Section(v *view, area string) dealSection {
	return dealSection{V: v, Deal: d.Deal, Data: d.Sections[area]}
}

// Value is the form's value of field when the form was sent back, else
// the deal's own (for the edit form).
func (d *dealPageData) Value(field string) string {
	if d.Form != nil && d.Form.Get("form") == "edit" {
		return d.Form.Get(field)
	}
	x := d.Deal
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	date := func(p *realty.Date) string {
		if p == nil {
			return ""
		}
		return p.String()
	}
	switch field {
	case "title":
		return x.Title
	case "price":
		if x.Price != nil {
			return x.Price.StringFixed(2)
		}
	case "contract_date":
		return date(x.ContractDate)
	case "expected_close":
		return date(x.ExpectedClose)
	case "notes":
		return str(x.Notes)
	case "listing_id":
		if x.ListingID != nil {
			return x.ListingID.String()
		}
	}
	return ""
}

// handleDealShow shows a deal (deal.Service.Get, Participants, History:
// deal.read).
func (s *site) handleDealShow(w http.ResponseWriter, r *http.Request) {
	s.renderDealPage(w, r, http.StatusOK, nil, nil)
}

func (s *site) renderDealPage(w http.ResponseWriter, r *http.Request, code int, form url.Values, failed error) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), principalOf(r).Actor
	d := &dealPageData{Roles: deal.Roles, Form: form, Sections: map[string]any{}}
	if d.Deal, err = s.Services.Deal.Get(ctx, actor, id); err == nil {
		d.Participants, err = s.Services.Deal.Participants(ctx, actor, id)
	}
	if err == nil {
		d.History, err = s.Services.Deal.History(ctx, actor, id)
	}
	for area, load := range dealSectionLoaders {
		if err == nil {
			d.Sections[area], err = load(s, r, d.Deal)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Moves = deal.Transitions[d.Deal.Stage]
	d.Agents, d.nameBook = s.memberNames(ctx, actor)
	v := s.newView(r, d.Deal.Title, d)
	if failed != nil {
		v = s.withErr(r, v, failed)
		v.Form = form.Get("form")
	}
	s.render(w, r, code, "deal_flow", v)
}

// handleDealUpdate saves the deal page's edit form (deal.Service.Update:
// deal.write, as PATCH /api/v1/deals/{id}); an empty field stays as it is.
func (s *site) handleDealUpdate(w http.ResponseWriter, r *http.Request) {
	id, f, err := pathForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Set("form", "edit")
	p, err := dealPatch(f)
	if err == nil {
		_, err = s.Services.Deal.Update(r.Context(), principalOf(r).Actor, id, p)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderDealPage(w, r, status(err), f, err)
		return
	}
	s.redirect(w, r, withNotice("/deals/"+id.String(), "saved"))
}

// dealPatch reads the edit form: blank fields are left out of the patch.
func dealPatch(f url.Values) (deal.Patch, error) {
	var p deal.Patch
	var err error
	if p.Price, err = decimalField(f, "price"); err != nil {
		return p, err
	}
	if p.ContractDate, err = dateField(f, "contract_date"); err != nil {
		return p, err
	}
	if p.ExpectedClose, err = dateField(f, "expected_close"); err != nil {
		return p, err
	}
	if p.ListingID, err = idField(f, "listing_id"); err != nil {
		return p, err
	}
	if p.AgentID, err = idField(f, "agent_id"); err != nil {
		return p, err
	}
	p.Title, p.Notes = nonBlank(f, "title"), nonBlank(f, "notes")
	return p, nil
}

// nonBlank is the trimmed field, nil when absent or blank.
func nonBlank(f url.Values, name string) *string {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return nil
	}
	return &v
}

// handleDealParticipantAdd adds a participant from the deal page
// (deal.Service.AddParticipant: deal.write, as POST
// /api/v1/deals/{id}/participants).
func (s *site) handleDealParticipantAdd(w http.ResponseWriter, r *http.Request) {
	id, f, err := pathForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Set("form", "participant")
	in := deal.ParticipantInput{Role: f.Get("role"), Name: nonBlank(f, "name"), Company: nonBlank(f, "company"),
		Email: nonBlank(f, "email"), Phone: nonBlank(f, "phone")}
	if in.ClientID, err = idField(f, "client_id"); err == nil {
		in.MemberID, err = idField(f, "member_id")
	}
	if err == nil {
		_, err = s.Services.Deal.AddParticipant(r.Context(), principalOf(r).Actor, id, in)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderDealPage(w, r, status(err), f, err)
		return
	}
	s.redirect(w, r, withNotice("/deals/"+id.String()+"#participants", "saved"))
}

// handleDealParticipantRemove removes a participant
// (deal.Service.RemoveParticipant: deal.write, as DELETE
// /api/v1/deal-participants/{id}) and returns to its deal.
func (s *site) handleDealParticipantRemove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil {
		err = s.Services.Deal.RemoveParticipant(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, withNotice(safeNext(r.PostForm.Get("next")), "removed"))
}

// dealClosingData is the broker's view: the month's closings, their
// volume, and the sections the money and milestone areas fill.
type dealClosingData struct {
	Month    string
	Deals    []deal.Deal
	Volume   decimal.Decimal
	Sections map[string]any
	nameBook
}

// Section is what the partial of area sees.
func (d *dealClosingData) Section(v *view, area string) dealSection {
	return dealSection{V: v, Data: d.Sections[area]}
}

// brokerSectionLoaders fill the broker's view's sections other areas own
// (GCI by agent, late milestones), keyed as their partials
// deal_broker_<key>_section.
var brokerSectionLoaders = map[string]func(s *site, r *http.Request, from, to realty.Date) (any, error){}

// handleDealClosing shows the deals closing this month in UTC
// (deal.Service.Closing: deal.read; a broker sees every agent's).
func (s *site) handleDealClosing(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), principalOf(r).Actor
	now := time.Now().UTC()
	from := realty.Date{Year: now.Year(), Month: now.Month(), Day: 1}
	to := realty.DateOf(from.Time().AddDate(0, 1, -1))
	d := &dealClosingData{Month: now.Format("January 2006"), Sections: map[string]any{}}
	var err error
	d.Deals, err = s.Services.Deal.Closing(ctx, actor, from, to)
	for key, load := range brokerSectionLoaders {
		if err == nil {
			d.Sections[key], err = load(s, r, from, to)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range d.Deals {
		switch {
		case x.ClosePrice != nil:
			d.Volume = d.Volume.Add(*x.ClosePrice)
		case x.Price != nil:
			d.Volume = d.Volume.Add(*x.Price)
		}
	}
	_, d.nameBook = s.memberNames(ctx, actor)
	s.render(w, r, http.StatusOK, "deal_closing", s.newView(r, "Closing this month", d))
}
