package deal

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.workflow_templates_name_check":               {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"deal.workflow_templates_kind_check":               {Kind: realty.Invalid, Field: "kind", Message: "must be any or one of " + kindList},
		"deal.workflow_templates_side_check":               {Kind: realty.Invalid, Field: "side", Message: "must be any, buyer, seller or dual"},
		"deal.workflow_templates_milestones_check":         {Kind: realty.Invalid, Field: "milestones", Message: "must be a list"},
		"deal.workflow_templates_required_documents_check": {Kind: realty.Invalid, Field: "required_documents", Message: "must be a list"},
		"deal.workflow_templates_kind_side_key":            {Kind: realty.Conflict, Field: "kind", Message: "a template for this kind and side exists already"},
	})
}

// Anchors a milestone's due date may count from.
const (
	AnchorContractDate  = "contract_date"
	AnchorExpectedClose = "expected_close"
	AnchorMilestone     = "milestone"
)

// MilestoneRule defines one milestone of a workflow template: its due
// date is fixed, or counted from an anchor (the contract date, the
// expected close, or another milestone of the template) in calendar or
// business days, after it (before it when Days is negative).
type MilestoneRule struct {
	Key          string       `json:"key" maxLength:"40" pattern:"^[a-z][a-z0-9_]{0,39}$" doc:"names the milestone within its template, for anchors"`
	Name         string       `json:"name" maxLength:"200"`
	Required     bool         `json:"required,omitempty" doc:"the deal cannot close until it is complete"`
	DueFixed     *realty.Date `json:"due_fixed,omitempty" doc:"a fixed due date, instead of an anchor"`
	Anchor       string       `json:"anchor,omitempty" enum:"contract_date,expected_close,milestone"`
	AnchorKey    string       `json:"anchor_key,omitempty" maxLength:"40" doc:"the key of the milestone it counts from (anchor milestone)"`
	Days         int          `json:"days,omitempty" minimum:"-365" maximum:"365" doc:"days after the anchor; negative: before it"`
	BusinessDays bool         `json:"business_days,omitempty" doc:"count business days (skipping weekends and the organization's holidays), not calendar days"`
}

// StageDocuments is the compliance checklist of one stage: the document
// categories a deal must hold before it enters the stage.
type StageDocuments struct {
	Stage      string   `json:"stage" enum:"lead,active,offer,under_contract,due_diligence,clear_to_close,closed,fell_through,withdrawn"`
	Categories []string `json:"categories" maxItems:"20" minItems:"1" maxLength:"60" doc:"document categories, as the document domain names them"`
}

// WorkflowTemplate is a workflow template: the milestones a deal of its kind and
// side gets, and its compliance checklist. Kind and side "any" match every
// deal; the most specific template (kind first) applies.
type WorkflowTemplate struct {
	ID                realty.ID        `db:"id" json:"id"`
	Name              string           `db:"name" json:"name"`
	Kind              string           `db:"kind" json:"kind" enum:"any,purchase,sale,lease,referral,refinance"`
	Side              string           `db:"side" json:"side" enum:"any,buyer,seller,dual"`
	Milestones        []MilestoneRule  `db:"milestones" json:"milestones"`
	RequiredDocuments []StageDocuments `db:"required_documents" json:"required_documents"`
	CreatedAt         time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt         time.Time        `db:"updated_at" json:"updated_at"`
}

const templateColumns = `id, name, kind, side, milestones, required_documents, created_at, updated_at`

// WorkflowTemplateInput is what creating or replacing a template takes.
type WorkflowTemplateInput struct {
	Name              string           `json:"name" maxLength:"200"`
	Kind              string           `json:"kind,omitempty" enum:"any,purchase,sale,lease,referral,refinance" doc:"any when absent"`
	Side              string           `json:"side,omitempty" enum:"any,buyer,seller,dual" doc:"any when absent"`
	Milestones        []MilestoneRule  `json:"milestones" maxItems:"50"`
	RequiredDocuments []StageDocuments `json:"required_documents,omitempty" maxItems:"9"`
}

// DefaultTemplate is the template every organization starts with, for
// deals of any kind and side.
var DefaultTemplate = WorkflowTemplateInput{Name: "Standard transaction", Kind: "any", Side: "any", Milestones: []MilestoneRule{
	{Key: "offer_accepted", Name: "Offer accepted", Required: true, Anchor: AnchorContractDate},
	{Key: "earnest_money", Name: "Earnest money due", Required: true, Anchor: AnchorContractDate, Days: 3, BusinessDays: true},
	{Key: "inspection", Name: "Inspection contingency", Required: true, Anchor: AnchorContractDate, Days: 10},
	{Key: "appraisal", Name: "Appraisal", Required: true, Anchor: AnchorContractDate, Days: 21},
	{Key: "financing", Name: "Financing contingency", Required: true, Anchor: AnchorContractDate, Days: 30},
	{Key: "title", Name: "Title commitment", Required: true, Anchor: AnchorMilestone, AnchorKey: "closing", Days: -5, BusinessDays: true},
	{Key: "final_walkthrough", Name: "Final walkthrough", Required: true, Anchor: AnchorMilestone, AnchorKey: "closing", Days: -1, BusinessDays: true},
	{Key: "closing", Name: "Closing", Required: true, Anchor: AnchorExpectedClose},
}}

var templateKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// check refuses a template that cannot compute its dates, naming the
// field: keys unique, each rule fixed or anchored, anchors naming another
// milestone of the template and no cycle among them, stages known.
func (in *WorkflowTemplateInput) check() error {
	in.Kind, in.Side = cmpOrAny(in.Kind), cmpOrAny(in.Side)
	if len(in.Milestones) > 50 {
		return realty.FieldError("milestones", "at most 50")
	}
	keys := map[string]int{}
	for i, m := range in.Milestones {
		field := fmt.Sprintf("milestones[%d]", i)
		if !templateKey.MatchString(m.Key) {
			return realty.FieldError(field+".key", "must be a lower-case word of letters, digits and _, at most 40")
		}
		if _, dup := keys[m.Key]; dup {
			return realty.FieldError(field+".key", "is used by another milestone of the template")
		}
		keys[m.Key] = i
		if n := len(strings.TrimSpace(m.Name)); n == 0 || len(m.Name) > 200 {
			return realty.FieldError(field+".name", "must be 1 to 200 characters")
		}
		if m.Days < -365 || m.Days > 365 {
			return realty.FieldError(field+".days", "must be between -365 and 365")
		}
	}
	for i, m := range in.Milestones {
		if err := checkRule(fmt.Sprintf("milestones[%d]", i), m, keys); err != nil {
			return err
		}
	}
	if key := templateCycle(in.Milestones); key != "" {
		return realty.FieldError(fmt.Sprintf("milestones[%d].anchor_key", keys[key]), "the milestones' anchors go round in a circle")
	}
	return checkStageDocuments(in.RequiredDocuments)
}

func checkRule(field string, m MilestoneRule, keys map[string]int) error {
	switch {
	case m.DueFixed != nil && m.Anchor != "":
		return realty.FieldError(field+".due_fixed", "give a fixed date or an anchor, not both")
	case m.DueFixed == nil && m.Anchor == "":
		return realty.FieldError(field+".anchor", "give an anchor or a fixed date")
	case m.DueFixed != nil && (m.Days != 0 || m.BusinessDays):
		return realty.FieldError(field+".days", "a fixed date counts no days")
	case m.Anchor != "" && !slices.Contains([]string{AnchorContractDate, AnchorExpectedClose, AnchorMilestone}, m.Anchor):
		return realty.FieldError(field+".anchor", "must be contract_date, expected_close or milestone")
	case (m.Anchor == AnchorMilestone) != (m.AnchorKey != ""):
		return realty.FieldError(field+".anchor_key", "names the milestone of anchor milestone, and only then")
	}
	if m.AnchorKey != "" {
		if _, ok := keys[m.AnchorKey]; !ok || m.AnchorKey == m.Key {
			return realty.FieldError(field+".anchor_key", "must be the key of another milestone of the template")
		}
	}
	return nil
}

// templateCycle returns a key on a cycle of milestone anchors, or "".
func templateCycle(ms []MilestoneRule) string {
	next := map[string]string{}
	for _, m := range ms {
		next[m.Key] = m.AnchorKey
	}
	for _, m := range ms {
		k, seen := m.Key, map[string]bool{}
		for k != "" {
			if seen[k] {
				return k
			}
			seen[k] = true
			k = next[k]
		}
	}
	return ""
}

func checkStageDocuments(docs []StageDocuments) error {
	stages := map[string]bool{}
	for i, sd := range docs {
		field := fmt.Sprintf("required_documents[%d]", i)
		if !slices.Contains(Stages, sd.Stage) {
			return realty.FieldError(field+".stage", "must be one of "+stageList)
		}
		if stages[sd.Stage] {
			return realty.FieldError(field+".stage", "is listed twice")
		}
		stages[sd.Stage] = true
		if len(sd.Categories) == 0 || len(sd.Categories) > 20 {
			return realty.FieldError(field+".categories", "list 1 to 20 document categories")
		}
		for _, c := range sd.Categories {
			if n := len(strings.TrimSpace(c)); n == 0 || len(c) > 60 {
				return realty.FieldError(field+".categories", "each must be 1 to 60 characters")
			}
		}
	}
	return nil
}

func cmpOrAny(v string) string {
	if v == "" {
		return "any"
	}
	return v
}

// seedTemplateTx stores DefaultTemplate for a new organization.
func seedTemplateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) error {
	in := DefaultTemplate
	_, err := insertTemplateTx(ctx, tx, actor, in)
	return err
}

func insertTemplateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in WorkflowTemplateInput) (WorkflowTemplate, error) {
	rows, err := tx.Query(ctx, `INSERT INTO deal.workflow_templates (organization_id, id, name, kind, side, milestones, required_documents)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+templateColumns,
		actor.OrgID, realty.NewID(), in.Name, in.Kind, in.Side, nonNilRules(in.Milestones), nonNilDocs(in.RequiredDocuments))
	if err != nil {
		return WorkflowTemplate{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WorkflowTemplate])
}

func nonNilRules(ms []MilestoneRule) []MilestoneRule {
	if ms == nil {
		return []MilestoneRule{}
	}
	return ms
}

func nonNilDocs(ds []StageDocuments) []StageDocuments {
	if ds == nil {
		return []StageDocuments{}
	}
	return ds
}

// Templates lists the organization's workflow templates by kind and side.
// Forbidden without deal.read.
func (s *Service) Templates(ctx context.Context, actor realty.Actor) ([]WorkflowTemplate, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[WorkflowTemplate](ctx, s.pool, actor, `SELECT `+templateColumns+` FROM deal.workflow_templates
		WHERE organization_id = $1 ORDER BY kind, side, id`, actor.OrgID)
}

// WorkflowTemplate returns one template. Forbidden without deal.read; NotFound.
func (s *Service) Template(ctx context.Context, actor realty.Actor, id realty.ID) (WorkflowTemplate, error) {
	if err := actor.Require("deal.read"); err != nil {
		return WorkflowTemplate{}, err
	}
	list, err := postgres.ReadAll[WorkflowTemplate](ctx, s.pool, actor, `SELECT `+templateColumns+` FROM deal.workflow_templates
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err == nil && len(list) == 0 {
		err = &realty.Error{Kind: realty.NotFound, Message: "workflow template not found"}
	}
	if err != nil {
		return WorkflowTemplate{}, err
	}
	return list[0], nil
}

// CreateTemplate adds a workflow template. Errors: Forbidden without
// deal.manage; Invalid naming the field; Conflict (kind) when the kind and
// side have one.
func (s *Service) CreateTemplate(ctx context.Context, actor realty.Actor, in WorkflowTemplateInput) (WorkflowTemplate, error) {
	if err := actor.Require("deal.manage"); err != nil {
		return WorkflowTemplate{}, err
	}
	if err := in.check(); err != nil {
		return WorkflowTemplate{}, err
	}
	var out WorkflowTemplate
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = insertTemplateTx(ctx, tx, actor, in)
		return err
	})
	return out, err
}

// ReplaceTemplate replaces a template's name, match and definitions. Deals
// that have their milestones keep them (a deal's milestones carry their
// own rules). Errors as CreateTemplate, and NotFound.
func (s *Service) ReplaceTemplate(ctx context.Context, actor realty.Actor, id realty.ID, in WorkflowTemplateInput) (WorkflowTemplate, error) {
	if err := actor.Require("deal.manage"); err != nil {
		return WorkflowTemplate{}, err
	}
	if err := in.check(); err != nil {
		return WorkflowTemplate{}, err
	}
	var out WorkflowTemplate
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE deal.workflow_templates SET name = $3, kind = $4, side = $5, milestones = $6,
			required_documents = $7, updated_at = now() WHERE organization_id = $1 AND id = $2 RETURNING `+templateColumns,
			actor.OrgID, id, in.Name, in.Kind, in.Side, nonNilRules(in.Milestones), nonNilDocs(in.RequiredDocuments))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WorkflowTemplate])
		return notFound(err, "workflow template")
	})
	return out, err
}

// DeleteTemplate removes a template; deals keep the milestones they have.
// Errors: Forbidden without deal.manage; NotFound.
func (s *Service) DeleteTemplate(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("deal.manage"); err != nil {
		return err
	}
	return s.tx(ctx, actor, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM deal.workflow_templates WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = &realty.Error{Kind: realty.NotFound, Message: "workflow template not found"}
		}
		return err
	})
}

// templateForTx returns the template matching a deal's kind and side (the
// most specific, kind before side); ok is false when none matches.
func templateForTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal) (WorkflowTemplate, bool, error) {
	rows, err := tx.Query(ctx, `SELECT `+templateColumns+` FROM deal.workflow_templates
		WHERE organization_id = $1 AND kind IN ($2, 'any') AND side IN ($3, 'any')
		ORDER BY kind = 'any', side = 'any' LIMIT 1`, actor.OrgID, d.Kind, d.Side)
	if err != nil {
		return WorkflowTemplate{}, false, err
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[WorkflowTemplate])
	if err != nil || len(list) == 0 {
		return WorkflowTemplate{}, false, err
	}
	return list[0], true, nil
}
