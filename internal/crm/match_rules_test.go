package crm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/messaging"
	"realty/internal/postgres"
)

func price(n int64) *decimal.Decimal { d := decimal.NewFromInt(n); return &d }

func onePair(t *testing.T, env fixturetest.Env, actor realty.Actor, frequency string, client crm.Input) (tListing, crm.ClientPreference, crm.Client) {
	t.Helper()
	l := tListing{listType: "sale", status: "Active", ptype: "Residential", city: "Springfield", zip: "10000", price: 400_000,
		lat: 40.1, lon: -74.9, features: []string{"pool"}, remarks: "sunny"}
	createListing(t, env, actor, &l)
	c := mustClient(t, env, actor, client)
	p, err := env.CRM.CreatePreference(context.Background(), actor, c.ID, crm.PreferenceInput{PriceMax: price(420_000),
		Cities: []string{"Springfield"}, AlertFrequency: frequency})
	if err != nil {
		t.Fatal(err)
	}
	return l, p, c
}

func setPrice(t *testing.T, env fixturetest.Env, actor realty.Actor, id realty.ID, n int64) {
	t.Helper()
	if _, err := env.Listing.Update(context.Background(), actor, id, listing.Fields{ListPrice: price(n)}); err != nil {
		t.Fatal(err)
	}
}

// TestDismissedMatchStaysDismissed: a dismissed match stays dismissed on
// a rematch, on an unrelated change and on a price rise, and comes back as
// new when the price drops below the price it was dismissed at.
func TestDismissedMatchStaysDismissed(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner, org := acme.Personas["owner"].Actor, acme.Organization.ID
	ctx := context.Background()
	l, p, c := onePair(t, env, owner, "never", crm.Input{FirstName: "Dana"})
	match := func() crm.Match {
		t.Helper()
		if _, err := env.CRM.MatchListing(ctx, org, l.id); err != nil {
			t.Fatal(err)
		}
		pg, err := env.CRM.Matches(ctx, owner, c.ID, crm.MatchFilter{Inactive: true, Status: "dismissed"})
		if err != nil {
			t.Fatal(err)
		}
		all, _ := env.CRM.Matches(ctx, owner, c.ID, crm.MatchFilter{Inactive: true})
		items := append(pg.Items, all.Items...)
		if len(items) != 1 {
			t.Fatalf("%d matches, want 1", len(items))
		}
		return items[0]
	}
	m := match()
	if m.Status != "new" || m.Score != 100 {
		t.Fatalf("first match %+v", m)
	}
	if m, err := env.CRM.SetMatchStatus(ctx, owner, m.ID, "dismissed"); err != nil || !m.DismissedPrice.Equal(decimal.NewFromInt(400_000)) {
		t.Fatalf("dismiss: %+v %v", m, err)
	}
	if got := match(); got.Status != "dismissed" {
		t.Errorf("after a rematch of the listing: %s", got.Status)
	}
	remarks := "sunny and quiet"
	if _, err := env.Listing.Update(ctx, owner, l.id, listing.Fields{PublicRemarks: &remarks}); err != nil {
		t.Fatal(err)
	}
	if got := match(); got.Status != "dismissed" {
		t.Errorf("after an unrelated change: %s", got.Status)
	}
	if _, _, err := env.CRM.RematchPreference(ctx, org, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.Rematch(ctx, org, realty.ID{}, 0); err != nil {
		t.Fatal(err)
	}
	setPrice(t, env, owner, l.id, 410_000)
	if got := match(); got.Status != "dismissed" {
		t.Errorf("after a full rematch and a price rise: %s", got.Status)
	}
	setPrice(t, env, owner, l.id, 405_000) // lower, but not below the dismissal price
	if got := match(); got.Status != "dismissed" {
		t.Errorf("at 405,000 (dismissed at 400,000): %s", got.Status)
	}
	setPrice(t, env, owner, l.id, 390_000)
	got := match()
	if got.Status != "new" || got.DismissedPrice != nil {
		t.Errorf("after a price drop: %+v", got)
	}
	if pg, _ := env.CRM.Matches(ctx, owner, c.ID, crm.MatchFilter{}); len(pg.Items) != 1 {
		t.Errorf("the surfaced match is not listed: %d", len(pg.Items))
	}
	// Leaving Active hides the match; its status stays.
	pending := "Pending"
	if _, err := env.Listing.Update(ctx, owner, l.id, listing.Fields{StandardStatus: &pending}); err != nil {
		t.Fatal(err)
	}
	if got := match(); got.Active || got.Status != "new" {
		t.Errorf("after Pending: active %v status %s", got.Active, got.Status)
	}
}

// changeJobs counts the listing.changed jobs of a listing, and how many of
// them the listing's own last transaction wrote (the same xmin).
func changeJobs(t *testing.T, env fixturetest.Env, org, id realty.ID) (all, sameTx int) {
	t.Helper()
	err := postgres.Read(context.Background(), env.Pool, realty.System(org), func(rows pgx.Rows) error {
		rows.Next()
		return rows.Scan(&all, &sameTx)
	}, `SELECT count(*),
		count(*) FILTER (WHERE j.xmin = (SELECT l.xmin FROM listing.listings l WHERE l.organization_id = $1 AND l.id = $2))
		FROM river.river_job j WHERE j.kind = 'listing.changed' AND j.args->>'listing_id' = $2::text`, org, id)
	if err != nil {
		t.Fatal(err)
	}
	return all, sameTx
}

// TestListingChangeQueuesMatchJob: creating a listing and changing its
// price queue the match job in the change's own transaction; a change that
// fails queues nothing, and neither does a change that changes nothing.
func TestListingChangeQueuesMatchJob(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner, org := acme.Personas["owner"].Actor, acme.Organization.ID
	l := tListing{listType: "sale", status: "Active", ptype: "Residential", city: "Springfield", zip: "1", price: 100_000, features: []string{}}
	createListing(t, env, owner, &l)
	if all, same := changeJobs(t, env, org, l.id); all != 1 || same != 1 {
		t.Fatalf("after create: %d jobs, %d in its transaction", all, same)
	}
	setPrice(t, env, owner, l.id, 90_000)
	if all, same := changeJobs(t, env, org, l.id); all != 2 || same != 1 {
		t.Fatalf("after a price change: %d jobs, %d in its transaction", all, same)
	}
	stranger := realty.NewID()
	_, err := env.Listing.Update(context.Background(), owner, l.id, listing.Fields{ListPrice: price(80_000), ListAgentID: &stranger})
	if realty.FieldsOf(err)["list_agent_id"] == "" {
		t.Fatalf("update with a stranger as agent: %v", err)
	}
	setPrice(t, env, owner, l.id, 90_000) // unchanged
	if all, _ := changeJobs(t, env, org, l.id); all != 2 {
		t.Fatalf("a rolled-back or empty change queued a job: %d jobs", all)
	}
}

// TestMatchAlertsByEmail: an instant alert reaches a real SMTP peer once;
// a client without e-mail consent gets none; a daily digest gathers three
// matches in one e-mail.
func TestMatchAlertsByEmail(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner, org := acme.Personas["owner"].Actor, acme.Organization.ID
	ctx := context.Background()
	srv := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	sender, err := messaging.NewSMTP(messaging.SMTPConfig{Host: "127.0.0.1", Port: srv.PortNumber(), TLS: messaging.TLSNone, Timeout: 5 * time.Second,
		HELO: "realty.acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	msg := messaging.New(env.Pool, env.Jobs, env.Org, env.Identity, messaging.Options{Mail: sender, From: "realty@acme.example"})
	svc := crm.New(env.Pool, env.Org, nil, msg, env.Listing, nil)
	agent := acme.Personas["agent"].MemberID
	deliverAll := func() {
		t.Helper()
		p, err := msg.Deliveries(ctx, owner, messaging.DeliveryFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Items {
			if d.Status == messaging.StatusQueued {
				if _, err := msg.Deliver(ctx, org, d.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	to := func(addr string) (n int, body string) {
		for _, m := range srv.Messages() {
			if m.Msg() && strings.Contains(fmt.Sprint(m.RcpttoRequestResponse()), addr) {
				n++
				body += m.MsgRequest()
			}
		}
		return n, body
	}
	l, _, c := onePair(t, env, owner, "instant", crm.Input{FirstName: "Erin", Email: "erin@example.com", EmailConsent: true, AssignedAgentID: &agent})
	for range 2 {
		if _, err := svc.MatchListing(ctx, org, l.id); err != nil {
			t.Fatal(err)
		}
		deliverAll()
	}
	if n, body := to("erin@example.com"); n != 1 || !strings.Contains(body, "Main St") {
		t.Fatalf("instant alert: %d e-mails to the client: %.300s", n, body)
	}
	if n, body := to(acme.Personas["agent"].Email); n != 2 || !strings.Contains(body, "a new match for Erin") {
		t.Errorf("the agent got %d e-mails (the lead assignment and the match), the last: %.300s", n, body)
	}
	if pg, _ := svc.Matches(ctx, owner, c.ID, crm.MatchFilter{}); len(pg.Items) != 1 || pg.Items[0].Status != "notified" {
		t.Errorf("after the alert: %+v", pg.Items)
	}

	l2, _, _ := onePair(t, env, owner, "instant", crm.Input{FirstName: "Finn", Email: "finn@example.com"})
	if _, err := svc.MatchListing(ctx, org, l2.id); err != nil {
		t.Fatal(err)
	}
	deliverAll()
	if n, _ := to("finn@example.com"); n != 0 {
		t.Errorf("a client without consent got %d e-mails", n)
	}

	g := mustClient(t, env, owner, crm.Input{FirstName: "Gus", Email: "gus@example.com", EmailConsent: true})
	p, err := svc.CreatePreference(ctx, owner, g.ID, crm.PreferenceInput{PriceMax: price(500_000), Cities: []string{"Ogdenville"}, AlertFrequency: "daily"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		l := tListing{listType: "sale", status: "Active", ptype: "Residential", city: "Ogdenville", zip: "2", price: 300_000, features: []string{}}
		createListing(t, env, owner, &l)
		if _, err := svc.MatchListing(ctx, org, l.id); err != nil {
			t.Fatal(err)
		}
	}
	deliverAll()
	if n, _ := to("gus@example.com"); n != 0 {
		t.Fatalf("a daily preference alerted at once: %d e-mails", n)
	}
	if n, err := svc.Digest(ctx, org, p.ID); err != nil || n != 3 {
		t.Fatalf("digest gathered %d: %v", n, err)
	}
	if n, _ := svc.Digest(ctx, org, p.ID); n != 0 {
		t.Errorf("a second digest gathered %d", n)
	}
	deliverAll()
	if n, body := to("gus@example.com"); n != 1 || strings.Count(body, "Ogdenville") < 3 {
		t.Errorf("digest: %d e-mails: %.600s", n, body)
	}
}

// TestPreferenceBadInput: each bad criterion is refused naming its field,
// and nothing is written.
func TestPreferenceBadInput(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner := acme.Personas["owner"].Actor
	c := mustClient(t, env, owner, crm.Input{FirstName: "Hal"})
	lat, r := 40.0, 5.0
	area := 100.0
	cases := map[string]crm.PreferenceInput{
		"price_min":       {PriceMin: price(500), PriceMax: price(400)},
		"centre_lat":      {RadiusKm: &r},
		"radius_km":       {CentreLat: &lat, CentreLon: &lat},
		"property_types":  {PropertyTypes: []string{"Castle"}},
		"list_type":       {ListType: "rent"},
		"alert_frequency": {AlertFrequency: "hourly"},
		"living_area_min": {LivingAreaMin: &area, LivingAreaMax: &lat},
		"cities":          {CentreLat: &lat, CentreLon: &lat, RadiusKm: &r, Cities: []string{"Springfield"}},
	}
	for field, in := range cases {
		_, err := env.CRM.CreatePreference(context.Background(), owner, c.ID, in)
		if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)[field] == "" {
			t.Errorf("%s: %v, want Invalid naming %s", field, err, field)
		}
	}
	if ps, _ := env.CRM.Preferences(context.Background(), owner, c.ID); len(ps) != 0 {
		t.Errorf("%d preferences written", len(ps))
	}
}
