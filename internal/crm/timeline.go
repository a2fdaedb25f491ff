package crm

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// TimelineEntry is one event of a client's timeline: an interaction, a task, a
// stage change, an appointment, a listing matched to one of their
// preferences or a message (e-mail) sent to them, with the fields all share and the ones each adds.
type TimelineEntry struct {
	Kind     string     `db:"kind" json:"kind" enum:"interaction,task,stage_change,appointment,match,message"`
	ID       realty.ID  `db:"id" json:"id" doc:"the interaction's, task's, stage change's, appointment's, match's or message's id"`
	At       time.Time  `db:"at" json:"at" doc:"when it happened: occurred, created, changed, matched, queued (a message), or the appointment's start"`
	MemberID *realty.ID `db:"member_id" json:"member_id,omitempty" doc:"who: the interaction's member, the task's owner, the stage change's author, the appointment's agent"`
	Type     string     `db:"type" json:"type" doc:"the interaction type, the task status, the stage moved to, the appointment kind, the match status, or the message kind (match.alert, match.digest)"`
	Title    *string    `db:"title" json:"title,omitempty" doc:"the task or appointment title, the stage moved from, the matched listing, or the message subject"`
	Detail   *string    `db:"detail" json:"detail,omitempty" doc:"the interaction notes, task description, stage change reason, or the appointment's cancellation reason or notes"`
	Outcome  *string    `db:"outcome" json:"outcome,omitempty" doc:"the interaction outcome, the task priority, the appointment status, the match score, or the message channel (email)"`
}

// Timeline is a page of a client's timeline, newest first.
type Timeline struct {
	Items      []TimelineEntry `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// timelineSQL merges the client's interactions, tasks, stage changes,
// appointments (at their start), matches and messages in one read; each branch carries the keyset condition so it reads only what
// the page can use, by its index.
const timelineSQL = `SELECT * FROM (
	SELECT 'interaction' AS kind, id, occurred_at AS at, member_id, type, NULL::text AS title, notes AS detail, outcome
	FROM crm.interactions WHERE organization_id = @org AND client_id = @client AND (@first OR (occurred_at, id) < (@c_at, @c_id))
	UNION ALL
	SELECT 'task', id, created_at, owner_id, status, title, description, priority
	FROM crm.tasks WHERE organization_id = @org AND client_id = @client AND (@first OR (created_at, id) < (@c_at, @c_id))
	UNION ALL
	SELECT 'stage_change', id, changed_at, changed_by, to_stage, from_stage, reason, NULL
	FROM crm.client_stage_changes WHERE organization_id = @org AND client_id = @client AND (@first OR (changed_at, id) < (@c_at, @c_id))
	UNION ALL
	SELECT 'appointment', id, starts_at, agent_id, kind, title, coalesce(cancellation_reason, notes), status
	FROM crm.appointments WHERE organization_id = @org AND client_id = @client AND (@first OR (starts_at, id) < (@c_at, @c_id))
	UNION ALL
	SELECT 'match', id, created_at, NULL, status, listing_title, NULL, score::text
	FROM crm.property_matches WHERE organization_id = @org AND client_id = @client AND (@first OR (created_at, id) < (@c_at, @c_id))
	UNION ALL
	SELECT 'message', id, queued_at, NULL, kind, subject, NULL, channel
	FROM crm.client_messages WHERE organization_id = @org AND client_id = @client AND (@first OR (queued_at, id) < (@c_at, @c_id))
) t ORDER BY at DESC, id DESC LIMIT @limit`

// Timeline returns what happened with a client — interactions, tasks,
// stage changes, appointments, matches and messages merged — newest first, a page at a time. Forbidden without
// client.read; NotFound as Get; Invalid naming cursor.
func (s *Service) Timeline(ctx context.Context, actor realty.Actor, client realty.ID, cursor string, limit int) (Timeline, error) {
	if _, err := s.Get(ctx, actor, client); err != nil {
		return Timeline{}, err
	}
	limit = pageSize(limit)
	args := pgx.NamedArgs{"org": actor.OrgID, "client": client, "limit": limit + 1, "first": cursor == "",
		"c_at": time.Time{}, "c_id": realty.ID{}}
	if cursor != "" {
		var at time.Time
		var id realty.ID
		if err := postgres.DecodeCursor(cursor, &at, &id); err != nil {
			return Timeline{}, err
		}
		args["c_at"], args["c_id"] = at, id
	}
	items, err := postgres.ReadAll[TimelineEntry](ctx, s.pool, actor, timelineSQL, args)
	if err != nil {
		return Timeline{}, err
	}
	t := Timeline{Items: items}
	if len(items) > limit {
		t.Items = items[:limit]
		last := t.Items[limit-1]
		t.NextCursor = postgres.EncodeCursor(last.At, last.ID)
	}
	if t.Items == nil {
		t.Items = []TimelineEntry{}
	}
	return t, nil
}
