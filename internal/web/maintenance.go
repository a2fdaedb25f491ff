package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"realty"
	"realty/internal/maintenance"
	"realty/internal/org"
	"realty/internal/property"
)

// routesMaintenance are the staff's work order pages: the list with its
// filters, the new-order form, and one order with its actions, thread and
// photos.
func (s *site) routesMaintenance() []route {
	return []route{
		{"GET /work-orders", enrolled, s.handleWorkOrderList},
		{"GET /work-orders/new", enrolled, s.handleWorkOrderNew},
		{"POST /work-orders", enrolled, s.handleWorkOrderCreate},
		{"GET /work-orders/{id}", enrolled, s.handleWorkOrderShow},
		{"POST /work-orders/{id}/{action}", enrolled, s.handleWorkOrderAction},
		{"GET /work-order-photos/{id}/content", enrolled, s.handleWorkOrderPhoto},
	}
}

// workOrdersData is the work order list and its filters.
type workOrdersData struct {
	Page   maintenance.WorkOrderPage
	Filter url.Values
	Next   string
}

// handleWorkOrderList lists work orders, newest first, filtered by status,
// priority, property, overdue and active (still to be done) (maintenance.Service.List:
// maintenance.read, as GET /api/v1/work-orders).
func (s *site) handleWorkOrderList(w http.ResponseWriter, r *http.Request) {
	if err := staffOnly(r); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := maintenance.Filter{Status: q.Get("status"), Priority: q.Get("priority"), Overdue: q.Get("overdue") == "1",
		Active: q.Get("active") == "1", Cursor: q.Get("cursor")}
	var err error
	if f.PropertyID, err = idField(q, "property_id"); err != nil {
		s.fail(w, r, err)
		return
	}
	d := workOrdersData{Filter: q}
	if d.Page, err = s.Services.Maintenance.List(r.Context(), principalOf(r).Actor, f); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Page.NextCursor != "" {
		next := url.Values{}
		for _, k := range []string{"status", "priority", "property_id", "overdue", "active"} {
			if v := q.Get(k); v != "" {
				next.Set(k, v)
			}
		}
		next.Set("cursor", d.Page.NextCursor)
		d.Next = "/work-orders?" + next.Encode()
	}
	s.render(w, r, http.StatusOK, "work_orders", s.newView(r, "Work orders", &d))
}

// workOrderFormData is the new-order form: first the property, then its
// units and the rest.
type workOrderFormData struct {
	Properties []property.Property
	Property   *property.Property
	Units      []property.Unit
	Form       url.Values
}

// handleWorkOrderNew shows the form (maintenance.write): the property
// chooser, and once a property is chosen its units.
func (s *site) handleWorkOrderNew(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("maintenance.write"); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.workOrderForm(r, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "work_order_form", s.newView(r, "New work order", d))
}

func (s *site) workOrderForm(r *http.Request, form url.Values) (*workOrderFormData, error) {
	actor := principalOf(r).Actor
	d := &workOrderFormData{Form: form}
	page, err := s.Services.Property.List(r.Context(), actor, property.Filter{Limit: 100})
	if err != nil {
		return nil, err
	}
	d.Properties = page.Items
	id, err := idField(form, "property_id")
	if err != nil || id == nil {
		return d, err
	}
	p, err := s.Services.Property.Get(r.Context(), actor, *id)
	if err != nil {
		return nil, err
	}
	d.Property = &p
	d.Units, err = s.Services.Property.Units(r.Context(), actor, p.ID)
	return d, err
}

// handleWorkOrderCreate files the form's work order
// (maintenance.Service.Create); a refused field comes back in place.
func (s *site) handleWorkOrderCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in, err := workOrderInput(f)
	var o maintenance.WorkOrder
	if err == nil {
		o, err = s.Services.Maintenance.Create(r.Context(), principalOf(r).Actor, in)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		d, derr := s.workOrderForm(r, f)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.render(w, r, status(err), "work_order_form", s.withErr(r, s.newView(r, "New work order", d), err))
		return
	}
	s.redirect(w, r, "/work-orders/"+o.ID.String()+"?notice=saved")
}

func workOrderInput(f url.Values) (maintenance.WorkOrderInput, error) {
	in := maintenance.WorkOrderInput{Title: f.Get("title"), Description: nonEmpty(textField(f, "description")),
		Category: f.Get("category"), Priority: f.Get("priority"), PermissionToEnter: f.Get("permission_to_enter") == "on",
		EntryNotes: nonEmpty(textField(f, "entry_notes"))}
	var err error
	if in.PropertyID, err = idField(f, "property_id"); err != nil {
		return in, err
	}
	if in.UnitID, err = idField(f, "unit_id"); err != nil {
		return in, err
	}
	in.EstimatedCost, err = decimalField(f, "estimated_cost")
	return in, err
}

// staffOnly keeps the staff's work order pages to staff (maintenance.read),
// as the API's staff routes are: residents have their own pages, whose
// service calls fence them to their tenancy.
func staffOnly(r *http.Request) error {
	return principalOf(r).Actor.Require("maintenance.read")
}

// workOrderData is one work order's page.
type workOrderData struct {
	maintenance.WorkOrderDetail
	Members []org.Member
	Vendors []maintenance.Vendor
	Names   map[realty.ID]string
	Form    url.Values
}

// Can reports whether the order may move to status; the page offers only
// those actions.
func (d workOrderData) CanMove(to string) bool { return maintenance.CanMove(d.WorkOrder.Status, to) }

// Name is how the page names a member (or a vendor) by id.
func (d workOrderData) Name(id *realty.ID) string {
	if id == nil {
		return ""
	}
	if n, ok := d.Names[*id]; ok {
		return n
	}
	return "someone"
}

// handleWorkOrderShow shows a work order with its thread and photos
// (maintenance.Service.Detail: maintenance.read), and for managers the
// members and vendors to assign it to.
func (s *site) handleWorkOrderShow(w http.ResponseWriter, r *http.Request) {
	d, err := s.workOrderData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "work_order", s.newView(r, d.WorkOrder.Title, d))
}

func (s *site) workOrderData(r *http.Request) (*workOrderData, error) {
	actor := principalOf(r).Actor
	if err := staffOnly(r); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	d := &workOrderData{Names: map[realty.ID]string{}, Form: r.PostForm}
	if d.WorkOrderDetail, err = s.Services.Maintenance.Detail(r.Context(), actor, id); err != nil {
		return nil, err
	}
	if d.Vendors, err = s.Services.Maintenance.Vendors(r.Context(), actor, maintenance.VendorFilter{ActiveOnly: true}); err != nil {
		return nil, err
	}
	for _, v := range d.Vendors {
		d.Names[v.ID] = v.Name
	}
	if actor.Can("member.read") {
		if d.Members, err = s.Services.Org.Members(r.Context(), actor); err != nil {
			return nil, err
		}
	}
	for _, m := range d.Members {
		d.Names[m.ID] = strings.TrimSpace(m.FirstName + " " + m.LastName)
	}
	return d, nil
}

// handleWorkOrderAction runs one action of the page: assign, start,
// complete, cancel (the status moves), comment or photo. A refused move
// (409) or field (422) comes back on the page.
func (s *site) handleWorkOrderAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := staffOnly(r); err != nil {
		s.fail(w, r, err)
		return
	}
	action := r.PathValue("action")
	if action == "photos" {
		err = s.workOrderPhoto(r, id)
	} else if err = r.ParseForm(); err == nil {
		err = s.workOrderAction(r, id, action, r.PostForm)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		d, derr := s.workOrderData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		v := s.withErr(r, s.newView(r, d.WorkOrder.Title, d), err)
		v.Form = action
		s.render(w, r, status(err), "work_order", v)
		return
	}
	s.redirect(w, r, "/work-orders/"+id.String()+"?notice=saved")
}

func (s *site) workOrderAction(r *http.Request, id realty.ID, action string, f url.Values) error {
	ctx, actor, svc := r.Context(), principalOf(r).Actor, s.Services.Maintenance
	var err error
	switch action {
	case "assign":
		in := maintenance.AssignInput{}
		if who := f.Get("assignee"); strings.HasPrefix(who, "vendor:") {
			in.VendorID, err = idField(url.Values{"vendor_id": {strings.TrimPrefix(who, "vendor:")}}, "vendor_id")
		} else {
			in.AssigneeID, err = idField(url.Values{"assignee_id": {strings.TrimPrefix(who, "member:")}}, "assignee_id")
		}
		if err == nil {
			if in.ScheduledAt, err = parseDay("scheduled_at", f.Get("scheduled_at")); err == nil {
				_, err = svc.Assign(ctx, actor, id, in)
			}
		}
	case "start":
		_, err = svc.Start(ctx, actor, id)
	case "complete":
		cost, cerr := decimalField(f, "actual_cost")
		if err = cerr; err == nil {
			_, err = svc.Complete(ctx, actor, id, cost)
		}
	case "cancel":
		_, err = svc.Cancel(ctx, actor, id, f.Get("reason"))
	case "comments":
		_, err = svc.AddComment(ctx, actor, id, f.Get("body"), f.Get("internal") == "on")
	default:
		err = &realty.Error{Kind: realty.NotFound, Message: "page not found"}
	}
	return err
}

// workOrderPhoto stores the uploaded photo of the request's form.
func (s *site) workOrderPhoto(r *http.Request, id realty.ID) error {
	file, _, err := r.FormFile("file")
	if err != nil {
		if status(err) == http.StatusRequestEntityTooLarge {
			return err
		}
		return realty.FieldError("file", "choose a photo to upload")
	}
	defer file.Close()
	_, err = s.Services.Maintenance.AddPhoto(r.Context(), principalOf(r).Actor, id, r.PostFormValue("caption"), file)
	return err
}

// handleWorkOrderPhoto serves a photo's file (maintenance.Service.PhotoContent:
// staff, or the resident whose work order it is).
func (s *site) handleWorkOrderPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rc, p, err := s.Services.Maintenance.PhotoContent(r.Context(), principalOf(r).Actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", time.Time{}, rc)
}
