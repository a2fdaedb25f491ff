package web

import (
	"errors"
	"net/http"
	"net/url"

	"realty"
	"realty/internal/leasing"
	"realty/internal/maintenance"
)

// routesResidentMaintenance are the resident portal's maintenance pages:
// their requests with the form to submit one, and one request with its
// thread and photos.
func (s *site) routesResidentMaintenance() []route {
	return []route{
		{"GET /resident/maintenance", enrolled, s.handleResidentMaintenance},
		{"POST /resident/maintenance", enrolled, s.handleResidentRequest},
		{"GET /resident/maintenance/{id}", enrolled, s.handleResidentWorkOrder},
		{"POST /resident/maintenance/{id}/{action}", enrolled, s.handleResidentWorkOrderAction},
	}
}

// residentMaintenanceData is the resident's requests and the form.
type residentMaintenanceData struct {
	Units  []leasing.RentedUnit
	Orders []maintenance.WorkOrder
	Form   url.Values
}

// handleResidentMaintenance lists the work orders of the resident's unit
// and offers the request form (maintenance.Service.List and MyUnits:
// maintenance.request, only their own tenancy's).
func (s *site) handleResidentMaintenance(w http.ResponseWriter, r *http.Request) {
	d, err := s.residentMaintenanceData(r, url.Values{"priority": {"normal"}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "resident_maintenance", s.newView(r, "Maintenance", d))
}

func (s *site) residentMaintenanceData(r *http.Request, form url.Values) (*residentMaintenanceData, error) {
	actor := principalOf(r).Actor
	d := &residentMaintenanceData{Form: form}
	var err error
	if d.Units, err = s.Services.Maintenance.MyUnits(r.Context(), actor); err != nil {
		return nil, err
	}
	page, err := s.Services.Maintenance.List(r.Context(), actor, maintenance.Filter{Own: true, Limit: 100})
	d.Orders = page.Items
	return d, err
}

// handleResidentRequest submits the form's request
// (maintenance.Service.Submit) and, when a photo came with it, adds it; a
// refused field comes back in place.
func (s *site) handleResidentRequest(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := maintenance.RequestInput{Title: f.Get("title"), Description: nonEmpty(textField(f, "description")),
		Category: f.Get("category"), Priority: f.Get("priority"), PermissionToEnter: f.Get("permission_to_enter") == "on",
		EntryNotes: nonEmpty(textField(f, "entry_notes"))}
	unit, err := idField(f, "unit_id")
	if err == nil && unit != nil {
		in.UnitID = *unit
	}
	var o maintenance.WorkOrder
	if err == nil {
		o, err = s.Services.Maintenance.Submit(r.Context(), principalOf(r).Actor, in)
	}
	if err == nil {
		if file, _, ferr := r.FormFile("file"); ferr == nil {
			defer file.Close()
			_, err = s.Services.Maintenance.AddPhoto(r.Context(), principalOf(r).Actor, o.ID, "", file)
			if err != nil { // the request stands; the photo's refusal shows on its page
				s.residentWorkOrderFailed(w, r, o.ID, "photos", err)
				return
			}
		}
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		d, derr := s.residentMaintenanceData(r, f)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.render(w, r, status(err), "resident_maintenance", s.withErr(r, s.newView(r, "Maintenance", d), err))
		return
	}
	s.redirect(w, r, "/resident/maintenance/"+o.ID.String()+"?notice=saved")
}

// handleResidentWorkOrder shows one of the resident's work orders with its
// thread (no staff notes) and photos (maintenance.Service.Detail); any
// other is not found.
func (s *site) handleResidentWorkOrder(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var d maintenance.WorkOrderDetail
	if err == nil {
		d, err = s.Services.Maintenance.Detail(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "resident_work_order", s.newView(r, d.WorkOrder.Title, &d))
}

// handleResidentWorkOrderAction adds the resident's comment or photo to
// their work order.
func (s *site) handleResidentWorkOrderAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	action := r.PathValue("action")
	switch action {
	case "photos":
		err = s.workOrderPhoto(r, id)
	case "comments":
		if err = r.ParseForm(); err == nil {
			_, err = s.Services.Maintenance.AddComment(r.Context(), principalOf(r).Actor, id, r.PostForm.Get("body"), false)
		}
	default:
		err = &realty.Error{Kind: realty.NotFound, Message: "page not found"}
	}
	if err != nil {
		s.residentWorkOrderFailed(w, r, id, action, err)
		return
	}
	s.redirect(w, r, "/resident/maintenance/"+id.String()+"?notice=saved")
}

// residentWorkOrderFailed shows the work order again with the refused
// form's errors (422), or the error page.
func (s *site) residentWorkOrderFailed(w http.ResponseWriter, r *http.Request, id realty.ID, form string, err error) {
	if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
		s.fail(w, r, err)
		return
	}
	d, derr := s.Services.Maintenance.Detail(r.Context(), principalOf(r).Actor, id)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	v := s.withErr(r, s.newView(r, d.WorkOrder.Title, &d), err)
	v.Form = form
	s.render(w, r, status(err), "resident_work_order", v)
}
