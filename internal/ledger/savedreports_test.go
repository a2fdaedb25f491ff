package ledger_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"realty"
	"realty/internal/ledger"
	"realty/internal/messaging"
	"realty/internal/property"
)

// TestSavedReportSchedule: a saved report scheduled monthly e-mails each
// recipient once per due run, through the outbox to a real SMTP peer, with
// a link to its CSV as on the run's day; a run not yet due and a second pass
// over a sent run send nothing; bad input names the field; another
// organization sees none of it.
func TestSavedReportSchedule(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	s := newSetup(t, func() time.Time { return clock })
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
	msg := messaging.New(s.env.Pool, s.env.Jobs, s.env.Org, s.env.Identity, messaging.Options{Mail: sender, From: "realty@acme.example"})
	s.led.UseMail(msg, "https://realty.example")
	pm := s.org.Personas["property_manager"].Actor
	p, err := s.env.Property.Create(ctx, pm, property.Input{AddressLine1: "9 Owner Lane", City: "Springfield"})
	if err != nil {
		t.Fatal(err)
	}
	e := rent(day("2026-02-03"), "1200.00")
	e.Lines[0].PropertyID, e.Lines[1].PropertyID = &p.ID, &p.ID
	if _, err := s.led.Post(ctx, s.acct, e); err != nil {
		t.Fatal(err)
	}
	one := 1
	r, err := s.led.CreateSavedReport(ctx, pm, ledger.SavedReportInput{Name: "Owner, monthly", Kind: "owner_statement",
		Parameters: ledger.ReportParams{PropertyID: &p.ID}, ScheduleDay: &one, ScheduleHour: 6,
		Recipients: []string{"owner@example.com", "bookkeeper@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.NextRunAt == nil || r.NextRunAt.Month() != time.March {
		t.Fatalf("next run %v, want 1 March", r.NextRunAt)
	}
	run := func(at time.Time, want int) {
		t.Helper()
		clock = at
		n, err := s.led.RunDueReports(ctx, realty.System(s.org.Organization.ID))
		if err != nil || n != want {
			t.Fatalf("run at %s: %d e-mails queued (%v), want %d", at, n, err, want)
		}
		deliverQueued(t, msg, s.org.Personas["owner"].Actor, s.org.Organization.ID)
	}
	run(time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC), 0)
	run(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), 2)
	run(time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC), 0)
	run(time.Date(2026, 4, 3, 12, 0, 0, 0, time.UTC), 2)
	got := map[string]int{}
	for _, m := range srv.Messages() {
		if m.Msg() {
			for _, rcpt := range []string{"owner@example.com", "bookkeeper@example.com"} {
				if strings.Contains(fmt.Sprint(m.RcpttoRequestResponse()), rcpt) {
					got[rcpt]++
				}
			}
			body := strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(m.MsgRequest()) // quoted-printable
			if !strings.Contains(body, "https://realty.example/reports/saved/"+r.ID.String()+"/csv?on=2026-0") {
				t.Errorf("e-mail without the report's link: %.400s", m.MsgRequest())
			}
		}
	}
	if got["owner@example.com"] != 2 || got["bookkeeper@example.com"] != 2 {
		t.Errorf("e-mails received %v, want 2 each (March and April runs)", got)
	}
	on := date("2026-03-01")
	_, table, err := s.led.RunSavedReport(ctx, pm, r.ID, &on)
	if err != nil || !strings.Contains(table.Title, "February 2026") || !strings.Contains(string(table.CSV()), "Net income,1200.00") {
		t.Errorf("run as on 1 March: %v\n%s", err, table.CSV())
	}
	savedReportBadInput(t, s, p.ID)
	other := s.env.Organization(t, "other")
	if _, err := s.led.SavedReport(ctx, other.Personas["accountant"].Actor, r.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another organization's saved report: %v, want NotFound", err)
	}
	if err := s.led.DeleteSavedReport(ctx, other.Personas["accountant"].Actor, r.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("deleting another organization's saved report: %v, want NotFound", err)
	}
}

// deliverQueued sends every queued e-mail of the organization now.
func deliverQueued(t *testing.T, msg *messaging.Service, actor realty.Actor, orgID realty.ID) {
	t.Helper()
	page, err := msg.Deliveries(ctx, actor, messaging.DeliveryFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range page.Items {
		if d.Status == messaging.StatusQueued {
			if _, err := msg.Deliver(ctx, orgID, d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func savedReportBadInput(t *testing.T, s setup, p realty.ID) {
	t.Helper()
	pm := s.org.Personas["property_manager"].Actor
	day, late := 1, 29
	stranger := realty.NewID()
	for field, in := range map[string]ledger.SavedReportInput{
		"name":                   {Kind: "balance_sheet"},
		"kind":                   {Name: "x", Kind: "cash_flow"},
		"parameters.period":      {Name: "x", Kind: "balance_sheet", Parameters: ledger.ReportParams{Period: "fortnight"}},
		"parameters.property_id": {Name: "x", Kind: "owner_statement"},
		"parameters.budget_id":   {Name: "x", Kind: "budget_vs_actual", Parameters: ledger.ReportParams{BudgetID: &stranger}},
		"schedule_day":           {Name: "x", Kind: "balance_sheet", ScheduleDay: &late, Recipients: []string{"a@example.com"}},
		"schedule_hour":          {Name: "x", Kind: "balance_sheet", ScheduleHour: 24},
		"recipients[1]":          {Name: "x", Kind: "balance_sheet", Recipients: []string{"a@example.com", "not an address"}},
		"recipients":             {Name: "x", Kind: "balance_sheet", ScheduleDay: &day},
	} {
		if _, err := s.led.CreateSavedReport(ctx, pm, in); realty.FieldsOf(err)[field] == "" {
			t.Errorf("%s: %v, want an error naming it", field, err)
		}
	}
	if _, err := s.led.CreateSavedReport(ctx, pm, ledger.SavedReportInput{Name: "Owner, monthly", Kind: "balance_sheet"}); realty.KindOf(err) != realty.Conflict {
		t.Errorf("a second report of the same name: %v, want Conflict", err)
	}
	if _, err := s.led.CreateSavedReport(ctx, s.org.Personas["broker"].Actor, ledger.SavedReportInput{Name: "y", Kind: "balance_sheet"}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("a broker saving a report: %v, want Forbidden", err)
	}
}
