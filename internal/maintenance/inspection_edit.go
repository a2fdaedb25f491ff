package maintenance

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// final is the Conflict of a change to a completed inspection.
func final(i Inspection, action string) error {
	return &realty.Error{Kind: realty.Conflict, Message: "inspection is " + i.Status + ": cannot " + action,
		Fields: map[string]string{"status": "is " + i.Status}}
}

// lockOpen locks an inspection that may still change (not completed).
// NotFound; Conflict naming status for a completed one.
func lockOpen(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, action string) (Inspection, error) {
	i, err := inspectionTx(ctx, tx, actor, id, true)
	if err == nil && i.Status == "completed" {
		err = final(i, action)
	}
	return i, err
}

// ScheduleInput changes an inspection not yet completed: when, who
// inspects, its notes. Nil fields stay as they are.
type ScheduleInput struct {
	InspectorID *realty.ID
	ScheduledOn *realty.Date
	Notes       *string
}

// UpdateInspection reschedules an inspection or changes its inspector or
// notes. Forbidden without maintenance.write; NotFound; Conflict naming
// status once completed; Invalid naming inspector_id or notes.
func (s *Service) UpdateInspection(ctx context.Context, actor realty.Actor, id realty.ID, in ScheduleInput) (Inspection, error) {
	if err := actor.Require("maintenance.write"); err != nil {
		return Inspection{}, err
	}
	var out Inspection
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := lockOpen(ctx, tx, actor, id, "change it"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE maintenance.inspections SET inspector_id = coalesce($3, inspector_id),
			scheduled_on = coalesce($4, scheduled_on), notes = coalesce($5, notes)
			WHERE organization_id = $1 AND id = $2 RETURNING `+inspectionColumns, actor.OrgID, id, in.InspectorID, in.ScheduledOn, in.Notes)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Inspection])
		return err
	})
	return out, err
}

// DeleteInspection removes a scheduled inspection (one never started).
// Forbidden without maintenance.manage; NotFound; Conflict naming status
// once started.
func (s *Service) DeleteInspection(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("maintenance.manage"); err != nil {
		return err
	}
	return s.tx(ctx, actor, func(tx pgx.Tx) error {
		i, err := inspectionTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if i.Status != "scheduled" {
			return final(i, "delete it")
		}
		_, err = tx.Exec(ctx, `DELETE FROM maintenance.inspections WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
		return err
	})
}

// StartInspection moves a scheduled inspection to in_progress. Forbidden
// without maintenance.write; NotFound; Conflict naming status otherwise.
func (s *Service) StartInspection(ctx context.Context, actor realty.Actor, id realty.ID) (Inspection, error) {
	return s.moveInspection(ctx, actor, id, "scheduled", "in_progress", "start it")
}

// CompleteInspection moves an inspection in progress to completed, after
// which neither it nor its items change. Forbidden without
// maintenance.write; NotFound; Conflict naming status unless in
// progress; Invalid naming items while an item has no rating.
func (s *Service) CompleteInspection(ctx context.Context, actor realty.Actor, id realty.ID) (Inspection, error) {
	return s.moveInspection(ctx, actor, id, "in_progress", "completed", "complete it")
}

func (s *Service) moveInspection(ctx context.Context, actor realty.Actor, id realty.ID, from, to, action string) (Inspection, error) {
	if err := actor.Require("maintenance.write"); err != nil {
		return Inspection{}, err
	}
	var out Inspection
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		i, err := inspectionTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if i.Status != from {
			return final(i, action)
		}
		if to == "completed" {
			if err := allRatedTx(ctx, tx, actor, id); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `UPDATE maintenance.inspections SET status = $3,
			started_at = CASE WHEN $3 = 'in_progress' THEN $4 ELSE started_at END,
			completed_at = CASE WHEN $3 = 'completed' THEN $4 END
			WHERE organization_id = $1 AND id = $2 RETURNING `+inspectionColumns, actor.OrgID, id, to, s.now())
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Inspection])
		return err
	})
	return out, err
}

func allRatedTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM maintenance.inspection_items
		WHERE organization_id = $1 AND inspection_id = $2 AND rating IS NULL`, actor.OrgID, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return realty.FieldError("items", fmt.Sprintf("%d items have no rating yet", n))
	}
	return nil
}

// ItemUpdate rates one item of an inspection's checklist; nil fields stay
// as they are.
type ItemUpdate struct {
	ID     realty.ID
	Rating *string
	Notes  *string
}

// UpdateItems rates items of an inspection not yet completed, all or
// none. Forbidden without maintenance.write; NotFound; Conflict naming
// status once completed; Invalid naming items[i].id (not an item of this
// inspection), items[i].rating or items[i].notes.
func (s *Service) UpdateItems(ctx context.Context, actor realty.Actor, id realty.ID, items []ItemUpdate) ([]InspectionItem, error) {
	if err := actor.Require("maintenance.write"); err != nil {
		return nil, err
	}
	if err := checkItemUpdates(items); err != nil {
		return nil, err
	}
	var out []InspectionItem
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := lockOpen(ctx, tx, actor, id, "change its items"); err != nil {
			return err
		}
		for i, u := range items {
			tag, err := tx.Exec(ctx, `UPDATE maintenance.inspection_items SET rating = coalesce($4, rating), notes = coalesce($5, notes)
				WHERE organization_id = $1 AND inspection_id = $2 AND id = $3`, actor.OrgID, id, u.ID, u.Rating, u.Notes)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				return realty.FieldError(fmt.Sprintf("items[%d].id", i), "is not an item of this inspection")
			}
		}
		var err error
		out, err = itemsTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

func checkItemUpdates(items []ItemUpdate) error {
	if len(items) == 0 || len(items) > 500 {
		return realty.FieldError("items", "must hold 1 to 500 items")
	}
	for i, u := range items {
		if u.Rating != nil && ratingRank(u.Rating) < 0 {
			return realty.FieldError(fmt.Sprintf("items[%d].rating", i), "must be "+ratingList)
		}
		if u.Notes != nil && len(*u.Notes) > 2000 {
			return realty.FieldError(fmt.Sprintf("items[%d].notes", i), "at most 2000 characters")
		}
	}
	return nil
}

// InspectionFilter narrows the inspection list; zero fields do not filter.
type InspectionFilter struct {
	PropertyID *realty.ID
	UnitID     *realty.ID
	LeaseID    *realty.ID
	Kind       string
	Status     string
	Cursor     string
	Limit      int
}

// InspectionPage is a page of inspections, newest first.
type InspectionPage struct {
	Items      []Inspection `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// Inspections lists inspections within the actor's property scope, newest
// first, Limit (1–100, default 50) a page. Forbidden without
// maintenance.read; Invalid naming kind, status or cursor.
func (s *Service) Inspections(ctx context.Context, actor realty.Actor, f InspectionFilter) (InspectionPage, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return InspectionPage{}, err
	}
	if f.Kind != "" && !contains(InspectionKinds, f.Kind) {
		return InspectionPage{}, realty.FieldError("kind", "must be move_in, move_out or periodic")
	}
	if f.Status != "" && !contains([]string{"scheduled", "in_progress", "completed"}, f.Status) {
		return InspectionPage{}, realty.FieldError("status", "must be scheduled, in_progress or completed")
	}
	f.Limit = pageSize(f.Limit)
	after, afterID := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), realty.ID{}
	if f.Cursor != "" {
		if err := postgres.DecodeCursor(f.Cursor, &after, &afterID); err != nil {
			return InspectionPage{}, err
		}
	}
	items, err := postgres.ReadAll[Inspection](ctx, s.pool, actor, `SELECT `+inspectionColumns+` FROM maintenance.inspections
		WHERE organization_id = @org AND (@scope::uuid[] IS NULL OR property_id = ANY(@scope))
		  AND (@property::uuid IS NULL OR property_id = @property) AND (@unit::uuid IS NULL OR unit_id = @unit)
		  AND (@lease::uuid IS NULL OR lease_id = @lease) AND (@kind = '' OR kind = @kind) AND (@status = '' OR status = @status)
		  AND (created_at, id) < (@after, @after_id)
		ORDER BY created_at DESC, id DESC LIMIT @limit`,
		pgx.NamedArgs{"org": actor.OrgID, "scope": actor.PropertyScope, "property": f.PropertyID, "unit": f.UnitID, "lease": f.LeaseID,
			"kind": f.Kind, "status": f.Status, "after": after, "after_id": afterID, "limit": f.Limit + 1})
	if err != nil {
		return InspectionPage{}, err
	}
	page := InspectionPage{Items: items}
	if page.Items == nil {
		page.Items = []Inspection{}
	}
	if len(items) > f.Limit {
		page.Items = items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.NextCursor = postgres.EncodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}
