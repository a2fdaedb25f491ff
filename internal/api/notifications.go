package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty/internal/messaging"
)

// NotificationsInput selects a page of the caller's notifications.
type NotificationsInput struct {
	Unread bool   `query:"unread" doc:"only those not yet read"`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// NotificationsOutput is a page of notifications, newest first.
type NotificationsOutput struct {
	Body messaging.Page[messaging.Notification]
}

// NotificationOutput is one notification.
type NotificationOutput struct{ Body messaging.Notification }

// UnreadCountOutput counts unread notifications.
type UnreadCountOutput struct {
	Body struct {
		Unread int `json:"unread"`
	}
}

// MarkedOutput says how many notifications were marked read.
type MarkedOutput struct {
	Body struct {
		Marked int64 `json:"marked"`
	}
}

// PreferencesOutput is how the caller is told about each kind.
type PreferencesOutput struct {
	Body struct {
		Items []messaging.Preference `json:"items"`
	}
}

// PreferenceInput turns one channel of one kind on or off.
type PreferenceInput struct {
	Kind    string `path:"kind" maxLength:"64" doc:"a kind from GET /notification-preferences"`
	Channel string `path:"channel" enum:"in_app,email"`
	Body    struct {
		Enabled bool `json:"enabled"`
	}
}

// PreferenceOutput is one kind's preference.
type PreferenceOutput struct{ Body messaging.Preference }

func routeNotifications(a huma.API, d Deps) {
	tags := []string{"Notifications"}
	mine := Access{Permission: "notification.read"}
	Register(a, huma.Operation{OperationID: "list-notifications", Method: http.MethodGet, Path: Prefix + "/notifications", Tags: tags,
		Summary: "Your notifications, newest first"}, mine, func(ctx context.Context, in *NotificationsInput) (*NotificationsOutput, error) {
		p, err := d.Messaging.Notifications(ctx, actor(ctx), messaging.Filter{Unread: in.Unread, Cursor: in.Cursor, Limit: in.Limit})
		return &NotificationsOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "count-unread-notifications", Method: http.MethodGet, Path: Prefix + "/notifications/unread-count",
		Tags: tags, Summary: "How many of your notifications are unread"}, mine, func(ctx context.Context, _ *struct{}) (*UnreadCountOutput, error) {
		n, err := d.Messaging.UnreadCount(ctx, actor(ctx))
		out := &UnreadCountOutput{}
		out.Body.Unread = n
		return out, err
	})
	Register(a, huma.Operation{OperationID: "mark-notification-read", Method: http.MethodPost, Path: Prefix + "/notifications/{id}/read",
		Tags: tags, Summary: "Mark one of your notifications read"}, mine, func(ctx context.Context, in *IDPath) (*NotificationOutput, error) {
		n, err := d.Messaging.MarkRead(ctx, actor(ctx), in.ID)
		return &NotificationOutput{Body: n}, err
	})
	Register(a, huma.Operation{OperationID: "mark-all-notifications-read", Method: http.MethodPost, Path: Prefix + "/notifications/read",
		Tags: tags, Summary: "Mark all your notifications read"}, mine, func(ctx context.Context, _ *struct{}) (*MarkedOutput, error) {
		n, err := d.Messaging.MarkAllRead(ctx, actor(ctx))
		out := &MarkedOutput{}
		out.Body.Marked = n
		return out, err
	})
	Register(a, huma.Operation{OperationID: "list-notification-preferences", Method: http.MethodGet, Path: Prefix + "/notification-preferences",
		Tags: tags, Summary: "How you are told about each kind of notification"}, mine,
		func(ctx context.Context, _ *struct{}) (*PreferencesOutput, error) {
			list, err := d.Messaging.Preferences(ctx, actor(ctx))
			out := &PreferencesOutput{}
			out.Body.Items = list
			return out, err
		})
	Register(a, huma.Operation{OperationID: "set-notification-preference", Method: http.MethodPut,
		Path: Prefix + "/notification-preferences/{kind}/{channel}", Tags: tags, Summary: "Turn one channel of one kind on or off for you"}, mine,
		func(ctx context.Context, in *PreferenceInput) (*PreferenceOutput, error) {
			p, err := d.Messaging.SetPreference(ctx, actor(ctx), in.Kind, in.Channel, in.Body.Enabled)
			return &PreferenceOutput{Body: p}, err
		})
	routeDeliveries(a, d)
	routeWebhooks(a, d)
}

// DeliveriesInput selects a page of the outbox.
type DeliveriesInput struct {
	Status string `query:"status" enum:"queued,sending,sent,failed,dead"`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// DeliveriesOutput is a page of the outbox, newest first.
type DeliveriesOutput struct {
	Body messaging.Page[messaging.Delivery]
}

func routeDeliveries(a huma.API, d Deps) {
	Register(a, huma.Operation{OperationID: "list-deliveries", Method: http.MethodGet, Path: Prefix + "/deliveries", Tags: []string{"Notifications"},
		Summary: "The organization's outbox of e-mails, newest first", Description: "Each delivery's status, attempts and last error."},
		Access{Permission: "delivery.read"}, func(ctx context.Context, in *DeliveriesInput) (*DeliveriesOutput, error) {
			p, err := d.Messaging.Deliveries(ctx, actor(ctx), messaging.DeliveryFilter{Status: in.Status, Cursor: in.Cursor, Limit: in.Limit})
			return &DeliveriesOutput{Body: p}, err
		})
}

// NewWebhookInput registers a webhook endpoint.
type NewWebhookInput struct {
	Body struct {
		URL    string   `json:"url" maxLength:"2048" doc:"http:// or https://; private and loopback addresses are refused unless the server allows them"`
		Events []string `json:"events" minItems:"1" maxItems:"50" maxLength:"64" doc:"events to receive, see the list in docs/messaging.md"`
	}
}

// WebhookOutput is an endpoint, with its signing secret when just created
// or rotated.
type WebhookOutput struct {
	Body struct {
		messaging.Endpoint
		Secret string `json:"secret,omitempty" doc:"signs every delivery (shown only now)"`
	}
}

// WebhooksOutput lists endpoints.
type WebhooksOutput struct {
	Body struct {
		Items []messaging.Endpoint `json:"items"`
	}
}

// DeliveryOutput is one delivery.
type DeliveryOutput struct{ Body messaging.Delivery }

func routeWebhooks(a huma.API, d Deps) {
	tags := []string{"Notifications"}
	manage := Access{Permission: "webhook.manage"}
	Register(a, huma.Operation{OperationID: "list-webhooks", Method: http.MethodGet, Path: Prefix + "/webhooks", Tags: tags,
		Summary: "The organization's webhook endpoints"}, manage, func(ctx context.Context, _ *struct{}) (*WebhooksOutput, error) {
		list, err := d.Messaging.Endpoints(ctx, actor(ctx))
		out := &WebhooksOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-webhook", Method: http.MethodPost, Path: Prefix + "/webhooks", Tags: tags,
		Summary: "Register a webhook endpoint", DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *NewWebhookInput) (*WebhookOutput, error) {
			ep, secret, err := d.Messaging.CreateEndpoint(ctx, actor(ctx), messaging.NewEndpoint{URL: in.Body.URL, Events: in.Body.Events})
			out := &WebhookOutput{}
			out.Body.Endpoint, out.Body.Secret = ep, secret
			return out, err
		})
	Register(a, huma.Operation{OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: Prefix + "/webhooks/{id}/rotate-secret",
		Tags: tags, Summary: "Give an endpoint a new signing secret", Description: "Deliveries carry signatures with the new and the previous secret until the next rotation."},
		manage, func(ctx context.Context, in *IDPath) (*WebhookOutput, error) {
			ep, secret, err := d.Messaging.RotateSecret(ctx, actor(ctx), in.ID)
			out := &WebhookOutput{}
			out.Body.Endpoint, out.Body.Secret = ep, secret
			return out, err
		})
	Register(a, huma.Operation{OperationID: "replay-delivery", Method: http.MethodPost, Path: Prefix + "/deliveries/{id}/replay",
		Tags: tags, Summary: "Send a webhook delivery again from its first attempt"}, manage,
		func(ctx context.Context, in *IDPath) (*DeliveryOutput, error) {
			dl, err := d.Messaging.Replay(ctx, actor(ctx), in.ID)
			return &DeliveryOutput{Body: dl}, err
		})
}
