package crm

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Stages are a client's stages in their usual order; lost ends any of them.
var Stages = []string{"lead", "prospect", "active", "under_contract", "closed", "lost"}

// transitions are the stage changes allowed: forward one step or more
// (a lead may sign at once), back one step (a contract falls through), to
// lost from any open stage, and from lost or closed back to prospect (a
// client returns).
var transitions = map[string][]string{
	"lead":           {"prospect", "active", "under_contract", "lost"},
	"prospect":       {"lead", "active", "under_contract", "lost"},
	"active":         {"prospect", "under_contract", "lost"},
	"under_contract": {"active", "closed", "lost"},
	"closed":         {"prospect"},
	"lost":           {"lead", "prospect"},
}

// CanMove reports whether a client may move from one stage to another.
func CanMove(from, to string) bool {
	return slices.Contains(transitions[from], to)
}

// StageChange is one entry of a client's stage history.
type StageChange struct {
	ID        realty.ID  `db:"id" json:"id"`
	ClientID  realty.ID  `db:"client_id" json:"client_id"`
	FromStage *string    `db:"from_stage" json:"from_stage,omitempty" doc:"empty for the stage the client was created in"`
	ToStage   string     `db:"to_stage" json:"to_stage"`
	ChangedBy *realty.ID `db:"changed_by" json:"changed_by,omitempty" doc:"the member who made the change"`
	Reason    *string    `db:"reason" json:"reason,omitempty"`
	ChangedAt time.Time  `db:"changed_at" json:"changed_at"`
}

const stageChangeColumns = `id, client_id, from_stage, to_stage, changed_by, reason, changed_at`

func recordStage(ctx context.Context, tx pgx.Tx, actor realty.Actor, client realty.ID, from *string, to string, reason *string) (StageChange, error) {
	rows, err := tx.Query(ctx, `INSERT INTO crm.client_stage_changes (organization_id, id, client_id, from_stage, to_stage, changed_by, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+stageChangeColumns,
		actor.OrgID, realty.NewID(), client, from, to, me(actor), reason)
	if err != nil {
		return StageChange{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[StageChange])
}

// ChangeStage moves a client to another stage and records who, when and
// why; it returns the client as changed and the history entry (what a
// notification of the change needs). Forbidden without client.write;
// NotFound for a client the actor may not see; Invalid naming stage for an
// unknown stage or a change the stage rules do not allow (moving to the
// stage the client is in included), naming reason for one too long.
func (s *Service) ChangeStage(ctx context.Context, actor realty.Actor, id realty.ID, to, reason string) (Client, StageChange, error) {
	return s.ChangeStageFrom(ctx, actor, id, "", to, reason)
}

// ChangeStageFrom is ChangeStage for a change made from a view of the
// client in stage from (a card on the stage board): Conflict naming stage
// when the client has moved on since, so a stale view never overrides
// another member's change. An empty from checks nothing. Errors otherwise
// as ChangeStage.
func (s *Service) ChangeStageFrom(ctx context.Context, actor realty.Actor, id realty.ID, from, to, reason string) (Client, StageChange, error) {
	if err := actor.Require("client.write"); err != nil {
		return Client{}, StageChange{}, err
	}
	if !slices.Contains(Stages, to) {
		return Client{}, StageChange{}, realty.FieldError("stage", "must be one of "+strings.Join(Stages, ", "))
	}
	var out Client
	var change StageChange
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		c, err := lockClient(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if from != "" && c.Stage != from {
			return &realty.Error{Kind: realty.Conflict, Message: "the client moved to " + c.Stage + " meanwhile",
				Fields: map[string]string{"stage": "the client is now " + c.Stage + ", no longer " + from}}
		}
		if !CanMove(c.Stage, to) {
			return realty.FieldError("stage", "a client cannot move from "+c.Stage+" to "+to+" (allowed: "+strings.Join(transitions[c.Stage], ", ")+")")
		}
		args := scopeArgs(actor)
		args["id"], args["stage"] = id, to
		if out, err = updateClient(ctx, tx, `stage = @stage`, args); err != nil {
			return err
		}
		if change, err = recordStage(ctx, tx, actor, id, &c.Stage, to, optional(reason)); err != nil {
			return err
		}
		if err := s.rescoreTx(ctx, tx, actor, id); err != nil {
			return err
		}
		return s.announceStage(ctx, tx, actor, out, change)
	})
	return out, change, err
}

// StageHistory returns a client's stage changes, oldest first. Forbidden
// without client.read; NotFound as Get.
func (s *Service) StageHistory(ctx context.Context, actor realty.Actor, id realty.ID) ([]StageChange, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return postgres.ReadAll[StageChange](ctx, s.pool, actor, `SELECT `+stageChangeColumns+` FROM crm.client_stage_changes
		WHERE organization_id = $1 AND client_id = $2 ORDER BY changed_at, id`, actor.OrgID, id)
}

func optional(s string) *string {
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	return &s
}
