package crm

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Patch changes a client's facts; nil fields stay. An empty Email or Phone
// removes it. Stage and assignee change through ChangeStage and Assign.
type Patch struct {
	FirstName     *string
	LastName      *string
	Email         *string
	Phone         *string
	Source        *string
	NurtureStatus *string
	BudgetMin     *decimal.Decimal
	BudgetMax     *decimal.Decimal
	Tags          *[]string
	Notes         *string
	EmailConsent  *bool
	SMSConsent    *bool
}

// Update changes a client's facts and returns the client. Forbidden without
// client.write; NotFound as Get; Invalid naming the field; Conflict naming
// the other client's id when the new e-mail address or phone number is
// another client's.
func (s *Service) Update(ctx context.Context, actor realty.Actor, id realty.ID, p Patch) (Client, error) {
	if err := actor.Require("client.write"); err != nil {
		return Client{}, err
	}
	var out Client
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := lockClient(ctx, tx, actor, id); err != nil {
			return err
		}
		st, err := settingsTx(ctx, tx, actor)
		if err != nil {
			return err
		}
		set, args, err := p.assignments(st.PhoneRegion)
		if err != nil {
			return err
		}
		if err := findDuplicate(ctx, tx, actor, strings.TrimSpace(derefOr(p.Email, "")), args["phone"].(string), &id); err != nil {
			return err
		}
		for k, v := range scopeArgs(actor) {
			args[k] = v
		}
		args["id"] = id
		if out, err = updateClient(ctx, tx, set, args); err != nil {
			return err
		}
		return s.rescoreTx(ctx, tx, actor, id)
	})
	return out, err
}

// assignments is the SET list and arguments of p.
func (p Patch) assignments(region string) (string, map[string]any, error) {
	set := []string{"first_name = coalesce(@first_name, first_name)", "last_name = coalesce(@last_name, last_name)",
		"source = coalesce(@source, source)", "nurture_status = coalesce(@nurture, nurture_status)",
		"budget_min = CASE WHEN @set_budget_min THEN @budget_min ELSE budget_min END",
		"budget_max = CASE WHEN @set_budget_max THEN @budget_max ELSE budget_max END",
		"tags = coalesce(@tags, tags)", "notes = coalesce(@notes, notes)",
		"email_consent = coalesce(@email_consent, email_consent)",
		"email_consent_at = CASE WHEN @email_consent::bool IS DISTINCT FROM email_consent AND @email_consent IS NOT NULL THEN now() ELSE email_consent_at END",
		"sms_consent = coalesce(@sms_consent, sms_consent)",
		"sms_consent_at = CASE WHEN @sms_consent::bool IS DISTINCT FROM sms_consent AND @sms_consent IS NOT NULL THEN now() ELSE sms_consent_at END",
	}
	args := map[string]any{"first_name": trimmed(p.FirstName), "last_name": trimmed(p.LastName), "source": trimmed(p.Source),
		"nurture": p.NurtureStatus, "set_budget_min": p.BudgetMin != nil, "budget_min": p.BudgetMin,
		"set_budget_max": p.BudgetMax != nil, "budget_max": p.BudgetMax, "tags": p.Tags, "notes": p.Notes,
		"email_consent": p.EmailConsent, "sms_consent": p.SMSConsent, "phone": ""}
	if p.FirstName != nil && strings.TrimSpace(*p.FirstName) == "" {
		return "", nil, realty.FieldError("first_name", "is required")
	}
	if p.Email != nil {
		set, args["email"] = append(set, "email = @email"), optional(*p.Email)
	}
	if p.Phone != nil {
		phone, err := NormalizePhone(*p.Phone, region, "phone")
		if err != nil {
			return "", nil, err
		}
		set, args["phone_value"], args["phone"] = append(set, "phone = @phone_value"), optional(phone), phone
	}
	return strings.Join(set, ", "), args, nil
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

func derefOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
