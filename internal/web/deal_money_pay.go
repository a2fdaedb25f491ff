package web

import (
	"net/http"

	"realty"
	"realty/internal/deal"
)

// handleDealSplitPay pays an agent's (or the referral's) split of the
// deal's posted commission in full, today unless a day is given
// (deal.Service.PayCommissionSplit: deal.manage, as POST
// /api/v1/commission-splits/{id}/pay). A split already paid is refused, so
// a form sent twice pays once.
func (s *site) handleDealSplitPay(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	var split realty.ID
	if err == nil {
		if split, err = realty.ParseID(r.PathValue("split")); err != nil {
			err = &realty.Error{Kind: realty.NotFound, Message: "not found"}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := deal.PayoutInput{Reference: nonEmpty(textField(r.PostForm, "reference"))}
	in.PaidOn, err = dateField(r.PostForm, "paid_on")
	if err == nil {
		_, err = s.Services.Deal.PayCommissionSplit(r.Context(), principalOf(r).Actor, split, in)
	}
	s.dealMoneyDone(w, r, id, err)
}
