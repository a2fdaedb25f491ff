package messaging

import (
	"strings"

	"realty"
	"realty/internal/postgres"
)

// The CHECK constraints of the messaging schema, so a violation names its
// column whichever statement tripped it.
func init() {
	kind := postgres.Constraint{Kind: realty.Invalid, Field: "kind", Message: "must be dotted lower-case words, at most 64 characters"}
	outbox := map[string]postgres.Constraint{
		"messaging.deliveries_channel_check":         {Kind: realty.Invalid, Field: "channel", Message: "must be email or webhook"},
		"messaging.deliveries_recipient_check":       {Kind: realty.Invalid, Field: "recipient", Message: "must be 1 to 2048 characters"},
		"messaging.deliveries_kind_check":            kind,
		"messaging.deliveries_data_check":            {Kind: realty.Invalid, Field: "data", Message: "must be a JSON object"},
		"messaging.deliveries_idempotency_key_check": {Kind: realty.Invalid, Field: "idempotency_key", Message: "must be 1 to 200 characters"},
		"messaging.deliveries_status_check":          {Kind: realty.Invalid, Field: "status", Message: "must be queued, sending, sent, failed or dead"},
		"messaging.deliveries_attempts_check":        {Kind: realty.Invalid, Field: "attempts", Message: "must not be negative"},
		"messaging.deliveries_max_attempts_check":    {Kind: realty.Invalid, Field: "max_attempts", Message: "must be between 1 and 50"},
		"messaging.deliveries_last_error_check":      {Kind: realty.Invalid, Field: "last_error", Message: "must be at most 2000 characters"},
	}
	// The account outbox has the same checks under its own names.
	all := map[string]postgres.Constraint{
		"messaging.account_deliveries_idempotency_key_key": {Kind: realty.Conflict, Field: "idempotency_key", Message: "a delivery with this key exists"},
		"messaging.notifications_kind_check":               kind,
		"messaging.webhook_endpoints_url_check":            {Kind: realty.Invalid, Field: "url", Message: "must be an http:// or https:// URL"},
		"messaging.webhook_endpoints_events_check":         {Kind: realty.Invalid, Field: "events", Message: "must name 1 to 50 events"},
		"messaging.deliveries_response_body_check":         {Kind: realty.Invalid, Field: "response_body", Message: "must be at most 2000 characters"},
		"messaging.deliveries_endpoint_check":              {Kind: realty.Invalid, Field: "endpoint_id", Message: "a webhook delivery names its endpoint, an e-mail none"},
		"messaging.deliveries_endpoint_fkey":               {Kind: realty.Invalid, Field: "endpoint_id", Message: "no such webhook endpoint"},
		"messaging.notifications_payload_check":            {Kind: realty.Invalid, Field: "payload", Message: "must be a JSON object"},
		"messaging.notification_preferences_kind_check":    kind,
		"messaging.notification_preferences_channel_check": {Kind: realty.Invalid, Field: "channel", Message: "must be in_app, email or webhook"},
		"messaging.threads_subject_check":                  {Kind: realty.Invalid, Field: "subject", Message: "must be 1 to 200 characters"},
		"messaging.threads_party_check":                    {Kind: realty.Invalid, Field: "tenant_id", Message: "name exactly one of tenant_id and vendor_id"},
		"messaging.thread_messages_body_check":             {Kind: realty.Invalid, Field: "body", Message: "must be 1 to 10000 characters"},
		"messaging.announcements_title_check":              {Kind: realty.Invalid, Field: "title", Message: "must be 1 to 200 characters"},
		"messaging.announcements_body_check":               {Kind: realty.Invalid, Field: "body", Message: "must be 1 to 20000 characters"},
		"messaging.announcements_scope_check":              {Kind: realty.Invalid, Field: "scope", Message: "must be property, building or unit"},
		"messaging.announcements_target_check":             {Kind: realty.Invalid, Field: "scope", Message: "names the building or unit its scope calls for, and no other"},
		"messaging.announcements_recipients_check":         {Kind: realty.Invalid, Field: "recipients", Message: "must not be negative"},
	}
	for name, c := range outbox {
		all[name] = c
		all[strings.Replace(name, "messaging.deliveries_", "messaging.account_deliveries_", 1)] = c
	}
	all["messaging.account_deliveries_channel_check"] = postgres.Constraint{Kind: realty.Invalid, Field: "channel", Message: "must be email"}
	postgres.RegisterConstraints(all)
}
