package web

import (
	"net/http"
	"strings"

	"realty"
	"realty/internal/deal"
)

// handleContractSignerAdd adds a signer to a draft or sent contract of the
// deal (deal.Contracts.AddSigner, as POST /api/v1/contracts/{id}/signers);
// a sent contract mails them their link. A refusal shows the section again
// with the form's fields.
func (s *site) handleContractSignerAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var contract realty.ID
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil {
		if contract, err = realty.ParseID(r.PathValue("contract")); err != nil {
			err = &realty.Error{Kind: realty.NotFound, Message: "not found"}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	required := r.PostFormValue("optional") == ""
	in := deal.SignerInput{Name: r.PostFormValue("name"), Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role"),
		Required: &required}
	_, _, err = s.Services.Contracts.AddSigner(r.Context(), principalOf(r).Actor, contract, in)
	s.signersDone(w, r, id, err)
}

// handleContractSignerRemove removes a signer who has not signed
// (deal.Contracts.RemoveSigner, as DELETE /api/v1/contract-signers/{id}).
func (s *site) handleContractSignerRemove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var signer realty.ID
	if err == nil {
		if signer, err = realty.ParseID(r.PathValue("signer")); err != nil {
			err = &realty.Error{Kind: realty.NotFound, Message: "not found"}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, err = s.Services.Contracts.RemoveSigner(r.Context(), principalOf(r).Actor, signer)
	s.signersDone(w, r, id, err)
}

// signersDone answers a signer form: back to the deal's contracts, or the
// section again with the refusal.
func (s *site) signersDone(w http.ResponseWriter, r *http.Request, dealID realty.ID, err error) {
	if err == nil {
		s.redirect(w, r, "/deals/"+dealID.String()+"/contracts?notice=saved")
		return
	}
	if k := realty.KindOf(err); k == realty.Invalid || k == realty.Conflict {
		s.showDealContractsForm(w, r, status(err), err, "signer")
		return
	}
	s.fail(w, r, err)
}
