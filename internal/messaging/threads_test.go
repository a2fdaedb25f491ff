package messaging_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
	"realty/internal/messaging"
	"realty/internal/postgres"
	"realty/internal/property"
)

// tenancies is an organization with two properties: the first has unit 101
// (tenant Ada, linked to the resident persona) and unit 102 in building B
// (tenant Bea, no portal, an e-mail address), the second unit 201 (tenant
// Cy); each lease is active. Dee has no lease.
type tenancies struct {
	bundle
	pm, res           realty.Actor
	p1, p2            realty.ID
	building          realty.ID
	units             map[string]realty.ID
	ada, bea, cy, dee realty.ID
}

func newTenancies(t *testing.T) tenancies {
	t.Helper()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	w := tenancies{bundle: b, pm: b.persona("property_manager").Actor, units: map[string]realty.ID{}}
	env := b.env
	var ps [2]property.Property
	for i, street := range []string{"1 Main St", "9 Elm St"} {
		p, err := env.Property.Create(ctx, w.pm, property.Input{AddressLine1: street, City: "Denver", StateProvince: "CO"})
		if err != nil {
			t.Fatal(err)
		}
		ps[i] = p
	}
	w.p1, w.p2 = ps[0].ID, ps[1].ID
	bld, err := env.Property.CreateBuilding(ctx, w.pm, w.p1, property.BuildingInput{Name: "B"})
	if err != nil {
		t.Fatal(err)
	}
	w.building = bld.ID
	for _, u := range []struct {
		n        string
		p        realty.ID
		building *realty.ID
	}{{"101", w.p1, nil}, {"102", w.p1, &bld.ID}, {"201", w.p2, nil}} {
		unit, err := env.Property.CreateUnit(ctx, w.pm, u.p, property.UnitInput{UnitNumber: u.n, BuildingID: u.building})
		if err != nil {
			t.Fatal(err)
		}
		w.units[u.n] = unit.ID
	}
	res := b.persona("resident")
	tenant := func(first string, member *realty.ID, email *string) realty.ID {
		last := "Tenant"
		ten, err := env.Leasing.CreateTenant(ctx, w.pm, leasing.TenantInput{FirstName: &first, LastName: &last, MemberID: member, Email: email})
		if err != nil {
			t.Fatal(err)
		}
		return ten.ID
	}
	beaMail, cyMail := "bea@tenants.example", "cy@tenants.example"
	w.ada, w.bea, w.cy, w.dee = tenant("Ada", &res.MemberID, nil), tenant("Bea", nil, &beaMail), tenant("Cy", nil, &cyMail), tenant("Dee", nil, nil)
	end := realty.Date{Year: 2027, Month: 12, Day: 31}
	for unit, ten := range map[string]realty.ID{"101": w.ada, "102": w.bea, "201": w.cy} {
		l, err := env.Leasing.CreateLease(ctx, w.pm, leasing.LeaseInput{UnitID: w.units[unit], Tenants: []leasing.LeaseTenant{{TenantID: ten}},
			StartDate: realty.Date{Year: 2027, Month: 1, Day: 1}, EndDate: &end, Rent: decimal.NewFromInt(1200)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Leasing.Activate(ctx, w.pm, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	if w.res, err = env.Org.ActorFor(ctx, b.org.Organization.ID, res.User.ID); err != nil {
		t.Fatal(err)
	}
	if !w.res.Resident || w.res.TenantID != w.ada {
		t.Fatalf("resident actor not fenced to Ada: %+v", w.res)
	}
	return w
}

// sendAll delivers every queued e-mail of the organization and returns the
// recipients the SMTP peer accepted, sorted.
func (w tenancies) sendAll(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	p, err := w.svc.Deliveries(ctx, w.persona("owner").Actor, messaging.DeliveryFilter{Status: "queued", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Items {
		if _, err := w.svc.Deliver(ctx, w.org.Organization.ID, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	var to []string
	for _, m := range accepted(w.smtp) {
		for _, r := range m.RcpttoRequestResponse() {
			to = append(to, strings.Trim(strings.TrimPrefix(r[0], "RCPT TO:"), "<> "))
		}
	}
	slices.Sort(to)
	return to
}

// count runs a count(*) query in actor's transaction.
func count(t *testing.T, w tenancies, actor realty.Actor, sql string, args ...any) int {
	t.Helper()
	var n int
	err := postgres.Tx(context.Background(), w.env.Pool, actor, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), sql, args...).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func unread(t *testing.T, w tenancies, actor realty.Actor, id realty.ID) int {
	t.Helper()
	p, err := w.svc.Threads(context.Background(), actor, messaging.ThreadFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range p.Items {
		if th.ID == id {
			return th.Unread
		}
	}
	t.Fatalf("thread %s not listed", id)
	return 0
}

// TestThreadRoundTrip: the manager writes to Ada, Ada's resident reads
// (unread 1 → 0) and replies, the manager sees one unread; each side is
// notified in-app and by e-mail.
func TestThreadRoundTrip(t *testing.T) {
	t.Parallel()
	w := newTenancies(t)
	ctx := context.Background()
	th, err := w.svc.StartThread(ctx, w.pm, messaging.NewThread{TenantID: &w.ada, Subject: "Water shut-off", Body: "Tuesday 9 to 11."})
	if err != nil {
		t.Fatal(err)
	}
	if th.Unread != 0 || len(th.Messages) != 1 || !th.Messages[0].FromStaff {
		t.Fatalf("new thread: %+v", th)
	}
	if n := unread(t, w, w.res, th.ID); n != 1 {
		t.Errorf("resident's unread %d, want 1", n)
	}
	got, err := w.svc.Thread(ctx, w.res, th.ID)
	if err != nil || len(got.Messages) != 1 || got.Messages[0].Body != "Tuesday 9 to 11." {
		t.Fatalf("resident reads: %+v %v", got, err)
	}
	if err := w.svc.MarkThreadRead(ctx, w.res, th.ID); err != nil {
		t.Fatal(err)
	}
	if n := unread(t, w, w.res, th.ID); n != 0 {
		t.Errorf("resident's unread after reading %d, want 0", n)
	}
	m, err := w.svc.Reply(ctx, w.res, th.ID, "Thanks, noted.")
	if err != nil || m.FromStaff {
		t.Fatalf("resident replies: %+v %v", m, err)
	}
	if n := unread(t, w, w.pm, th.ID); n != 1 {
		t.Errorf("manager's unread %d, want 1", n)
	}
	if n := unread(t, w, w.res, th.ID); n != 0 {
		t.Errorf("resident's unread after replying %d, want 0", n)
	}
	if n, err := w.svc.UnreadThreads(ctx, w.pm); err != nil || n != 1 {
		t.Errorf("manager's unread threads %d (%v), want 1", n, err)
	}
	// In-app: one message.new to each side.
	notes, err := w.svc.Notifications(ctx, w.pm, messaging.Filter{Limit: 10})
	if err != nil || len(notes.Items) != 1 || notes.Items[0].Kind != "message.new" || notes.Items[0].Payload["name"] != "Ada Tenant" {
		t.Errorf("manager's notifications: %+v %v", notes, err)
	}
	if n := count(t, w, w.pm, `SELECT count(*) FROM messaging.notifications WHERE organization_id = $1 AND recipient_id = $2 AND kind = 'message.new'`,
		w.org.Organization.ID, w.persona("resident").MemberID); n != 1 {
		t.Errorf("resident's in-app notices %d, want 1", n)
	}
	// E-mail: one to each side, through the SMTP peer.
	want := []string{w.persona("property_manager").Email, w.persona("resident").Email}
	slices.Sort(want)
	if to := w.sendAll(t); !slices.Equal(to, want) {
		t.Errorf("e-mailed %v, want %v", to, want)
	}
	// Bea has no portal: a message to her is e-mailed to her own address.
	if _, err := w.svc.StartThread(ctx, w.pm, messaging.NewThread{TenantID: &w.bea, Subject: "Keys", Body: "Pick up at the office."}); err != nil {
		t.Fatal(err)
	}
	if to := w.sendAll(t); !slices.Contains(to, "bea@tenants.example") {
		t.Errorf("e-mailed %v, want Bea among them", to)
	}
}

// TestResidentSeesOwnThreads: the resident lists, reads and writes only
// their own tenancy's threads (another's id is NotFound), by the service
// and by row-level security alone.
func TestResidentSeesOwnThreads(t *testing.T) {
	t.Parallel()
	w := newTenancies(t)
	ctx := context.Background()
	own, err := w.svc.StartThread(ctx, w.res, messaging.NewThread{Subject: "Dripping tap", Body: "Kitchen tap drips."})
	if err != nil {
		t.Fatal(err)
	}
	if own.TenantID == nil || *own.TenantID != w.ada {
		t.Fatalf("resident's thread is of tenant %v, want Ada", own.TenantID)
	}
	other, err := w.svc.StartThread(ctx, w.pm, messaging.NewThread{TenantID: &w.bea, Subject: "Rent", Body: "Reminder."})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.svc.Threads(ctx, w.res, messaging.ThreadFilter{TenantID: &w.bea, Limit: 10})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != own.ID {
		t.Errorf("resident's list: %+v %v", p, err)
	}
	if _, err := w.svc.Thread(ctx, w.res, other.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another tenancy's thread: %v, want NotFound", err)
	}
	if _, err := w.svc.Reply(ctx, w.res, other.ID, "hi"); realty.KindOf(err) != realty.NotFound {
		t.Errorf("replying in another tenancy's thread: %v, want NotFound", err)
	}
	if _, err := w.svc.StartThread(ctx, w.res, messaging.NewThread{TenantID: &w.bea, Subject: "x", Body: "y"}); !hasField(err, "tenant_id") {
		t.Errorf("resident writing as Bea: %v, want tenant_id", err)
	}
	if _, err := w.svc.Announcements(ctx, w.res, messaging.AnnouncementFilter{}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("staff announcements as resident: %v, want Forbidden", err)
	}
	if _, err := w.svc.Announce(ctx, w.pm, messaging.NewAnnouncement{Title: "Pool", Body: "Open.",
		Scope: messaging.Scope{Kind: "property", PropertyID: w.p1}}); err != nil {
		t.Fatal(err)
	}
	// Row-level security alone: no service filter in these queries.
	org := w.org.Organization.ID
	q := `SELECT (SELECT count(*) FROM messaging.threads WHERE organization_id = $1)
		+ 10 * (SELECT count(*) FROM messaging.thread_messages WHERE organization_id = $1)
		+ 100 * (SELECT count(*) FROM messaging.thread_reads WHERE organization_id = $1)
		+ 1000 * (SELECT count(*) FROM messaging.announcements WHERE organization_id = $1)`
	if n := count(t, w, w.res, q, org); n != 111 {
		t.Errorf("resident's transaction sees %d (threads + 10 messages + 100 reads + 1000 announcements), want 111", n)
	}
	if n := count(t, w, w.pm, q, org); n != 1222 {
		t.Errorf("manager's transaction sees %d, want 1222", n)
	}
	if n := count(t, w, w.res, `SELECT count(*) FROM messaging.threads WHERE organization_id = $1 AND id = $2`, org, other.ID); n != 0 {
		t.Errorf("resident's transaction sees another tenancy's thread by id")
	}
	unlinked := w.res
	unlinked.TenantID = realty.ID{}
	if n := count(t, w, unlinked, q, org); n != 0 {
		t.Errorf("an unlinked resident's transaction sees %d", n)
	}
}

// hasField reports whether err is an Invalid error naming field.
func hasField(err error, field string) bool {
	_, ok := realty.FieldsOf(err)[field]
	return realty.KindOf(err) == realty.Invalid && ok
}
