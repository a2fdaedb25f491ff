package deal

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.milestones_key_check":         {Kind: realty.Invalid, Field: "key", Message: "must be a lower-case word of letters, digits and _, at most 40"},
		"deal.milestones_name_check":        {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"deal.milestones_position_check":    {Kind: realty.Invalid, Field: "position", Message: "must be between 0 and 1000"},
		"deal.milestones_anchor_check":      {Kind: realty.Invalid, Field: "anchor", Message: "must be contract_date, expected_close or milestone"},
		"deal.milestones_anchor_key_check":  {Kind: realty.Invalid, Field: "anchor_key", Message: "names the milestone of anchor milestone, and only then"},
		"deal.milestones_offset_days_check": {Kind: realty.Invalid, Field: "days", Message: "must be between -365 and 365"},
		"deal.milestones_due_fixed_check":   {Kind: realty.Invalid, Field: "due_fixed", Message: "give a fixed date or an anchor, not both"},
		"deal.milestones_deal_key":          {Kind: realty.Conflict, Field: "key", Message: "the deal has a milestone of this key"},
		"deal.milestones_deal_fkey":         {Kind: realty.NotFound, Message: "deal not found"},
		"deal.milestones_template_fkey":     {Kind: realty.Invalid, Field: "template_id", Message: "no such workflow template"},
		"deal.milestones_completed_by_fkey": {Kind: realty.Invalid, Field: "completed_by", Message: "no such member"},
	})
	registerEffect(milestonesFollowMove)
	registerGuard(milestonesBeforeClosing)
}

// Milestone is one dated step of a deal, with the rule its due date comes
// from. DueDate is the override when there is one, else what the rule
// computes (nil while its anchor has no date). Late: open past its due
// date, in the organization's time zone.
type Milestone struct {
	ID           realty.ID    `db:"id" json:"id"`
	DealID       realty.ID    `db:"deal_id" json:"deal_id"`
	TemplateID   *realty.ID   `db:"template_id" json:"template_id,omitempty"`
	Key          string       `db:"key" json:"key"`
	Name         string       `db:"name" json:"name"`
	Position     int          `db:"position" json:"position"`
	Required     bool         `db:"required" json:"required"`
	DueFixed     *realty.Date `db:"due_fixed" json:"due_fixed,omitempty"`
	Anchor       *string      `db:"anchor" json:"anchor,omitempty" enum:"contract_date,expected_close,milestone"`
	AnchorKey    *string      `db:"anchor_key" json:"anchor_key,omitempty"`
	Days         int          `db:"offset_days" json:"days"`
	BusinessDays bool         `db:"business_days" json:"business_days"`
	DueOverride  *realty.Date `db:"due_override" json:"due_override,omitempty" doc:"a fixed date set on the deal, instead of the rule"`
	DueDate      *realty.Date `db:"due_date" json:"due_date,omitempty"`
	CompletedAt  *time.Time   `db:"completed_at" json:"completed_at,omitempty"`
	CompletedBy  *realty.ID   `db:"completed_by" json:"completed_by,omitempty"`
	RemindedAt   *time.Time   `db:"reminded_at" json:"reminded_at,omitempty" doc:"when the agent was reminded it comes due"`
	OverdueAt    *time.Time   `db:"overdue_at" json:"overdue_at,omitempty" doc:"when the agent was told it is overdue"`
	EscalatedAt  *time.Time   `db:"escalated_at" json:"escalated_at,omitempty" doc:"when the brokers were told it is overdue"`
	Late         bool         `db:"-" json:"late"`
	CreatedAt    time.Time    `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time    `db:"updated_at" json:"updated_at"`
}

const milestoneColumns = `id, deal_id, template_id, key, name, position, required, due_fixed, anchor, anchor_key, offset_days,
	business_days, due_override, due_date, completed_at, completed_by, reminded_at, overdue_at, escalated_at, created_at, updated_at`

// Milestones lists a deal's milestones in template order. Errors:
// Forbidden without deal.read; NotFound for a deal the actor may not see.
func (s *Service) Milestones(ctx context.Context, actor realty.Actor, dealID realty.ID) ([]Milestone, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	var out []Milestone
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, dealID, false); err != nil {
			return err
		}
		var err error
		out, err = s.milestonesTx(ctx, tx, actor, dealID)
		return err
	})
	return out, err
}

// milestonesTx reads a deal's milestones, marking the late ones.
func (s *Service) milestonesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, dealID realty.ID) ([]Milestone, error) {
	rows, err := tx.Query(ctx, `SELECT `+milestoneColumns+` FROM deal.milestones WHERE organization_id = $1 AND deal_id = $2
		ORDER BY position, id`, actor.OrgID, dealID)
	if err != nil {
		return nil, err
	}
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Milestone])
	if err != nil || len(ms) == 0 {
		return ms, err
	}
	today, err := s.orgTodayTx(ctx, tx, actor)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].Late = ms[i].CompletedAt == nil && ms[i].DueDate != nil && ms[i].DueDate.Before(today)
	}
	return ms, nil
}

// orgTodayTx is today in the organization's time zone.
func (s *Service) orgTodayTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) (realty.Date, error) {
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return realty.Date{}, err
	}
	return s.today(o.TimeZone), nil
}

// ApplyTemplate gives a deal the milestones of the template matching its
// kind and side, with their due dates computed. A deal gets them by itself
// when it goes under contract. Errors: Forbidden without deal.write;
// NotFound for a deal the actor may not see; Conflict when the deal has
// milestones already; Invalid when no template matches it.
func (s *Service) ApplyTemplate(ctx context.Context, actor realty.Actor, dealID realty.ID) ([]Milestone, error) {
	if err := actor.Require("deal.write"); err != nil {
		return nil, err
	}
	var out []Milestone
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		d, err := GetTx(ctx, tx, actor, dealID, true)
		if err != nil {
			return err
		}
		applied, err := applyTemplateTx(ctx, tx, actor, d)
		if err != nil {
			return err
		}
		if !applied {
			return realty.FieldError("deal_id", "no workflow template matches a "+d.Kind+" deal on the "+d.Side+" side")
		}
		out, err = s.milestonesTx(ctx, tx, actor, dealID)
		return err
	})
	return out, err
}

// applyTemplateTx instantiates the matching template's milestones on d
// (locked by the caller) and computes their dates; false when no template
// matches. Conflict when d has milestones.
func applyTemplateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal) (bool, error) {
	var has bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM deal.milestones WHERE organization_id = $1 AND deal_id = $2)`,
		actor.OrgID, d.ID).Scan(&has); err != nil {
		return false, err
	}
	if has {
		return false, &realty.Error{Kind: realty.Conflict, Message: "the deal has its milestones already"}
	}
	t, ok, err := templateForTx(ctx, tx, actor, d)
	if err != nil || !ok {
		return false, err
	}
	b := &pgx.Batch{}
	for i, m := range t.Milestones {
		var anchor, anchorKey *string
		if m.Anchor != "" {
			anchor = &m.Anchor
		}
		if m.AnchorKey != "" {
			anchorKey = &m.AnchorKey
		}
		b.Queue(`INSERT INTO deal.milestones (organization_id, id, deal_id, template_id, key, name, position, required,
			due_fixed, anchor, anchor_key, offset_days, business_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			actor.OrgID, realty.NewID(), d.ID, t.ID, m.Key, m.Name, i, m.Required, m.DueFixed, anchor, anchorKey, m.Days, m.BusinessDays)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return false, err
	}
	return true, recomputeTx(ctx, tx, actor, d, nil)
}

// CompleteMilestone marks a milestone done by the actor, now; done again,
// it stays as it was. Errors: Forbidden without deal.write; NotFound for a
// milestone of a deal the actor may not see.
func (s *Service) CompleteMilestone(ctx context.Context, actor realty.Actor, id realty.ID) (Milestone, error) {
	return s.changeMilestone(ctx, actor, id, `completed_at = COALESCE(completed_at, now()),
		completed_by = CASE WHEN completed_at IS NULL THEN $4::uuid ELSE completed_by END`, memberOrNil(actor))
}

// UncompleteMilestone reopens a milestone marked done by mistake. Errors
// as CompleteMilestone.
func (s *Service) UncompleteMilestone(ctx context.Context, actor realty.Actor, id realty.ID) (Milestone, error) {
	return s.changeMilestone(ctx, actor, id, `completed_at = NULL, completed_by = NULL`)
}

// SetMilestoneDue fixes a milestone's due date on this deal, overriding
// its rule (nil returns it to the rule), and recomputes the milestones
// anchored to it. Errors as CompleteMilestone.
func (s *Service) SetMilestoneDue(ctx context.Context, actor realty.Actor, id realty.ID, due *realty.Date) (Milestone, error) {
	return s.changeMilestone(ctx, actor, id, `due_override = $4`, due)
}

// changeMilestone applies set (whose $4 is arg, when given) to one
// milestone of a deal the actor may change, then recomputes the deal's
// dates.
func (s *Service) changeMilestone(ctx context.Context, actor realty.Actor, id realty.ID, set string, arg ...any) (Milestone, error) {
	if err := actor.Require("deal.write"); err != nil {
		return Milestone{}, err
	}
	var out Milestone
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var dealID realty.ID
		err := tx.QueryRow(ctx, `SELECT deal_id FROM deal.milestones WHERE organization_id = $1 AND id = $2`, actor.OrgID, id).Scan(&dealID)
		if err != nil {
			return notFound(err, "milestone")
		}
		d, err := GetTx(ctx, tx, actor, dealID, true)
		if realty.KindOf(err) == realty.NotFound { // another agent's deal
			return &realty.Error{Kind: realty.NotFound, Message: "milestone not found"}
		}
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE deal.milestones SET `+set+`, updated_at = now()
			WHERE organization_id = $1 AND deal_id = $2 AND id = $3`, append([]any{actor.OrgID, dealID, id}, arg...)...)
		if err != nil || tag.RowsAffected() != 1 {
			return err
		}
		if err := recomputeTx(ctx, tx, actor, d, nil); err != nil {
			return err
		}
		ms, err := s.milestonesTx(ctx, tx, actor, dealID)
		for _, m := range ms {
			if m.ID == id {
				out = m
			}
		}
		return err
	})
	return out, err
}

// RecomputeMilestonesTx recomputes the due dates of a deal's milestones
// from its current dates: whoever changes a deal's contract date or
// expected close calls it in the same transaction. It checks no
// permission (the caller has). NotFound for a deal the actor may not see.
func RecomputeMilestonesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, dealID realty.ID) error {
	d, err := GetTx(ctx, tx, actor, dealID, false)
	if err != nil {
		return err
	}
	return recomputeTx(ctx, tx, actor, d, nil)
}

// recomputeTx writes each milestone's due date as its rule now computes it
// (off: the calendar, read when nil). A milestone whose date moves has its
// notices reset, so a new date gets its reminder.
func recomputeTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, off DaysOff) error {
	rows, err := tx.Query(ctx, `SELECT `+milestoneColumns+` FROM deal.milestones WHERE organization_id = $1 AND deal_id = $2`,
		actor.OrgID, d.ID)
	if err != nil {
		return err
	}
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Milestone])
	if err != nil || len(ms) == 0 {
		return err
	}
	if off == nil {
		if off, err = daysOffTx(ctx, tx, actor); err != nil {
			return err
		}
	}
	due := milestoneDates(ms, d, off)
	for _, m := range ms {
		if sameDate(m.DueDate, due[m.Key]) {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE deal.milestones SET due_date = $3, reminded_at = NULL, overdue_at = NULL, escalated_at = NULL,
			updated_at = now() WHERE organization_id = $1 AND id = $2`, actor.OrgID, m.ID, due[m.Key]); err != nil {
			return err
		}
	}
	return nil
}

// milestoneDates computes every milestone's due date by key: the override,
// else the fixed date, else the anchor's date shifted by the rule (nil
// while the anchor has none). Anchors on milestones resolve through their
// own due dates; a cycle (refused in templates) resolves to nil.
func milestoneDates(ms []Milestone, d Deal, off DaysOff) map[string]*realty.Date {
	byKey := map[string]Milestone{}
	for _, m := range ms {
		byKey[m.Key] = m
	}
	out := map[string]*realty.Date{}
	busy := map[string]bool{}
	var resolve func(key string) *realty.Date
	resolve = func(key string) *realty.Date {
		if due, done := out[key]; done {
			return due
		}
		m, ok := byKey[key]
		if !ok || busy[key] {
			return nil
		}
		busy[key] = true
		var due *realty.Date
		switch {
		case m.DueOverride != nil:
			due = m.DueOverride
		case m.DueFixed != nil:
			due = m.DueFixed
		case m.Anchor != nil:
			if base := milestoneAnchor(m, d, resolve); base != nil {
				shifted := ShiftDays(*base, m.Days, m.BusinessDays, off)
				due = &shifted
			}
		}
		out[key] = due
		return due
	}
	for _, m := range ms {
		resolve(m.Key)
	}
	return out
}

func milestoneAnchor(m Milestone, d Deal, resolve func(string) *realty.Date) *realty.Date {
	switch *m.Anchor {
	case AnchorContractDate:
		return d.ContractDate
	case AnchorExpectedClose:
		return d.ExpectedClose
	case AnchorMilestone:
		if m.AnchorKey != nil {
			return resolve(*m.AnchorKey)
		}
	}
	return nil
}

func sameDate(a, b *realty.Date) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// recomputeOpenTx recomputes the milestones of every open deal of the
// organization (after its calendar changed).
func (s *Service) recomputeOpenTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) error {
	rows, err := tx.Query(ctx, `SELECT `+dealColumns+` FROM deal.deals d WHERE d.organization_id = $1
		AND d.stage NOT IN ('closed', 'fell_through', 'withdrawn')
		AND EXISTS (SELECT FROM deal.milestones m WHERE m.organization_id = $1 AND m.deal_id = d.id)`, actor.OrgID)
	if err != nil {
		return err
	}
	deals, err := pgx.CollectRows(rows, pgx.RowToStructByName[Deal])
	if err != nil {
		return err
	}
	off, err := daysOffTx(ctx, tx, actor)
	if err != nil {
		return err
	}
	for _, d := range deals {
		if err := recomputeTx(ctx, tx, actor, d, off); err != nil {
			return err
		}
	}
	return nil
}

// milestonesFollowMove gives a deal going under contract its template's
// milestones (unless it has some), and recomputes the dates of every
// moving deal's milestones.
func milestonesFollowMove(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, _ string) error {
	if d.Stage == UnderContract {
		_, err := applyTemplateTx(ctx, tx, actor, d)
		if realty.KindOf(err) != realty.Conflict {
			return err
		}
	}
	return recomputeTx(ctx, tx, actor, d, nil)
}

// milestonesBeforeClosing refuses to close a deal while a required
// milestone is open, naming them.
func milestonesBeforeClosing(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, to string) error {
	if to != Closed {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT name FROM deal.milestones WHERE organization_id = $1 AND deal_id = $2 AND required
		AND completed_at IS NULL ORDER BY position, id`, actor.OrgID, d.ID)
	if err != nil {
		return err
	}
	open, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(open) == 0 {
		return err
	}
	return realty.FieldError("to", "the deal cannot close before its required milestones are complete; still open: "+joinAnd(open))
}

// joinAnd writes "a, b and c".
func joinAnd(xs []string) string {
	s := joinOr(xs)
	if len(xs) > 1 {
		i := len(s) - len(xs[len(xs)-1]) - len(" or ")
		s = s[:i] + " and " + xs[len(xs)-1]
	}
	return s
}

// notFoundAs turns no row into alt.
func notFoundAs(err, alt error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return alt
	}
	return err
}
