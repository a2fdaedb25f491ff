package messaging

import (
	"realty"
	"realty/internal/postgres"
)

// The CHECK constraints of the messaging schema, so a violation names its
// column whichever statement tripped it.
func init() {
	kind := postgres.Constraint{Kind: realty.Invalid, Field: "kind", Message: "must be dotted lower-case words, at most 64 characters"}
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"messaging.notifications_kind_check":               kind,
		"messaging.notifications_payload_check":            {Kind: realty.Invalid, Field: "payload", Message: "must be a JSON object"},
		"messaging.notification_preferences_kind_check":    kind,
		"messaging.notification_preferences_channel_check": {Kind: realty.Invalid, Field: "channel", Message: "must be in_app, email or webhook"},
		"messaging.deliveries_channel_check":               {Kind: realty.Invalid, Field: "channel", Message: "must be email or webhook"},
		"messaging.deliveries_recipient_check":             {Kind: realty.Invalid, Field: "recipient", Message: "must be 1 to 2048 characters"},
		"messaging.deliveries_kind_check":                  kind,
		"messaging.deliveries_data_check":                  {Kind: realty.Invalid, Field: "data", Message: "must be a JSON object"},
		"messaging.deliveries_idempotency_key_check":       {Kind: realty.Invalid, Field: "idempotency_key", Message: "must be 1 to 200 characters"},
		"messaging.deliveries_status_check":                {Kind: realty.Invalid, Field: "status", Message: "must be queued, sending, sent, failed or dead"},
		"messaging.deliveries_attempts_check":              {Kind: realty.Invalid, Field: "attempts", Message: "must not be negative"},
		"messaging.deliveries_max_attempts_check":          {Kind: realty.Invalid, Field: "max_attempts", Message: "must be between 1 and 50"},
		"messaging.deliveries_last_error_check":            {Kind: realty.Invalid, Field: "last_error", Message: "must be at most 2000 characters"},
	})
}
