package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"realty"
	"realty/internal/deal"
)

// routesDealContracts are the contract section of a deal (shown alone at
// /deals/{id}/contracts, and as a section of the deal page) and its forms.
func (s *site) routesDealContracts() []route {
	return []route{
		{"GET /deals/{id}/contracts", enrolled, s.handleDealContracts},
		{"POST /deals/{id}/contracts", enrolled, s.handleDealContractCreate},
		{"POST /contracts/{id}/send", enrolled, s.handleContractSend},
		{"POST /contracts/{id}/void", enrolled, s.handleContractVoid},
		{"POST /deals/{id}/contracts/{contract}/signers", enrolled, s.handleContractSignerAdd},
		{"POST /deals/{id}/contract-signers/{signer}/remove", enrolled, s.handleContractSignerRemove},
		{"GET /contract-versions/{id}/pdf", enrolled, s.handleContractVersionPDF},
	}
}

// dealContractSection is what the deal page's contract section shows: the
// deal's contracts with their signers and versions, and the templates the
// form draws from (nil when the actor may not draw contracts).
type dealContractSection struct {
	DealID    realty.ID
	Contracts []deal.ContractDetail
	Templates []deal.ContractTemplate
	Roles     []string
}

// loadDealContractSection reads a deal's contract section for the actor
// (deal.read, as GET /api/v1/deals/{id}/contracts). Errors: Forbidden,
// NotFound.
func (s *site) loadDealContractSection(ctx context.Context, actor realty.Actor, dealID realty.ID) (dealContractSection, error) {
	sec := dealContractSection{DealID: dealID, Roles: deal.SignerRoles}
	list, err := s.Services.Contracts.DealContracts(ctx, actor, dealID)
	if err != nil {
		return sec, err
	}
	for _, k := range list {
		d, err := s.Services.Contracts.Contract(ctx, actor, k.ID)
		if err != nil {
			return sec, err
		}
		sec.Contracts = append(sec.Contracts, d)
	}
	if actor.Can("deal.write") {
		if sec.Templates, err = s.Services.Contracts.Templates(ctx, actor); err != nil {
			return sec, err
		}
	}
	return sec, nil
}

// handleDealContracts shows a deal's contract section as a page.
func (s *site) handleDealContracts(w http.ResponseWriter, r *http.Request) {
	s.showDealContracts(w, r, http.StatusOK, nil)
}

func (s *site) showDealContracts(w http.ResponseWriter, r *http.Request, st int, ferr error) {
	s.showDealContractsForm(w, r, st, ferr, "contract")
}

// showDealContractsForm shows the deal's contract section with ferr, the
// refusal of the form named form, when set.
func (s *site) showDealContractsForm(w http.ResponseWriter, r *http.Request, st int, ferr error, form string) {
	id, err := pathID(r)
	var sec dealContractSection
	if err == nil {
		sec, err = s.loadDealContractSection(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Contracts", sec)
	if ferr != nil {
		s.withErr(r, v, ferr)
		v.Form = form
	}
	s.render(w, r, st, "deal_contracts", v)
}

// handleDealContractCreate draws a contract from the form
// (deal.Contracts.CreateContract, as POST /api/v1/deals/{id}/contracts):
// a template, a title and up to five signers (rows left empty are skipped).
func (s *site) handleDealContractCreate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := deal.ContractInput{Title: strings.TrimSpace(r.PostFormValue("title"))}
	in.TemplateID, _ = realty.ParseID(r.PostFormValue("template_id")) // none: the zero id, refused naming template_id
	names, emails, roles := r.PostForm["signer_name"], r.PostForm["signer_email"], r.PostForm["signer_role"]
	for i := range min(len(names), len(emails), len(roles), 5) {
		if strings.TrimSpace(names[i]) == "" && strings.TrimSpace(emails[i]) == "" {
			continue
		}
		required := r.PostFormValue("signer_optional_"+strconv.Itoa(i)) == ""
		in.Signers = append(in.Signers, deal.SignerInput{Name: names[i], Email: strings.TrimSpace(emails[i]), Role: roles[i], Required: &required})
	}
	if _, err := s.Services.Contracts.CreateContract(r.Context(), principalOf(r).Actor, id, in); err != nil {
		if realty.KindOf(err) == realty.Invalid {
			s.showDealContracts(w, r, status(err), err)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/deals/"+id.String()+"/contracts?notice=saved")
}

// handleContractSend e-mails the signing links (deal.Contracts.Send, as
// POST /api/v1/contracts/{id}/send).
func (s *site) handleContractSend(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var k deal.ContractDetail
	if err == nil {
		k, _, err = s.Services.Contracts.Send(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/deals/"+k.Contract.DealID.String()+"/contracts?notice=saved")
}

// handleContractVoid voids a contract (deal.Contracts.Void, as POST
// /api/v1/contracts/{id}/void).
func (s *site) handleContractVoid(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var k deal.ContractDetail
	if err == nil {
		k, err = s.Services.Contracts.Void(r.Context(), principalOf(r).Actor, id, r.PostFormValue("reason"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/deals/"+k.Contract.DealID.String()+"/contracts?notice=saved")
}

// handleContractVersionPDF answers a version's PDF (deal.Contracts.
// VersionPDF, as GET /api/v1/contract-versions/{id}/pdf).
func (s *site) handleContractVersionPDF(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var b []byte
	var v deal.ContractVersion
	if err == nil {
		b, v, err = s.Services.Contracts.VersionPDF(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Content-Disposition", `inline; filename="contract-v`+strconv.Itoa(v.Number)+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
}
