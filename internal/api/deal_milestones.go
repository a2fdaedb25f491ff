package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/deal"
)

// MilestonesOutput lists a deal's milestones.
type MilestonesOutput struct {
	Body struct {
		Items []deal.Milestone `json:"items"`
	}
}

// MilestoneOutput is one milestone.
type MilestoneOutput struct{ Body deal.Milestone }

// WorkflowTemplateOutput is a workflow template.
type WorkflowTemplateOutput struct{ Body deal.WorkflowTemplate }

// WorkflowTemplatesOutput lists workflow templates.
type WorkflowTemplatesOutput struct {
	Body struct {
		Items []deal.WorkflowTemplate `json:"items"`
	}
}

// HolidaysOutput lists a year of the holiday calendar.
type HolidaysOutput struct {
	Body struct {
		Items []deal.CalendarDay `json:"items"`
	}
}

// MilestoneDueBody fixes a milestone's due date, or returns it to its rule.
type MilestoneDueBody struct {
	DueOverride *realty.Date `json:"due_override,omitempty" doc:"the date; absent: the rule's"`
}

// HolidayOutput is one day of the calendar.
type HolidayOutput struct{ Body deal.CalendarDay }

const milestonesDoc = "A milestone's due date is fixed, or counted from the deal's contract date, its expected close or " +
	"another milestone, in calendar or business days (weekends and the organization's holidays skipped); a calendar-day " +
	"deadline falling on a day off moves to the next business day (the previous one for a deadline before its anchor). " +
	"`late` is an open milestone past its due date. The agent is reminded " +
	"two days before a due date and told the day after it passed; the brokers are told two days later."

func routeDealMilestones(a huma.API, d Deps) {
	tags := []string{"Deal workflow"}
	read, write, manage := Access{Permission: "deal.read"}, Access{Permission: "deal.write"}, Access{Permission: "deal.manage"}
	Register(a, huma.Operation{OperationID: "list-deal-milestones", Method: http.MethodGet, Path: Prefix + "/deals/{id}/milestones", Tags: tags,
		Summary: "A deal's milestones with their due dates", Description: milestonesDoc}, read,
		func(ctx context.Context, in *IDPath) (*MilestonesOutput, error) {
			list, err := d.Deal.Milestones(ctx, actor(ctx), in.ID)
			out := &MilestonesOutput{}
			out.Body.Items = list
			return out, err
		})
	Register(a, huma.Operation{OperationID: "apply-deal-template", Method: http.MethodPost, Path: Prefix + "/deals/{id}/milestones", Tags: tags,
		Summary: "Give a deal the milestones of its workflow template", DefaultStatus: http.StatusCreated,
		Description: "The template matching the deal's kind and side (the most specific; kind before side). A deal gets them by " +
			"itself when it goes under contract; 409 when it has them already. " + milestonesDoc}, write,
		func(ctx context.Context, in *IDPath) (*MilestonesOutput, error) {
			list, err := d.Deal.ApplyTemplate(ctx, actor(ctx), in.ID)
			out := &MilestonesOutput{}
			out.Body.Items = list
			return out, err
		})
	Register(a, huma.Operation{OperationID: "complete-milestone", Method: http.MethodPost, Path: Prefix + "/milestones/{id}/complete", Tags: tags,
		Summary: "Mark a milestone complete (by you, now)", Description: "Completing it again changes nothing."}, write,
		func(ctx context.Context, in *IDPath) (*MilestoneOutput, error) {
			m, err := d.Deal.CompleteMilestone(ctx, actor(ctx), in.ID)
			return &MilestoneOutput{Body: m}, err
		})
	Register(a, huma.Operation{OperationID: "uncomplete-milestone", Method: http.MethodPost, Path: Prefix + "/milestones/{id}/uncomplete", Tags: tags,
		Summary: "Reopen a milestone marked complete by mistake"}, write,
		func(ctx context.Context, in *IDPath) (*MilestoneOutput, error) {
			m, err := d.Deal.UncompleteMilestone(ctx, actor(ctx), in.ID)
			return &MilestoneOutput{Body: m}, err
		})
	Register(a, huma.Operation{OperationID: "set-milestone-due", Method: http.MethodPut, Path: Prefix + "/milestones/{id}/due", Tags: tags,
		Summary:     "Fix a milestone's due date on this deal, or return it to its rule",
		Description: "Milestones anchored to it move with it. Without due_override the rule computes the date again."}, write,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body MilestoneDueBody
		}) (*MilestoneOutput, error) {
			m, err := d.Deal.SetMilestoneDue(ctx, actor(ctx), in.ID, in.Body.DueOverride)
			return &MilestoneOutput{Body: m}, err
		})
	routeWorkflowTemplates(a, d, tags, read, manage)
	routeHolidays(a, d, tags, read, manage)
}

func routeWorkflowTemplates(a huma.API, d Deps, tags []string, read, manage Access) {
	Register(a, huma.Operation{OperationID: "list-workflow-templates", Method: http.MethodGet, Path: Prefix + "/workflow-templates", Tags: tags,
		Summary: "The organization's workflow templates"}, read,
		func(ctx context.Context, _ *struct{}) (*WorkflowTemplatesOutput, error) {
			list, err := d.Deal.Templates(ctx, actor(ctx))
			out := &WorkflowTemplatesOutput{}
			out.Body.Items = list
			return out, err
		})
	Register(a, huma.Operation{OperationID: "get-workflow-template", Method: http.MethodGet, Path: Prefix + "/workflow-templates/{id}", Tags: tags,
		Summary: "One workflow template"}, read,
		func(ctx context.Context, in *IDPath) (*WorkflowTemplateOutput, error) {
			t, err := d.Deal.Template(ctx, actor(ctx), in.ID)
			return &WorkflowTemplateOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "create-workflow-template", Method: http.MethodPost, Path: Prefix + "/workflow-templates", Tags: tags,
		Summary: "Add a workflow template", DefaultStatus: http.StatusCreated,
		Description: "One template per kind and side (any matches every deal). required_documents is the compliance checklist: " +
			"a deal enters a listed stage only holding documents of each category."}, manage,
		func(ctx context.Context, in *struct{ Body deal.WorkflowTemplateInput }) (*WorkflowTemplateOutput, error) {
			t, err := d.Deal.CreateTemplate(ctx, actor(ctx), in.Body)
			return &WorkflowTemplateOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "replace-workflow-template", Method: http.MethodPut, Path: Prefix + "/workflow-templates/{id}", Tags: tags,
		Summary: "Replace a workflow template", Description: "Deals keep the milestones they have."}, manage,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body deal.WorkflowTemplateInput
		}) (*WorkflowTemplateOutput, error) {
			t, err := d.Deal.ReplaceTemplate(ctx, actor(ctx), in.ID, in.Body)
			return &WorkflowTemplateOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "delete-workflow-template", Method: http.MethodDelete, Path: Prefix + "/workflow-templates/{id}", Tags: tags,
		Summary: "Delete a workflow template", Description: "Deals keep the milestones they have.", DefaultStatus: http.StatusNoContent}, manage,
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Deal.DeleteTemplate(ctx, actor(ctx), in.ID)
		})
}

func routeHolidays(a huma.API, d Deps, tags []string, read, manage Access) {
	Register(a, huma.Operation{OperationID: "list-holidays", Method: http.MethodGet, Path: Prefix + "/holidays", Tags: tags,
		Summary: "The organization's holiday calendar for a year",
		Description: "Seeded with the public holidays of the organization's country (from its time zone, else its currency: " +
			"US, CA or GB) for this year and the next, and each new year as it comes. Business-day deadlines skip these days."}, read,
		func(ctx context.Context, in *struct {
			Year int `query:"year" minimum:"1900" maximum:"2200" doc:"the year; this year when absent"`
		}) (*HolidaysOutput, error) {
			if in.Year == 0 {
				in.Year = realty.DateOf(time.Now().UTC()).Year
			}
			list, err := d.Deal.Holidays(ctx, actor(ctx), in.Year)
			out := &HolidaysOutput{}
			out.Body.Items = list
			return out, err
		})
	Register(a, huma.Operation{OperationID: "add-holiday", Method: http.MethodPost, Path: Prefix + "/holidays", Tags: tags,
		Summary: "Put a day off on the calendar", DefaultStatus: http.StatusCreated,
		Description: "Open deals' due dates are computed again."}, manage,
		func(ctx context.Context, in *struct{ Body deal.Holiday }) (*HolidayOutput, error) {
			h, err := d.Deal.AddHoliday(ctx, actor(ctx), in.Body)
			return &HolidayOutput{Body: h}, err
		})
	Register(a, huma.Operation{OperationID: "remove-holiday", Method: http.MethodDelete, Path: Prefix + "/holidays/{day}", Tags: tags,
		Summary: "Take a day off the calendar", DefaultStatus: http.StatusNoContent,
		Description: "A public holiday removed stays off: the yearly seeding does not bring it back. Open deals' due dates are computed again."},
		manage, func(ctx context.Context, in *struct {
			Day string `path:"day" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" maxLength:"10" doc:"the day, YYYY-MM-DD"`
		}) (*struct{}, error) {
			day, err := realty.ParseDate(in.Day)
			if err != nil {
				return nil, realty.FieldError("day", "is not a date (YYYY-MM-DD)")
			}
			return nil, d.Deal.RemoveHoliday(ctx, actor(ctx), day)
		})
}
