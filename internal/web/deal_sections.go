package web

import (
	"net/http"
	"net/url"
	"time"

	"realty"
	"realty/internal/deal"
)

// The deal page's sections and the broker's view's GCI and late
// milestones, each loaded by the
// file of its area and rendered by its partial through
// partials/deal_flow_slots.html.
func init() {
	dealSectionLoaders["wf"] = func(s *site, r *http.Request, d deal.Deal) (any, error) {
		return s.dealMilestonesSection(r, d.ID, "/deals/"+d.ID.String())
	}
	dealSectionLoaders["contract"] = func(s *site, r *http.Request, d deal.Deal) (any, error) {
		return s.loadDealContractSection(r.Context(), principalOf(r).Actor, d.ID)
	}
	dealSectionLoaders["money"] = func(s *site, r *http.Request, d deal.Deal) (any, error) {
		return s.dealMoneySection(r, d.ID, url.Values{})
	}
	dealSectionLoaders["docs"] = func(s *site, r *http.Request, d deal.Deal) (any, error) {
		sec, err := s.loadDocumentsSection(r, "deal", d.ID)
		if sec == nil {
			return nil, err
		}
		return sec, err
	}
	brokerSectionLoaders["gci"] = func(s *site, r *http.Request, from, _ realty.Date) (any, error) {
		year := from.Year
		if year == 0 {
			year = time.Now().UTC().Year()
		}
		return s.dealGCI(r, year)
	}
	brokerSectionLoaders["late"] = func(s *site, r *http.Request, _, _ realty.Date) (any, error) {
		return s.dealLate(r)
	}
}
