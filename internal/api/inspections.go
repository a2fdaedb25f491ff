package api

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/maintenance"
)

// TemplateBody is a checklist template as written.
type TemplateBody struct {
	Name      string             `json:"name" maxLength:"200"`
	Rooms     []maintenance.Room `json:"rooms" maxItems:"40"`
	IsDefault bool               `json:"is_default,omitempty" doc:"the template inspections use when they name none"`
}

func (b TemplateBody) input() maintenance.TemplateInput {
	return maintenance.TemplateInput{Name: b.Name, Rooms: b.Rooms, IsDefault: b.IsDefault}
}

// TemplateOutput is a checklist template.
type TemplateOutput struct{ Body maintenance.Template }

// TemplatesOutput is every checklist template.
type TemplatesOutput struct {
	Body struct {
		Items []maintenance.Template `json:"items"`
	}
}

// InspectionBody is what scheduling an inspection takes.
type InspectionBody struct {
	Kind        string       `json:"kind" enum:"move_in,move_out,periodic"`
	UnitID      *realty.ID   `json:"unit_id"`
	LeaseID     *realty.ID   `json:"lease_id,omitempty" doc:"a lease of the unit; its tenants are recorded"`
	TemplateID  *realty.ID   `json:"template_id,omitempty" doc:"default: the organization's default template (made on first use)"`
	InspectorID *realty.ID   `json:"inspector_id,omitempty" doc:"a member"`
	ScheduledOn *realty.Date `json:"scheduled_on,omitempty" doc:"default today"`
	Notes       *string      `json:"notes,omitempty" maxLength:"4000"`
}

// InspectionPatchBody changes an inspection not yet completed.
type InspectionPatchBody struct {
	InspectorID *realty.ID   `json:"inspector_id,omitempty"`
	ScheduledOn *realty.Date `json:"scheduled_on,omitempty"`
	Notes       *string      `json:"notes,omitempty" maxLength:"4000"`
}

// ItemRating rates one checklist item; absent fields stay as they are.
type ItemRating struct {
	ID     realty.ID `json:"id"`
	Rating *string   `json:"rating,omitempty" enum:"new,good,fair,poor,damaged"`
	Notes  *string   `json:"notes,omitempty" maxLength:"2000"`
}

// ItemsBody rates items of an inspection.
type ItemsBody struct {
	Items []ItemRating `json:"items" maxItems:"500"`
}

// InspectionOutput is an inspection.
type InspectionOutput struct{ Body maintenance.Inspection }

// InspectionDetailOutput is an inspection with its checklist and photos.
type InspectionDetailOutput struct{ Body maintenance.InspectionDetail }

// ItemsOutput is an inspection's checklist.
type ItemsOutput struct {
	Body struct {
		Items []maintenance.InspectionItem `json:"items"`
	}
}

// InspectionsInput filters the inspection list.
type InspectionsInput struct {
	PropertyID string `query:"property_id" maxLength:"36"`
	UnitID     string `query:"unit_id" maxLength:"36"`
	LeaseID    string `query:"lease_id" maxLength:"36"`
	Kind       string `query:"kind" enum:"move_in,move_out,periodic"`
	Status     string `query:"status" enum:"scheduled,in_progress,completed"`
	Cursor     string `query:"cursor" maxLength:"500"`
	Limit      int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// InspectionsOutput is a page of inspections.
type InspectionsOutput struct{ Body maintenance.InspectionPage }

// InspectionPhotoInput is a multipart upload of one photo.
type InspectionPhotoInput struct {
	ID      realty.ID `path:"id"`
	RawBody huma.MultipartFormFiles[struct {
		File    huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"JPEG, PNG, WebP or GIF, sniffed from its contents"`
		Caption string        `form:"caption" required:"false" maxLength:"500"`
		ItemID  string        `form:"item_id" required:"false" maxLength:"36" doc:"the checklist item pictured"`
	}]
}

// InspectionPhotoOutput is one photo.
type InspectionPhotoOutput struct{ Body maintenance.InspectionPhoto }

// ComparisonOutput is a move-out inspection against its move-in.
type ComparisonOutput struct{ Body maintenance.Comparison }

const inspectionDoc = "scheduled → in_progress → completed; a completed inspection is final (409 naming status)."

func routeInspectionTemplates(a huma.API, d Deps) {
	tags := []string{"Maintenance"}
	read, manage := Access{Permission: "maintenance.read"}, Access{Permission: "maintenance.manage"}
	Register(a, huma.Operation{OperationID: "list-inspection-templates", Method: http.MethodGet, Path: Prefix + "/inspection-templates",
		Tags: tags, Summary: "The checklist templates, by name"}, read,
		func(ctx context.Context, _ *struct{}) (*TemplatesOutput, error) {
			ts, err := d.Maintenance.Templates(ctx, actor(ctx))
			out := &TemplatesOutput{}
			out.Body.Items = ts
			return out, err
		})
	Register(a, huma.Operation{OperationID: "get-inspection-template", Method: http.MethodGet, Path: Prefix + "/inspection-templates/{id}",
		Tags: tags, Summary: "One checklist template"}, read,
		func(ctx context.Context, in *IDPath) (*TemplateOutput, error) {
			t, err := d.Maintenance.Template(ctx, actor(ctx), in.ID)
			return &TemplateOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "create-inspection-template", Method: http.MethodPost, Path: Prefix + "/inspection-templates",
		Tags: tags, Summary: "Add a checklist template", DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *struct{ Body TemplateBody }) (*TemplateOutput, error) {
			t, err := d.Maintenance.CreateTemplate(ctx, actor(ctx), in.Body.input())
			return &TemplateOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "replace-inspection-template", Method: http.MethodPut, Path: Prefix + "/inspection-templates/{id}",
		Tags: tags, Summary: "Replace a checklist template", Description: "Inspections already made keep the items they copied."}, manage,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body TemplateBody
		}) (*TemplateOutput, error) {
			t, err := d.Maintenance.UpdateTemplate(ctx, actor(ctx), in.ID, in.Body.input())
			return &TemplateOutput{Body: t}, err
		})
}

func routeInspections(a huma.API, d Deps) {
	tags := []string{"Maintenance"}
	read, write, manage := Access{Permission: "maintenance.read"}, Access{Permission: "maintenance.write"}, Access{Permission: "maintenance.manage"}
	Register(a, huma.Operation{OperationID: "list-inspections", Method: http.MethodGet, Path: Prefix + "/inspections", Tags: tags,
		Summary: "List inspections, newest first"}, read, listInspections(d))
	Register(a, huma.Operation{OperationID: "create-inspection", Method: http.MethodPost, Path: Prefix + "/inspections", Tags: tags,
		Summary: "Schedule an inspection", Description: "Its checklist is copied from the template.", DefaultStatus: http.StatusCreated}, write,
		func(ctx context.Context, in *struct{ Body InspectionBody }) (*InspectionDetailOutput, error) {
			b := in.Body
			i, err := d.Maintenance.CreateInspection(ctx, actor(ctx), maintenance.InspectionInput{Kind: b.Kind, UnitID: b.UnitID,
				LeaseID: b.LeaseID, TemplateID: b.TemplateID, InspectorID: b.InspectorID, ScheduledOn: b.ScheduledOn, Notes: b.Notes})
			return &InspectionDetailOutput{Body: i}, err
		})
	Register(a, huma.Operation{OperationID: "get-inspection", Method: http.MethodGet, Path: Prefix + "/inspections/{id}", Tags: tags,
		Summary: "One inspection with its checklist and photos"}, read,
		func(ctx context.Context, in *IDPath) (*InspectionDetailOutput, error) {
			i, err := d.Maintenance.Inspection(ctx, actor(ctx), in.ID)
			return &InspectionDetailOutput{Body: i}, err
		})
	Register(a, huma.Operation{OperationID: "update-inspection", Method: http.MethodPatch, Path: Prefix + "/inspections/{id}", Tags: tags,
		Summary: "Reschedule an inspection or change its inspector or notes", Description: inspectionDoc}, write,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body InspectionPatchBody
		}) (*InspectionOutput, error) {
			b := in.Body
			i, err := d.Maintenance.UpdateInspection(ctx, actor(ctx), in.ID, maintenance.ScheduleInput{InspectorID: b.InspectorID,
				ScheduledOn: b.ScheduledOn, Notes: b.Notes})
			return &InspectionOutput{Body: i}, err
		})
	Register(a, huma.Operation{OperationID: "delete-inspection", Method: http.MethodDelete, Path: Prefix + "/inspections/{id}", Tags: tags,
		Summary: "Delete an inspection never started", DefaultStatus: http.StatusNoContent}, manage,
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Maintenance.DeleteInspection(ctx, actor(ctx), in.ID)
		})
	Register(a, huma.Operation{OperationID: "start-inspection", Method: http.MethodPost, Path: Prefix + "/inspections/{id}/start", Tags: tags,
		Summary: "Start a scheduled inspection", Description: inspectionDoc}, write,
		func(ctx context.Context, in *IDPath) (*InspectionOutput, error) {
			i, err := d.Maintenance.StartInspection(ctx, actor(ctx), in.ID)
			return &InspectionOutput{Body: i}, err
		})
	Register(a, huma.Operation{OperationID: "complete-inspection", Method: http.MethodPost, Path: Prefix + "/inspections/{id}/complete",
		Tags: tags, Summary: "Complete an inspection in progress", Description: inspectionDoc + " Every item must be rated (422 naming items)."},
		write, func(ctx context.Context, in *IDPath) (*InspectionOutput, error) {
			i, err := d.Maintenance.CompleteInspection(ctx, actor(ctx), in.ID)
			return &InspectionOutput{Body: i}, err
		})
	Register(a, huma.Operation{OperationID: "update-inspection-items", Method: http.MethodPatch, Path: Prefix + "/inspections/{id}/items",
		Tags: tags, Summary: "Rate items of an inspection", Description: "All or none; " + inspectionDoc}, write, updateItems(d))
	Register(a, huma.Operation{OperationID: "upload-inspection-photo", Method: http.MethodPost, Path: Prefix + "/inspections/{id}/photos",
		Tags: tags, Summary: "Add a photo", DefaultStatus: http.StatusCreated, Description: "multipart/form-data with file, caption and item_id."},
		write, addInspectionPhoto(d))
	Register(a, huma.Operation{OperationID: "get-inspection-photo", Method: http.MethodGet, Path: Prefix + "/inspection-photos/{id}/content",
		Tags: tags, Summary: "An inspection photo's file"}, read, inspectionPhotoContent(d))
	Register(a, huma.Operation{OperationID: "compare-inspection", Method: http.MethodGet, Path: Prefix + "/inspections/{id}/comparison",
		Tags: tags, Summary: "A move-out inspection against its move-in", Description: "Per room and item both conditions, flagged when " +
			"worse, and a proposed deposit deduction (reason only) per worsened item. 409 naming kind for another kind."}, read,
		func(ctx context.Context, in *IDPath) (*ComparisonOutput, error) {
			c, err := d.Maintenance.Compare(ctx, actor(ctx), in.ID)
			return &ComparisonOutput{Body: c}, err
		})
	Register(a, huma.Operation{OperationID: "get-lease-inspection-comparison", Method: http.MethodGet,
		Path: Prefix + "/leases/{id}/inspection-comparison", Tags: tags, Summary: "The lease's latest move-out inspection against its move-in",
		Description: "What the deposit disposition may cite; 404 when the lease has no move-out inspection."}, read,
		func(ctx context.Context, in *IDPath) (*ComparisonOutput, error) {
			c, err := d.Maintenance.LeaseComparison(ctx, actor(ctx), in.ID)
			return &ComparisonOutput{Body: c}, err
		})
}

func listInspections(d Deps) func(context.Context, *InspectionsInput) (*InspectionsOutput, error) {
	return func(ctx context.Context, in *InspectionsInput) (*InspectionsOutput, error) {
		f := maintenance.InspectionFilter{Kind: in.Kind, Status: in.Status, Cursor: in.Cursor, Limit: in.Limit}
		var err error
		if f.PropertyID, err = optionalID(in.PropertyID, "property_id"); err != nil {
			return nil, err
		}
		if f.UnitID, err = optionalID(in.UnitID, "unit_id"); err != nil {
			return nil, err
		}
		if f.LeaseID, err = optionalID(in.LeaseID, "lease_id"); err != nil {
			return nil, err
		}
		page, err := d.Maintenance.Inspections(ctx, actor(ctx), f)
		return &InspectionsOutput{Body: page}, err
	}
}

func updateItems(d Deps) func(context.Context, *struct {
	ID   realty.ID `path:"id"`
	Body ItemsBody
}) (*ItemsOutput, error) {
	return func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body ItemsBody
	}) (*ItemsOutput, error) {
		ups := make([]maintenance.ItemUpdate, len(in.Body.Items))
		for i, it := range in.Body.Items {
			ups[i] = maintenance.ItemUpdate{ID: it.ID, Rating: it.Rating, Notes: it.Notes}
		}
		items, err := d.Maintenance.UpdateItems(ctx, actor(ctx), in.ID, ups)
		out := &ItemsOutput{}
		out.Body.Items = items
		return out, err
	}
}

func addInspectionPhoto(d Deps) func(context.Context, *InspectionPhotoInput) (*InspectionPhotoOutput, error) {
	return func(ctx context.Context, in *InspectionPhotoInput) (*InspectionPhotoOutput, error) {
		f := in.RawBody.Data()
		item, err := optionalID(formValue(in.RawBody.Form.Value, "item_id", f.ItemID), "item_id")
		if err != nil {
			return nil, err
		}
		p, err := d.Maintenance.AddInspectionPhoto(ctx, actor(ctx), in.ID, item, formValue(in.RawBody.Form.Value, "caption", f.Caption), f.File)
		return &InspectionPhotoOutput{Body: p}, err
	}
}

func inspectionPhotoContent(d Deps) func(context.Context, *IDPath) (*ContentOutput, error) {
	return func(ctx context.Context, in *IDPath) (*ContentOutput, error) {
		r, p, err := d.Maintenance.InspectionPhotoContent(ctx, actor(ctx), in.ID)
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
