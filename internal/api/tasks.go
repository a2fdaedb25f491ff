package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/crm"
)

// TaskBody is a new task.
type TaskBody struct {
	OwnerID     *realty.ID `json:"owner_id,omitempty" doc:"default: the caller; another member needs client.manage"`
	Title       string     `json:"title" maxLength:"200"`
	Description string     `json:"description,omitempty" maxLength:"4000"`
	Priority    string     `json:"priority,omitempty" enum:"low,normal,high,urgent"`
	Category    string     `json:"category,omitempty" maxLength:"50"`
	DueAt       *time.Time `json:"due_at,omitempty"`
	ClientID    *realty.ID `json:"client_id,omitempty"`
	PropertyID  *realty.ID `json:"property_id,omitempty"`
	ListingID   *realty.ID `json:"listing_id,omitempty"`
}

// TaskPatchBody changes a task; absent fields stay. Status done completes
// it.
type TaskPatchBody struct {
	OwnerID     *realty.ID `json:"owner_id,omitempty"`
	Title       *string    `json:"title,omitempty" maxLength:"200"`
	Description *string    `json:"description,omitempty" maxLength:"4000"`
	Status      *string    `json:"status,omitempty" enum:"open,in_progress,done,canceled"`
	Priority    *string    `json:"priority,omitempty" enum:"low,normal,high,urgent"`
	Category    *string    `json:"category,omitempty" maxLength:"50"`
	DueAt       *time.Time `json:"due_at,omitempty"`
	Progress    *int       `json:"progress,omitempty" minimum:"0" maximum:"100"`
}

// TasksInput filters the task list.
type TasksInput struct {
	Mine   bool   `query:"mine" doc:"only the caller's own tasks"`
	Owner  string `query:"owner" maxLength:"36" doc:"member id of the owner"`
	Client string `query:"client" maxLength:"36" doc:"client id"`
	Status string `query:"status" enum:"open,in_progress,done,canceled"`
	View   string `query:"view" enum:"overdue,today,upcoming" doc:"unfinished tasks by due time in the organization's time zone, soonest first"`
	Cursor string `query:"cursor" maxLength:"500"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// TaskOutput is a task.
type TaskOutput struct{ Body crm.Task }

func routeTasks(a huma.API, d Deps) {
	tags := []string{"Tasks"}
	read, write := Access{Permission: "client.read"}, Access{Permission: "client.write"}
	Register(a, huma.Operation{OperationID: "list-tasks", Method: http.MethodGet, Path: Prefix + "/tasks", Tags: tags,
		Summary: "Tasks", Description: "An agent sees the tasks they own or created; client.manage sees all. mine=true&view=today is the agent's day."},
		read, func(ctx context.Context, in *TasksInput) (*struct{ Body crm.TaskPage }, error) {
			f := crm.TaskFilter{Mine: in.Mine, Status: in.Status, View: in.View, Cursor: in.Cursor, Limit: in.Limit}
			var err error
			if f.OwnerID, err = optionalID(in.Owner, "owner"); err != nil {
				return nil, err
			}
			if f.ClientID, err = optionalID(in.Client, "client"); err != nil {
				return nil, err
			}
			p, err := d.CRM.Tasks(ctx, actor(ctx), f)
			return &struct{ Body crm.TaskPage }{p}, err
		})
	Register(a, huma.Operation{OperationID: "create-task", Method: http.MethodPost, Path: Prefix + "/tasks", Tags: tags,
		Summary: "Add a task", DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *struct{ Body TaskBody }) (*TaskOutput, error) {
		b := in.Body
		t, err := d.CRM.CreateTask(ctx, actor(ctx), crm.TaskInput{OwnerID: b.OwnerID, Title: b.Title, Description: b.Description,
			Priority: b.Priority, Category: b.Category, DueAt: b.DueAt, ClientID: b.ClientID, PropertyID: b.PropertyID, ListingID: b.ListingID})
		return &TaskOutput{Body: t}, err
	})
	Register(a, huma.Operation{OperationID: "update-task", Method: http.MethodPatch, Path: Prefix + "/tasks/{id}", Tags: tags,
		Summary: "Change a task"}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body TaskPatchBody
	}) (*TaskOutput, error) {
		b := in.Body
		t, err := d.CRM.UpdateTask(ctx, actor(ctx), in.ID, crm.TaskPatch{OwnerID: b.OwnerID, Title: b.Title, Description: b.Description,
			Status: b.Status, Priority: b.Priority, Category: b.Category, DueAt: b.DueAt, Progress: b.Progress})
		return &TaskOutput{Body: t}, err
	})
	Register(a, huma.Operation{OperationID: "complete-task", Method: http.MethodPost, Path: Prefix + "/tasks/{id}/complete", Tags: tags,
		Summary: "Mark a task done"}, write, func(ctx context.Context, in *IDPath) (*TaskOutput, error) {
		t, err := d.CRM.CompleteTask(ctx, actor(ctx), in.ID)
		return &TaskOutput{Body: t}, err
	})
}

// optionalID parses an optional id query parameter, Invalid naming it.
func optionalID(s, field string) (*realty.ID, error) {
	if s == "" {
		return nil, nil
	}
	id, err := realty.ParseID(s)
	if err != nil {
		return nil, realty.FieldError(field, "is not an id")
	}
	return &id, nil
}
