package messaging

import (
	"slices"

	"realty"
)

// Channels a member may be notified on. Webhooks are the organization's,
// not a member's, and come later.
const (
	ChannelInApp = "in_app"
	ChannelEmail = "email"
)

// Kind is one sort of message realty sends, with the channels it uses when
// the member has chosen nothing.
type Kind struct {
	Name        string `json:"kind"`
	Description string `json:"description"`
	InApp       bool   `json:"in_app" doc:"shown in the app unless the member turned it off"`
	Email       bool   `json:"email" doc:"e-mailed unless the member turned it off"`
	// Account kinds go to a person about their own account (a reset link,
	// an invitation), or to a client who is no member (match alerts, with
	// the client's consent): always e-mailed, never in-app, not a
	// preference.
	Account bool `json:"-"`
}

// Kinds are every kind realty sends. Each has a template in templates/
// (TestTemplatesComplete).
var Kinds = []Kind{
	{Name: "lead.assigned", Description: "A lead was assigned to you", InApp: true, Email: true},
	{Name: "task.due", Description: "A task of yours comes due", InApp: true},
	{Name: "appointment.booked", Description: "Someone else booked an appointment in your calendar", InApp: true, Email: true},
	{Name: "appointment.canceled", Description: "Someone else canceled an appointment of yours", InApp: true, Email: true},
	{Name: "match.new", Description: "A listing matches a client's saved preference", InApp: true, Email: true},
	{Name: "workorder.overdue", Description: "A work order is still unassigned past its response target", InApp: true, Email: true},
	{Name: "message.new", Description: "A new message in a conversation of yours", InApp: true, Email: true},
	{Name: "milestone.due", Description: "A milestone of your deal comes due soon", InApp: true, Email: true},
	{Name: "milestone.overdue", Description: "A milestone of your deal is past its due date", InApp: true, Email: true},
	{Name: "milestone.escalated", Description: "A deal's milestone is still open days past its due date (to brokers)", InApp: true, Email: true},
	{Name: "announcement.published", Description: "An announcement to the tenants of your home", InApp: true, Email: true},
	{Name: "match.alert", Description: "A new listing matching a client's saved search, to the client", Account: true},
	{Name: "match.digest", Description: "The day's or week's new matches of a client's saved search, to the client", Account: true},
	{Name: "account.verify_email", Description: "Confirm your e-mail address", Account: true},
	{Name: "account.password_reset", Description: "A link to choose a new password", Account: true},
	{Name: "org.invitation", Description: "An invitation to join an organization", Account: true},
	{Name: "deal.signature_request", Description: "A one-time link to sign a contract electronically, to a signer", Account: true},
	{Name: "report.scheduled", Description: "A saved report's scheduled run, with a link to its CSV, to its recipients", Account: true},
}

// kindOf returns the kind named name, Invalid naming field for another.
func kindOf(field, name string) (Kind, error) {
	i := slices.IndexFunc(Kinds, func(k Kind) bool { return k.Name == name })
	if i < 0 {
		return Kind{}, realty.FieldError(field, "is not a kind of notification realty sends")
	}
	return Kinds[i], nil
}
