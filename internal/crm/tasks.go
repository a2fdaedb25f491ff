package crm

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Task is a piece of work a member owns, perhaps about a client, a property
// or a listing.
type Task struct {
	ID          realty.ID  `db:"id" json:"id"`
	OwnerID     realty.ID  `db:"owner_id" json:"owner_id" doc:"the member who does it"`
	CreatedBy   *realty.ID `db:"created_by" json:"created_by,omitempty"`
	Title       string     `db:"title" json:"title"`
	Description *string    `db:"description" json:"description,omitempty"`
	Status      string     `db:"status" json:"status" enum:"open,in_progress,done,canceled"`
	Priority    string     `db:"priority" json:"priority" enum:"low,normal,high,urgent"`
	Category    *string    `db:"category" json:"category,omitempty"`
	DueAt       *time.Time `db:"due_at" json:"due_at,omitempty"`
	Progress    int        `db:"progress" json:"progress" doc:"percent done, 0 to 100"`
	ClientID    *realty.ID `db:"client_id" json:"client_id,omitempty"`
	PropertyID  *realty.ID `db:"property_id" json:"property_id,omitempty"`
	ListingID   *realty.ID `db:"listing_id" json:"listing_id,omitempty"`
	CompletedAt *time.Time `db:"completed_at" json:"completed_at,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at" json:"updated_at"`
}

const taskColumns = `t.id, t.owner_id, t.created_by, t.title, t.description, t.status, t.priority, t.category, t.due_at, t.progress,
	t.client_id, t.property_id, t.listing_id, t.completed_at, t.created_at, t.updated_at`

// taskScope is the WHERE of every task read and write: the organization,
// and the actor's own tasks (owned or created) unless they see all.
const taskScope = `t.organization_id = @org AND (@all::bool OR t.owner_id = @me OR t.created_by = @me)`

var errTaskNotFound = &realty.Error{Kind: realty.NotFound, Message: "task not found"}

// TaskInput is what creating a task takes; a nil OwnerID is the actor.
type TaskInput struct {
	OwnerID     *realty.ID
	Title       string
	Description string
	Priority    string // normal when empty
	Category    string
	DueAt       *time.Time
	ClientID    *realty.ID
	PropertyID  *realty.ID
	ListingID   *realty.ID
}

// CreateTask adds an open task and returns it. Forbidden without
// client.write, or for giving it to another member without client.manage;
// Invalid naming owner_id (none: the actor is no member), title, client_id
// (a client the actor may not see), property_id, listing_id or another
// field.
func (s *Service) CreateTask(ctx context.Context, actor realty.Actor, in TaskInput) (Task, error) {
	if err := actor.Require("client.write"); err != nil {
		return Task{}, err
	}
	if in.OwnerID == nil {
		in.OwnerID = me(actor)
	}
	if in.OwnerID == nil {
		return Task{}, realty.FieldError("owner_id", "is required")
	}
	if *in.OwnerID != actor.MemberID && !seesAll(actor) {
		return Task{}, &realty.Error{Kind: realty.Forbidden, Message: "only a member holding client.manage gives tasks to others"}
	}
	if in.Title = strings.TrimSpace(in.Title); in.Title == "" {
		return Task{}, realty.FieldError("title", "is required")
	}
	if in.Priority == "" {
		in.Priority = "normal"
	}
	var out Task
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if in.ClientID != nil {
			if _, err := lockClient(ctx, tx, actor, *in.ClientID); err != nil {
				return realty.FieldError("client_id", "no such client")
			}
		}
		rows, err := tx.Query(ctx, `INSERT INTO crm.tasks AS t (organization_id, id, owner_id, created_by, title, description, priority,
			category, due_at, client_id, property_id, listing_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+taskColumns,
			actor.OrgID, realty.NewID(), in.OwnerID, me(actor), in.Title, optional(in.Description), in.Priority,
			optional(in.Category), in.DueAt, in.ClientID, in.PropertyID, in.ListingID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Task])
		return err
	})
	return out, err
}

// TaskPatch changes a task; nil fields stay.
type TaskPatch struct {
	OwnerID     *realty.ID
	Title       *string
	Description *string
	Status      *string
	Priority    *string
	Category    *string
	DueAt       *time.Time
	Progress    *int
}

// UpdateTask changes a task and returns it; moving it to done completes it
// (progress 100, completed now), moving it out of done reopens it.
// Forbidden without client.write, or for giving it to another member
// without client.manage; NotFound for a task the actor may not see;
// Invalid naming the field.
func (s *Service) UpdateTask(ctx context.Context, actor realty.Actor, id realty.ID, p TaskPatch) (Task, error) {
	if err := actor.Require("client.write"); err != nil {
		return Task{}, err
	}
	if p.OwnerID != nil && *p.OwnerID != actor.MemberID && !seesAll(actor) {
		return Task{}, &realty.Error{Kind: realty.Forbidden, Message: "only a member holding client.manage gives tasks to others"}
	}
	if p.Title != nil && strings.TrimSpace(*p.Title) == "" {
		return Task{}, realty.FieldError("title", "is required")
	}
	args := pgx.NamedArgs{"org": actor.OrgID, "all": seesAll(actor), "me": me(actor), "id": id, "owner": p.OwnerID,
		"title": trimmed(p.Title), "description": p.Description, "status": p.Status, "priority": p.Priority,
		"category": p.Category, "due_at": p.DueAt, "progress": p.Progress}
	return s.updateTask(ctx, actor, `owner_id = coalesce(@owner, owner_id), title = coalesce(@title, title),
		description = coalesce(@description, description), status = coalesce(@status, status),
		priority = coalesce(@priority, priority), category = coalesce(@category, category), due_at = coalesce(@due_at, due_at),
		reminded_at = CASE WHEN @due_at::timestamptz IS NOT NULL AND @due_at::timestamptz IS DISTINCT FROM due_at THEN NULL ELSE reminded_at END,
		progress = CASE WHEN @status = 'done' THEN 100 ELSE coalesce(@progress, progress) END,
		completed_at = CASE WHEN coalesce(@status, status) = 'done' THEN coalesce(completed_at, now()) END`, args)
}

// CompleteTask marks a task done (progress 100) and returns it. Errors as
// UpdateTask.
func (s *Service) CompleteTask(ctx context.Context, actor realty.Actor, id realty.ID) (Task, error) {
	done := "done"
	return s.UpdateTask(ctx, actor, id, TaskPatch{Status: &done})
}

func (s *Service) updateTask(ctx context.Context, actor realty.Actor, set string, args pgx.NamedArgs) (Task, error) {
	var out Task
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE crm.tasks t SET `+set+` WHERE `+taskScope+` AND t.id = @id RETURNING `+taskColumns, args)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Task])
		if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
			return errTaskNotFound
		}
		return err
	})
	return out, err
}
