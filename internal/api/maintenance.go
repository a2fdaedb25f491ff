package api

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/maintenance"
)

// WorkOrderBody is what filing a work order takes.
type WorkOrderBody struct {
	PropertyID        *realty.ID       `json:"property_id,omitempty" doc:"optional when unit_id is given"`
	UnitID            *realty.ID       `json:"unit_id,omitempty"`
	TenantID          *realty.ID       `json:"tenant_id,omitempty"`
	Title             string           `json:"title" maxLength:"200"`
	Description       *string          `json:"description,omitempty" maxLength:"8000"`
	Category          string           `json:"category,omitempty" enum:"plumbing,electrical,hvac,appliance,structural,pest,locks,cleaning,landscaping,general,other" doc:"default general"`
	Priority          string           `json:"priority,omitempty" enum:"emergency,high,normal,low" doc:"default normal"`
	PermissionToEnter bool             `json:"permission_to_enter,omitempty"`
	EntryNotes        *string          `json:"entry_notes,omitempty" maxLength:"1000"`
	ScheduledAt       *time.Time       `json:"scheduled_at,omitempty"`
	EstimatedCost     *decimal.Decimal `json:"estimated_cost,omitempty" maxLength:"20" numeric:"14,2"`
}

// WorkOrderOutput is a work order.
type WorkOrderOutput struct{ Body maintenance.WorkOrder }

// WorkOrderDetailOutput is a work order with its comments and photos.
type WorkOrderDetailOutput struct{ Body maintenance.WorkOrderDetail }

// WorkOrdersInput filters the work order list.
type WorkOrdersInput struct {
	Status     string `query:"status" enum:"open,assigned,in_progress,completed,canceled"`
	Priority   string `query:"priority" enum:"emergency,high,normal,low"`
	PropertyID string `query:"property_id" maxLength:"36"`
	UnitID     string `query:"unit_id" maxLength:"36"`
	Overdue    bool   `query:"overdue" doc:"only open orders past their response target"`
	Cursor     string `query:"cursor" maxLength:"500"`
	Limit      int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

func (in WorkOrdersInput) filter() (maintenance.Filter, error) {
	f := maintenance.Filter{Status: in.Status, Priority: in.Priority, Overdue: in.Overdue, Cursor: in.Cursor, Limit: in.Limit}
	var err error
	if f.PropertyID, err = optionalID(in.PropertyID, "property_id"); err != nil {
		return f, err
	}
	f.UnitID, err = optionalID(in.UnitID, "unit_id")
	return f, err
}

// WorkOrdersOutput is a page of work orders.
type WorkOrdersOutput struct{ Body maintenance.WorkOrderPage }

// AssignInput assigns a work order.
type AssignInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		AssigneeID    *realty.ID       `json:"assignee_id,omitempty" doc:"a member; or vendor_id, not both"`
		VendorID      *realty.ID       `json:"vendor_id,omitempty"`
		ScheduledAt   *time.Time       `json:"scheduled_at,omitempty"`
		EstimatedCost *decimal.Decimal `json:"estimated_cost,omitempty" maxLength:"20" numeric:"14,2"`
	}
}

// CompleteInput completes a work order.
type CompleteInput struct {
	ID   realty.ID `path:"id"`
	Body *struct {
		ActualCost *decimal.Decimal `json:"actual_cost,omitempty" maxLength:"20" numeric:"14,2"`
	}
}

// CancelInput cancels a work order.
type CancelInput struct {
	ID   realty.ID `path:"id"`
	Body *struct {
		Reason string `json:"reason,omitempty" maxLength:"500"`
	}
}

// CommentInput adds to a work order's thread.
type CommentInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Body     string `json:"body" minLength:"1" maxLength:"4000"`
		Internal bool   `json:"internal,omitempty" doc:"a staff-only note, never shown to residents"`
	}
}

// CommentOutput is one comment.
type CommentOutput struct{ Body maintenance.Comment }

// PhotoInput is a multipart upload of one photo.
type PhotoInput struct {
	ID      realty.ID `path:"id"`
	RawBody huma.MultipartFormFiles[struct {
		File    huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"JPEG, PNG, WebP or GIF, sniffed from its contents"`
		Caption string        `form:"caption" required:"false" maxLength:"500"`
	}]
}

// PhotoOutput is one photo.
type PhotoOutput struct{ Body maintenance.Photo }

const transitionDoc = "open → assigned → in_progress → completed, or canceled before completed; any other move is 409 naming status."

func routeWorkOrders(a huma.API, d Deps) {
	tags := []string{"Maintenance"}
	read, write, manage := Access{Permission: "maintenance.read"}, Access{Permission: "maintenance.write"}, Access{Permission: "maintenance.manage"}
	Register(a, huma.Operation{OperationID: "list-work-orders", Method: http.MethodGet, Path: Prefix + "/work-orders", Tags: tags,
		Summary: "List work orders, newest first"}, read, listWorkOrders(d))
	Register(a, huma.Operation{OperationID: "create-work-order", Method: http.MethodPost, Path: Prefix + "/work-orders", Tags: tags,
		Summary: "File a work order", DefaultStatus: http.StatusCreated}, write,
		func(ctx context.Context, in *struct{ Body WorkOrderBody }) (*WorkOrderOutput, error) {
			b := in.Body
			w, err := d.Maintenance.Create(ctx, actor(ctx), maintenance.WorkOrderInput{PropertyID: b.PropertyID, UnitID: b.UnitID,
				TenantID: b.TenantID, Title: b.Title, Description: b.Description, Category: b.Category, Priority: b.Priority,
				PermissionToEnter: b.PermissionToEnter, EntryNotes: b.EntryNotes, ScheduledAt: b.ScheduledAt, EstimatedCost: b.EstimatedCost})
			return &WorkOrderOutput{Body: w}, err
		})
	Register(a, huma.Operation{OperationID: "get-work-order", Method: http.MethodGet, Path: Prefix + "/work-orders/{id}", Tags: tags,
		Summary: "One work order with its comments and photos"}, read, workOrderDetail(d))
	Register(a, huma.Operation{OperationID: "assign-work-order", Method: http.MethodPost, Path: Prefix + "/work-orders/{id}/assign",
		Tags: tags, Summary: "Assign (or reassign) a work order to a member or a vendor", Description: transitionDoc}, manage,
		func(ctx context.Context, in *AssignInput) (*WorkOrderOutput, error) {
			b := in.Body
			w, err := d.Maintenance.Assign(ctx, actor(ctx), in.ID, maintenance.AssignInput{AssigneeID: b.AssigneeID, VendorID: b.VendorID,
				ScheduledAt: b.ScheduledAt, EstimatedCost: b.EstimatedCost})
			return &WorkOrderOutput{Body: w}, err
		})
	Register(a, huma.Operation{OperationID: "start-work-order", Method: http.MethodPost, Path: Prefix + "/work-orders/{id}/start",
		Tags: tags, Summary: "Start an assigned work order", Description: transitionDoc}, write,
		func(ctx context.Context, in *IDPath) (*WorkOrderOutput, error) {
			w, err := d.Maintenance.Start(ctx, actor(ctx), in.ID)
			return &WorkOrderOutput{Body: w}, err
		})
	Register(a, huma.Operation{OperationID: "complete-work-order", Method: http.MethodPost, Path: Prefix + "/work-orders/{id}/complete",
		Tags: tags, Summary: "Complete a work order in progress", Description: transitionDoc}, write,
		func(ctx context.Context, in *CompleteInput) (*WorkOrderOutput, error) {
			var cost *decimal.Decimal
			if in.Body != nil {
				cost = in.Body.ActualCost
			}
			w, err := d.Maintenance.Complete(ctx, actor(ctx), in.ID, cost)
			return &WorkOrderOutput{Body: w}, err
		})
	Register(a, huma.Operation{OperationID: "cancel-work-order", Method: http.MethodPost, Path: Prefix + "/work-orders/{id}/cancel",
		Tags: tags, Summary: "Cancel a work order", Description: transitionDoc}, manage,
		func(ctx context.Context, in *CancelInput) (*WorkOrderOutput, error) {
			reason := ""
			if in.Body != nil {
				reason = in.Body.Reason
			}
			w, err := d.Maintenance.Cancel(ctx, actor(ctx), in.ID, reason)
			return &WorkOrderOutput{Body: w}, err
		})
	Register(a, huma.Operation{OperationID: "comment-work-order", Method: http.MethodPost, Path: Prefix + "/work-orders/{id}/comments",
		Tags: tags, Summary: "Add a comment (or a staff-only note)", DefaultStatus: http.StatusCreated}, write, addComment(d))
	Register(a, huma.Operation{OperationID: "upload-work-order-photo", Method: http.MethodPost, Path: Prefix + "/work-orders/{id}/photos",
		Tags: tags, Summary: "Add a photo", DefaultStatus: http.StatusCreated, Description: "multipart/form-data with file and caption."},
		write, addPhoto(d))
	Register(a, huma.Operation{OperationID: "get-work-order-photo", Method: http.MethodGet, Path: Prefix + "/work-order-photos/{id}/content",
		Tags: tags, Summary: "A work order photo's file"}, read, photoContent(d))
}

func listWorkOrders(d Deps) func(context.Context, *WorkOrdersInput) (*WorkOrdersOutput, error) {
	return func(ctx context.Context, in *WorkOrdersInput) (*WorkOrdersOutput, error) {
		f, err := in.filter()
		if err != nil {
			return nil, err
		}
		page, err := d.Maintenance.List(ctx, actor(ctx), f)
		return &WorkOrdersOutput{Body: page}, err
	}
}

func workOrderDetail(d Deps) func(context.Context, *IDPath) (*WorkOrderDetailOutput, error) {
	return func(ctx context.Context, in *IDPath) (*WorkOrderDetailOutput, error) {
		w, err := d.Maintenance.Detail(ctx, actor(ctx), in.ID)
		return &WorkOrderDetailOutput{Body: w}, err
	}
}

func addComment(d Deps) func(context.Context, *CommentInput) (*CommentOutput, error) {
	return func(ctx context.Context, in *CommentInput) (*CommentOutput, error) {
		c, err := d.Maintenance.AddComment(ctx, actor(ctx), in.ID, in.Body.Body, in.Body.Internal)
		return &CommentOutput{Body: c}, err
	}
}

func addPhoto(d Deps) func(context.Context, *PhotoInput) (*PhotoOutput, error) {
	return func(ctx context.Context, in *PhotoInput) (*PhotoOutput, error) {
		f := in.RawBody.Data()
		p, err := d.Maintenance.AddPhoto(ctx, actor(ctx), in.ID, formValue(in.RawBody.Form.Value, "caption", f.Caption), f.File)
		return &PhotoOutput{Body: p}, err
	}
}

func photoContent(d Deps) func(context.Context, *IDPath) (*ContentOutput, error) {
	return func(ctx context.Context, in *IDPath) (*ContentOutput, error) {
		r, p, err := d.Maintenance.PhotoContent(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		return &ContentOutput{ContentType: p.ContentType, ContentLength: strconv.Itoa(len(b)), CacheControl: "private, max-age=3600", Body: b}, nil
	}
}

// RequestBody is what a resident's maintenance request takes.
type RequestBody struct {
	UnitID            realty.ID `json:"unit_id" doc:"a unit the caller rents today"`
	Title             string    `json:"title" maxLength:"200"`
	Description       *string   `json:"description,omitempty" maxLength:"8000"`
	Category          string    `json:"category,omitempty" enum:"plumbing,electrical,hvac,appliance,structural,pest,locks,cleaning,landscaping,general,other"`
	Priority          string    `json:"priority,omitempty" enum:"emergency,high,normal,low"`
	PermissionToEnter bool      `json:"permission_to_enter,omitempty" doc:"staff may enter when the resident is out"`
	EntryNotes        *string   `json:"entry_notes,omitempty" maxLength:"1000"`
}

func routeMyWorkOrders(a huma.API, d Deps) {
	tags := []string{"Resident"}
	own := Access{Permission: "maintenance.request"}
	Register(a, huma.Operation{OperationID: "list-my-work-orders", Method: http.MethodGet, Path: Prefix + "/me/work-orders", Tags: tags,
		Summary: "The work orders of the caller's unit", Description: "Their own tenancy's work orders only."}, own,
		func(ctx context.Context, in *WorkOrdersInput) (*WorkOrdersOutput, error) {
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			f.Own = true
			page, err := d.Maintenance.List(ctx, actor(ctx), f)
			return &WorkOrdersOutput{Body: page}, err
		})
	Register(a, huma.Operation{OperationID: "submit-maintenance-request", Method: http.MethodPost, Path: Prefix + "/me/work-orders",
		Tags: tags, Summary: "Submit a maintenance request", DefaultStatus: http.StatusCreated,
		Description: "A work order with source resident, for a unit the caller rents (422 naming unit_id otherwise)."}, own,
		func(ctx context.Context, in *struct{ Body RequestBody }) (*WorkOrderOutput, error) {
			b := in.Body
			w, err := d.Maintenance.Submit(ctx, actor(ctx), maintenance.RequestInput{UnitID: b.UnitID, Title: b.Title,
				Description: b.Description, Category: b.Category, Priority: b.Priority, PermissionToEnter: b.PermissionToEnter,
				EntryNotes: b.EntryNotes})
			return &WorkOrderOutput{Body: w}, err
		})
	Register(a, huma.Operation{OperationID: "get-my-work-order", Method: http.MethodGet, Path: Prefix + "/me/work-orders/{id}", Tags: tags,
		Summary: "One of the caller's work orders, with its thread and photos", Description: "404 for any other."}, own, workOrderDetail(d))
	Register(a, huma.Operation{OperationID: "comment-my-work-order", Method: http.MethodPost, Path: Prefix + "/me/work-orders/{id}/comments",
		Tags: tags, Summary: "Comment on one's own work order", DefaultStatus: http.StatusCreated}, own, addComment(d))
	Register(a, huma.Operation{OperationID: "upload-my-work-order-photo", Method: http.MethodPost, Path: Prefix + "/me/work-orders/{id}/photos",
		Tags: tags, Summary: "Add a photo to one's own work order", DefaultStatus: http.StatusCreated}, own, addPhoto(d))
	Register(a, huma.Operation{OperationID: "get-my-work-order-photo", Method: http.MethodGet, Path: Prefix + "/me/work-order-photos/{id}/content",
		Tags: tags, Summary: "A photo of one's own work order"}, own, photoContent(d))
}
