package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/messaging"
)

// ThreadsInput selects a page of threads.
type ThreadsInput struct {
	TenantID string `query:"tenant_id" maxLength:"36" doc:"only the threads with this tenant"`
	Cursor   string `query:"cursor" maxLength:"500" doc:"next_cursor of the previous page"`
	Limit    int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// ThreadsOutput is a page of threads, most recently active first.
type ThreadsOutput struct {
	Body messaging.Page[messaging.Thread]
}

// ThreadOutput is a thread with its messages.
type ThreadOutput struct{ Body messaging.ThreadView }

// MessageOutput is one message.
type MessageOutput struct{ Body messaging.Message }

// NewThreadInput starts a thread with a tenant or a vendor.
type NewThreadInput struct {
	Body struct {
		TenantID *realty.ID `json:"tenant_id,omitempty" doc:"the tenant written to (or vendor_id)"`
		VendorID *realty.ID `json:"vendor_id,omitempty" doc:"the vendor written to (or tenant_id)"`
		Subject  string     `json:"subject" maxLength:"200"`
		Body     string     `json:"body" maxLength:"10000"`
	}
}

// MyNewThreadInput starts a thread with the manager.
type MyNewThreadInput struct {
	Body struct {
		Subject string `json:"subject" maxLength:"200"`
		Body    string `json:"body" maxLength:"10000"`
	}
}

// ReplyInput adds a message to a thread.
type ReplyInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Body string `json:"body" maxLength:"10000"`
	}
}

// MyPageInput is a cursor and a page size of the caller's own things.
type MyPageInput struct {
	Cursor string `query:"cursor" maxLength:"500" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

func routeMessages(a huma.API, d Deps) {
	tags := []string{"Messages"}
	read, send := Access{Permission: "message.read"}, Access{Permission: "message.send"}
	Register(a, huma.Operation{OperationID: "list-threads", Method: http.MethodGet, Path: Prefix + "/threads", Tags: tags,
		Summary: "Message threads with tenants and vendors, most recently active first", Description: "Each with the caller's unread count."},
		read, func(ctx context.Context, in *ThreadsInput) (*ThreadsOutput, error) {
			tenant, err := optionalID(in.TenantID, "tenant_id")
			if err != nil {
				return nil, err
			}
			p, err := d.Messaging.Threads(ctx, actor(ctx), messaging.ThreadFilter{TenantID: tenant, Cursor: in.Cursor, Limit: in.Limit})
			return &ThreadsOutput{Body: p}, err
		})
	Register(a, huma.Operation{OperationID: "create-thread", Method: http.MethodPost, Path: Prefix + "/threads", Tags: tags,
		Summary: "Write to a tenant or a vendor", Description: "The tenant's resident is notified in-app and by e-mail as their preferences say " +
			"(a tenant without portal access by e-mail).", DefaultStatus: http.StatusCreated}, send,
		func(ctx context.Context, in *NewThreadInput) (*ThreadOutput, error) {
			b := in.Body
			t, err := d.Messaging.StartThread(ctx, actor(ctx), messaging.NewThread{TenantID: b.TenantID, VendorID: b.VendorID, Subject: b.Subject, Body: b.Body})
			return &ThreadOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "get-thread", Method: http.MethodGet, Path: Prefix + "/threads/{id}", Tags: tags,
		Summary: "A thread with its messages, oldest first"}, read, func(ctx context.Context, in *IDPath) (*ThreadOutput, error) {
		t, err := d.Messaging.Thread(ctx, actor(ctx), in.ID)
		return &ThreadOutput{Body: t}, err
	})
	Register(a, huma.Operation{OperationID: "reply-thread", Method: http.MethodPost, Path: Prefix + "/threads/{id}/messages", Tags: tags,
		Summary: "Reply in a thread", DefaultStatus: http.StatusCreated}, send, func(ctx context.Context, in *ReplyInput) (*MessageOutput, error) {
		m, err := d.Messaging.Reply(ctx, actor(ctx), in.ID, in.Body.Body)
		return &MessageOutput{Body: m}, err
	})
	Register(a, huma.Operation{OperationID: "mark-thread-read", Method: http.MethodPost, Path: Prefix + "/threads/{id}/read", Tags: tags,
		Summary: "Mark a thread read for you", DefaultStatus: http.StatusNoContent}, read, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, d.Messaging.MarkThreadRead(ctx, actor(ctx), in.ID)
	})
	routeAnnouncements(a, d)
	routeMyMessages(a, d)
}

// AnnouncementsInput selects a page of announcements.
type AnnouncementsInput struct {
	PropertyID string `query:"property_id" maxLength:"36"`
	Cursor     string `query:"cursor" maxLength:"500" doc:"next_cursor of the previous page"`
	Limit      int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// AnnouncementsOutput is a page of announcements, latest publish time first.
type AnnouncementsOutput struct {
	Body messaging.Page[messaging.Announcement]
}

// AnnouncementOutput is one announcement.
type AnnouncementOutput struct{ Body messaging.Announcement }

// NewAnnouncementInput publishes an announcement.
type NewAnnouncementInput struct {
	Body struct {
		Title      string     `json:"title" maxLength:"200"`
		Body       string     `json:"body" maxLength:"20000"`
		Scope      string     `json:"scope" enum:"property,building,unit" doc:"who it goes to: every tenant of the property, of one building or of one unit"`
		PropertyID realty.ID  `json:"property_id"`
		BuildingID *realty.ID `json:"building_id,omitempty" doc:"with scope building"`
		UnitID     *realty.ID `json:"unit_id,omitempty" doc:"with scope unit"`
		PublishAt  *time.Time `json:"publish_at,omitempty" doc:"when it is delivered (now when absent or past)"`
	}
}

func routeAnnouncements(a huma.API, d Deps) {
	tags := []string{"Messages"}
	read := Access{Permission: "announcement.read"}
	Register(a, huma.Operation{OperationID: "list-announcements", Method: http.MethodGet, Path: Prefix + "/announcements", Tags: tags,
		Summary: "Announcements to tenants, latest first"}, read, func(ctx context.Context, in *AnnouncementsInput) (*AnnouncementsOutput, error) {
		p, err := optionalID(in.PropertyID, "property_id")
		if err != nil {
			return nil, err
		}
		page, err := d.Messaging.Announcements(ctx, actor(ctx), messaging.AnnouncementFilter{PropertyID: p, Cursor: in.Cursor, Limit: in.Limit})
		return &AnnouncementsOutput{Body: page}, err
	})
	Register(a, huma.Operation{OperationID: "get-announcement", Method: http.MethodGet, Path: Prefix + "/announcements/{id}", Tags: tags,
		Summary: "One announcement and how many tenants it reached"}, read, func(ctx context.Context, in *IDPath) (*AnnouncementOutput, error) {
		an, err := d.Messaging.Announcement(ctx, actor(ctx), in.ID)
		return &AnnouncementOutput{Body: an}, err
	})
	Register(a, huma.Operation{OperationID: "create-announcement", Method: http.MethodPost, Path: Prefix + "/announcements", Tags: tags,
		Summary: "Announce to every tenant of a property, building or unit", Description: "Delivered at publish_at to each tenant on an " +
			"active lease in the scope, once each: in-app and by e-mail as each resident's preferences say.", DefaultStatus: http.StatusCreated},
		Access{Permission: "announcement.manage"}, func(ctx context.Context, in *NewAnnouncementInput) (*AnnouncementOutput, error) {
			b := in.Body
			an, err := d.Messaging.Announce(ctx, actor(ctx), messaging.NewAnnouncement{Title: b.Title, Body: b.Body, PublishAt: b.PublishAt,
				Scope: messaging.Scope{Kind: b.Scope, PropertyID: b.PropertyID, BuildingID: b.BuildingID, UnitID: b.UnitID}})
			return &AnnouncementOutput{Body: an}, err
		})
}

// ReceivedOutput is a page of announcements that reached the caller.
type ReceivedOutput struct {
	Body messaging.Page[messaging.Received]
}

func routeMyMessages(a huma.API, d Deps) {
	tags := []string{"Resident"}
	own := Access{Permission: "tenancy.own"}
	gate := func(ctx context.Context) error { return messaging.ResidentOnly(actor(ctx)) }
	Register(a, huma.Operation{OperationID: "list-my-threads", Method: http.MethodGet, Path: Prefix + "/me/threads", Tags: tags,
		Summary: "The caller's conversations with the manager", Description: "For residents: 404 when the caller is linked to no tenant."},
		own, func(ctx context.Context, in *MyPageInput) (*ThreadsOutput, error) {
			if err := gate(ctx); err != nil {
				return &ThreadsOutput{Body: messaging.Page[messaging.Thread]{Items: []messaging.Thread{}}}, nilIfNoTenancy(err)
			}
			p, err := d.Messaging.Threads(ctx, actor(ctx), messaging.ThreadFilter{Cursor: in.Cursor, Limit: in.Limit})
			return &ThreadsOutput{Body: p}, err
		})
	Register(a, huma.Operation{OperationID: "create-my-thread", Method: http.MethodPost, Path: Prefix + "/me/threads", Tags: tags,
		Summary: "Write to the manager", DefaultStatus: http.StatusCreated}, own, func(ctx context.Context, in *MyNewThreadInput) (*ThreadOutput, error) {
		if err := gate(ctx); err != nil {
			if nilIfNoTenancy(err) == nil {
				err = realty.FieldError("tenant", "you are linked to no tenant: ask the manager to link your account")
			}
			return nil, err
		}
		t, err := d.Messaging.StartThread(ctx, actor(ctx), messaging.NewThread{Subject: in.Body.Subject, Body: in.Body.Body})
		return &ThreadOutput{Body: t}, err
	})
	Register(a, huma.Operation{OperationID: "get-my-thread", Method: http.MethodGet, Path: Prefix + "/me/threads/{id}", Tags: tags,
		Summary: "One of the caller's conversations", Description: "404 for any other."}, own, func(ctx context.Context, in *IDPath) (*ThreadOutput, error) {
		if err := gate(ctx); err != nil {
			return nil, err
		}
		t, err := d.Messaging.Thread(ctx, actor(ctx), in.ID)
		return &ThreadOutput{Body: t}, err
	})
	Register(a, huma.Operation{OperationID: "reply-my-thread", Method: http.MethodPost, Path: Prefix + "/me/threads/{id}/messages", Tags: tags,
		Summary: "Reply to the manager", DefaultStatus: http.StatusCreated}, own, func(ctx context.Context, in *ReplyInput) (*MessageOutput, error) {
		if err := gate(ctx); err != nil {
			return nil, err
		}
		m, err := d.Messaging.Reply(ctx, actor(ctx), in.ID, in.Body.Body)
		return &MessageOutput{Body: m}, err
	})
	Register(a, huma.Operation{OperationID: "mark-my-thread-read", Method: http.MethodPost, Path: Prefix + "/me/threads/{id}/read", Tags: tags,
		Summary: "Mark one of the caller's conversations read", DefaultStatus: http.StatusNoContent}, own, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		if err := gate(ctx); err != nil {
			return nil, err
		}
		return nil, d.Messaging.MarkThreadRead(ctx, actor(ctx), in.ID)
	})
	Register(a, huma.Operation{OperationID: "list-my-announcements", Method: http.MethodGet, Path: Prefix + "/me/announcements", Tags: tags,
		Summary: "The announcements that reached the caller's home, latest first"}, own, func(ctx context.Context, in *MyPageInput) (*ReceivedOutput, error) {
		if err := gate(ctx); err != nil {
			return &ReceivedOutput{Body: messaging.Page[messaging.Received]{Items: []messaging.Received{}}}, nilIfNoTenancy(err)
		}
		p, err := d.Messaging.MyAnnouncements(ctx, actor(ctx), in.Cursor, in.Limit)
		return &ReceivedOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "mark-my-announcement-read", Method: http.MethodPost, Path: Prefix + "/me/announcements/{id}/read",
		Tags: tags, Summary: "Mark an announcement read", DefaultStatus: http.StatusNoContent}, own, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, d.Messaging.MarkAnnouncementRead(ctx, actor(ctx), in.ID)
	})
}

// nilIfNoTenancy forgives the portal gate's NotFound (a caller linked to no
// tenant has an empty list), keeping its Forbidden.
func nilIfNoTenancy(err error) error {
	if realty.KindOf(err) == realty.NotFound {
		return nil
	}
	return err
}
