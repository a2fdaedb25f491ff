package messaging_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"realty"
	"realty/internal/messaging"
)

// TestAnnouncementReachesEachTenantOnce: an announcement to the first
// property reaches Ada and Bea (not Cy of the other property, not Dee
// without a lease) once each, in-app and by e-mail, however often its
// delivery runs; a building or unit scope narrows it; a later publish time
// waits.
func TestAnnouncementReachesEachTenantOnce(t *testing.T) {
	t.Parallel()
	w := newTenancies(t)
	ctx := context.Background()
	org := w.org.Organization.ID
	a, err := w.svc.Announce(ctx, w.pm, messaging.NewAnnouncement{Title: "Water off Monday", Body: "From 9 to 11.",
		Scope: messaging.Scope{Kind: "property", PropertyID: w.p1}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{2, 0, 0} {
		d, err := w.svc.DeliverAnnouncement(ctx, org, a.ID)
		if err != nil || d.Reached != want {
			t.Fatalf("delivery %d reached %d (%v), want %d", i+1, d.Reached, err, want)
		}
	}
	recipients := func(id realty.ID) []realty.ID {
		var ids []realty.ID
		for _, ten := range []realty.ID{w.ada, w.bea, w.cy, w.dee} {
			if count(t, w, w.pm, `SELECT count(*) FROM messaging.announcement_recipients WHERE organization_id = $1
				AND announcement_id = $2 AND tenant_id = $3`, org, id, ten) > 0 {
				ids = append(ids, ten)
			}
		}
		return ids
	}
	if got := recipients(a.ID); !slices.Equal(got, []realty.ID{w.ada, w.bea}) {
		t.Errorf("recipients %v, want Ada and Bea", got)
	}
	got, err := w.svc.Announcement(ctx, w.pm, a.ID)
	if err != nil || got.Recipients != 2 || got.DeliveredAt == nil {
		t.Errorf("announcement after delivery: %+v %v", got, err)
	}
	// In-app: Ada's resident has one notice and sees it in the portal.
	if n := count(t, w, w.pm, `SELECT count(*) FROM messaging.notifications WHERE organization_id = $1 AND recipient_id = $2
		AND kind = 'announcement.published'`, org, w.persona("resident").MemberID); n != 1 {
		t.Errorf("resident's in-app notices %d, want 1", n)
	}
	mine, err := w.svc.MyAnnouncements(ctx, w.res, "", 10)
	if err != nil || len(mine.Items) != 1 || mine.Items[0].Title != "Water off Monday" || mine.Items[0].ReadAt != nil {
		t.Errorf("resident's announcements: %+v %v", mine, err)
	}
	if err := w.svc.MarkAnnouncementRead(ctx, w.res, a.ID); err != nil {
		t.Error(err)
	}
	// E-mail: one each to Ada's resident and Bea, through the SMTP peer.
	want := []string{"bea@tenants.example", w.persona("resident").Email}
	slices.Sort(want)
	if to := w.sendAll(t); !slices.Equal(to, want) {
		t.Errorf("e-mailed %v, want %v", to, want)
	}
	if m := accepted(w.smtp); len(m) == 0 || !strings.Contains(m[0].MsgRequest(), "From 9 to 11.") {
		t.Errorf("the e-mail does not carry the announcement's body")
	}

	// Building B holds only Bea's unit; unit 101 only Ada's.
	for _, c := range []struct {
		scope messaging.Scope
		want  []realty.ID
	}{
		{messaging.Scope{Kind: "building", PropertyID: w.p1, BuildingID: &w.building}, []realty.ID{w.bea}},
		{messaging.Scope{Kind: "unit", PropertyID: w.p1, UnitID: ptr(w.units["101"])}, []realty.ID{w.ada}},
		{messaging.Scope{Kind: "property", PropertyID: w.p2}, []realty.ID{w.cy}},
	} {
		a, err := w.svc.Announce(ctx, w.pm, messaging.NewAnnouncement{Title: "Notice", Body: "Body", Scope: c.scope})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.DeliverAnnouncement(ctx, org, a.ID); err != nil {
			t.Fatal(err)
		}
		if got := recipients(a.ID); !slices.Equal(got, c.want) {
			t.Errorf("%s scope reached %v, want %v", c.scope.Kind, got, c.want)
		}
	}
	later := time.Now().Add(time.Hour)
	a, err = w.svc.Announce(ctx, w.pm, messaging.NewAnnouncement{Title: "Later", Body: "Body", PublishAt: &later,
		Scope: messaging.Scope{Kind: "property", PropertyID: w.p1}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := w.svc.DeliverAnnouncement(ctx, org, a.ID); err != nil || d.Reached != 0 || d.DueAt.IsZero() {
		t.Errorf("delivery before the publish time: %+v %v", d, err)
	}
	// Row-level security alone: the resident's transaction sees only Ada's
	// copies and none of the announcements themselves.
	if n := count(t, w, w.res, `SELECT count(*) FROM messaging.announcement_recipients WHERE organization_id = $1`, org); n != 2 {
		t.Errorf("resident's transaction sees %d recipient rows, want Ada's 2", n)
	}
}

func ptr[T any](v T) *T { return &v }

// TestMessagingBadInput: bad input is Invalid naming the field, and
// nothing is written.
func TestMessagingBadInput(t *testing.T) {
	t.Parallel()
	w := newTenancies(t)
	ctx := context.Background()
	nobody := realty.NewID()
	long := strings.Repeat("x", 10001)
	for _, c := range []struct {
		name, field string
		in          messaging.NewThread
	}{
		{"no subject", "subject", messaging.NewThread{TenantID: &w.ada, Subject: " ", Body: "b"}},
		{"no body", "body", messaging.NewThread{TenantID: &w.ada, Subject: "s"}},
		{"long body", "body", messaging.NewThread{TenantID: &w.ada, Subject: "s", Body: long}},
		{"no party", "tenant_id", messaging.NewThread{Subject: "s", Body: "b"}},
		{"two parties", "tenant_id", messaging.NewThread{TenantID: &w.ada, VendorID: &nobody, Subject: "s", Body: "b"}},
		{"no such tenant", "tenant_id", messaging.NewThread{TenantID: &nobody, Subject: "s", Body: "b"}},
	} {
		if _, err := w.svc.StartThread(ctx, w.pm, c.in); !hasField(err, c.field) {
			t.Errorf("%s: %v, want Invalid naming %s", c.name, err, c.field)
		}
	}
	u201, b := w.units["201"], w.building
	for _, c := range []struct {
		name, field string
		in          messaging.NewAnnouncement
	}{
		{"no title", "title", messaging.NewAnnouncement{Body: "b", Scope: messaging.Scope{Kind: "property", PropertyID: w.p1}}},
		{"no body", "body", messaging.NewAnnouncement{Title: "t", Scope: messaging.Scope{Kind: "property", PropertyID: w.p1}}},
		{"bad scope", "scope", messaging.NewAnnouncement{Title: "t", Body: "b", Scope: messaging.Scope{Kind: "street", PropertyID: w.p1}}},
		{"no property", "property_id", messaging.NewAnnouncement{Title: "t", Body: "b", Scope: messaging.Scope{Kind: "property"}}},
		{"no such property", "property_id", messaging.NewAnnouncement{Title: "t", Body: "b", Scope: messaging.Scope{Kind: "property", PropertyID: nobody}}},
		{"unit without unit", "unit_id", messaging.NewAnnouncement{Title: "t", Body: "b", Scope: messaging.Scope{Kind: "unit", PropertyID: w.p1}}},
		{"unit of another property", "unit_id", messaging.NewAnnouncement{Title: "t", Body: "b", Scope: messaging.Scope{Kind: "unit", PropertyID: w.p1, UnitID: &u201}}},
		{"building of another property", "building_id", messaging.NewAnnouncement{Title: "t", Body: "b", Scope: messaging.Scope{Kind: "building", PropertyID: w.p2, BuildingID: &b}}},
	} {
		if _, err := w.svc.Announce(ctx, w.pm, c.in); !hasField(err, c.field) {
			t.Errorf("%s: %v, want Invalid naming %s", c.name, err, c.field)
		}
	}
	if _, err := w.svc.Reply(ctx, w.pm, nobody, "hi"); realty.KindOf(err) != realty.NotFound {
		t.Errorf("reply to no thread: %v", err)
	}
	q := `SELECT (SELECT count(*) FROM messaging.threads WHERE organization_id = $1) + (SELECT count(*) FROM messaging.announcements WHERE organization_id = $1)`
	if n := count(t, w, w.pm, q, w.org.Organization.ID); n != 0 {
		t.Errorf("bad input wrote %d rows", n)
	}
}

// TestMessagingIsolation: another organization's manager sees, reads and
// writes nothing of this one's threads and announcements.
func TestMessagingIsolation(t *testing.T) {
	t.Parallel()
	w := newTenancies(t)
	ctx := context.Background()
	th, err := w.svc.StartThread(ctx, w.pm, messaging.NewThread{TenantID: &w.ada, Subject: "s", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.svc.Announce(ctx, w.pm, messaging.NewAnnouncement{Title: "t", Body: "b", Scope: messaging.Scope{Kind: "property", PropertyID: w.p1}})
	if err != nil {
		t.Fatal(err)
	}
	other := w.env.Organization(t, "globex").Personas["property_manager"].Actor
	if _, err := w.svc.Thread(ctx, other, th.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("A's thread as B: %v", err)
	}
	if _, err := w.svc.Reply(ctx, other, th.ID, "hi"); realty.KindOf(err) != realty.NotFound {
		t.Errorf("replying in A's thread as B: %v", err)
	}
	if err := w.svc.MarkThreadRead(ctx, other, th.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("marking A's thread read as B: %v", err)
	}
	if _, err := w.svc.StartThread(ctx, other, messaging.NewThread{TenantID: &w.ada, Subject: "s", Body: "b"}); !hasField(err, "tenant_id") {
		t.Errorf("writing to A's tenant as B: %v", err)
	}
	if _, err := w.svc.Announcement(ctx, other, a.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("A's announcement as B: %v", err)
	}
	if _, err := w.svc.Announce(ctx, other, messaging.NewAnnouncement{Title: "t", Body: "b", Scope: messaging.Scope{Kind: "property", PropertyID: w.p1}}); !hasField(err, "property_id") {
		t.Errorf("announcing to A's property as B: %v", err)
	}
	ts, err := w.svc.Threads(ctx, other, messaging.ThreadFilter{Limit: 10})
	as, err2 := w.svc.Announcements(ctx, other, messaging.AnnouncementFilter{Limit: 10})
	if err != nil || err2 != nil || len(ts.Items) != 0 || len(as.Items) != 0 {
		t.Errorf("B lists %d threads, %d announcements (%v %v)", len(ts.Items), len(as.Items), err, err2)
	}
	if d, err := w.svc.DeliverAnnouncement(ctx, other.OrgID, a.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("delivering A's announcement in B: %+v %v", d, err)
	}
}
