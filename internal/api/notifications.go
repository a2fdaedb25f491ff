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
