package web

import (
	"net/http"
	"net/url"
	"strings"

	"realty"
	"realty/internal/deal"
)

// routesDealFlow are the pipeline board, the deal page and the broker's
// view of the month's closings.
func (s *site) routesDealFlow() []route {
	return []route{
		{"GET /deals", enrolled, s.handleDealBoard},
		{"POST /deals", enrolled, s.handleDealCreate},
		{"GET /deals/closing", enrolled, s.handleDealClosing},
		{"GET /deals/{id}", enrolled, s.handleDealShow},
		{"POST /deals/{id}", enrolled, s.handleDealUpdate},
		{"POST /deals/{id}/moves", enrolled, s.handleDealMove},
		{"POST /deals/{id}/participants", enrolled, s.handleDealParticipantAdd},
		{"POST /deal-participants/{id}/remove", enrolled, s.handleDealParticipantRemove},
		{"GET /my-deals", enrolled, s.handleDealsFollowed},
	}
}

// dealBoardData is the pipeline board: a column per stage, the agents'
// names, and the form to open a deal as typed.
type dealBoardData struct {
	Columns []deal.BoardColumn
	Kinds   []string
	Sides   []string
	Form    url.Values
	nameBook
}

// nameBook names the organization's members for the deal pages, each of
// whose data embeds one (filled by site.memberNames).
type nameBook map[realty.ID]string

// Name is the name of the member id names, or "".
func (b nameBook) Name(id *realty.ID) string {
	if id == nil {
		return ""
	}
	return b[*id]
}

// MovesFrom are the stages the machine lets a deal at stage move to.
func (*dealBoardData) MovesFrom(stage string) []string { return deal.Transitions[stage] }

// handleDealBoard shows the pipeline (deal.Service.Board: deal.read, as GET
// /api/v1/deal-board).
func (s *site) handleDealBoard(w http.ResponseWriter, r *http.Request) {
	s.renderDealBoard(w, r, http.StatusOK, nil, nil)
}

// renderDealBoard shows the board; failed is a refused move or deal, shown
// above it with the reason.
func (s *site) renderDealBoard(w http.ResponseWriter, r *http.Request, code int, form url.Values, failed error) {
	actor := principalOf(r).Actor
	d := &dealBoardData{Kinds: deal.Kinds, Sides: deal.Sides, Form: form}
	var err error
	if d.Columns, err = s.Services.Deal.Board(r.Context(), actor, 25); err != nil {
		s.fail(w, r, err)
		return
	}
	_, d.nameBook = s.memberNames(r.Context(), actor)
	v := s.newView(r, "Pipeline", d)
	if failed != nil {
		v = s.withErr(r, v, failed)
		v.Form = form.Get("form")
	}
	s.render(w, r, code, "deal_board", v)
}

// handleDealCreate opens a deal from the board's form (deal.Service.Create:
// deal.write, as POST /api/v1/deals) and shows its page.
func (s *site) handleDealCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	f.Set("form", "open")
	price, err := decimalField(f, "price")
	var d deal.Deal
	if err == nil {
		d, err = s.Services.Deal.Create(r.Context(), principalOf(r).Actor, deal.Input{Title: strings.TrimSpace(f.Get("title")),
			Kind: f.Get("kind"), Side: f.Get("side"), Price: price})
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderDealBoard(w, r, status(err), f, err)
		return
	}
	s.redirect(w, r, withNotice("/deals/"+d.ID.String(), "saved"))
}

// handleDealMove moves a deal from the board or the deal page
// (deal.Service.Move: deal.write, as POST /api/v1/deals/{id}/moves). A
// refused move is shown where it was asked for, with the machine's or the
// guard's reason.
func (s *site) handleDealMove(w http.ResponseWriter, r *http.Request) {
	id, f, err := pathForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Set("form", "move")
	in := deal.MoveInput{To: f.Get("to"), Reason: strings.TrimSpace(f.Get("reason"))}
	if in.ActualClose, err = dateField(f, "actual_close"); err == nil {
		in.ClosePrice, err = decimalField(f, "close_price")
	}
	if err == nil {
		_, err = s.Services.Deal.Move(r.Context(), principalOf(r).Actor, id, in)
	}
	back := safeNext(f.Get("next"))
	if err != nil {
		k := realty.KindOf(err)
		switch {
		case isHTMX(r) || (k != realty.Invalid && k != realty.Conflict):
			s.fail(w, r, err)
		case back == "/deals":
			s.renderDealBoard(w, r, status(err), f, err)
		default:
			s.renderDealPage(w, r, status(err), f, err)
		}
		return
	}
	s.redirect(w, r, withNotice(back, "saved"))
}

// dealSectionLoaders load the deal page's sections that other areas of the
// deal domain own (milestones, contracts, money, documents), keyed by area;
// each area's partial template deal_<area>_section renders what its loader
// returned (deal_sections.go registers them).
var dealSectionLoaders = map[string]func(s *site, r *http.Request, d deal.Deal) (any, error){}

// dealSection is what a section's partial sees: the page's view (for Can
// and FieldError), the deal and the section's own data.
type dealSection struct {
	V    *view
	Deal deal.Deal
	Data any
}
