package crm_test

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
)

// TestCalendarFeed: an agent's feed, parsed by an independent iCalendar
// parser, lists their appointments (not another agent's) in the
// organization's zone, America/New_York, on both sides of the November and
// March switches: each DTSTART/DTEND carries the local wall-clock time, the
// instant equals the stored one both by the parser's reading of the TZID
// and by the feed's own VTIMEZONE; text survives escaping and folding; a
// canceled appointment is CANCELLED; SEQUENCE follows the version. A
// rotated token stops working, the new one works, a revoked one stops, and
// so does the feed of a member who left.
func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	if _, err := env.Org.UpdateOrganization(ctx, acme.Personas["owner"].Actor, orgPatchZone("America/New_York")); err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	agent := acme.Personas["agent"].Actor
	now := time.Date(2030, 10, 1, 12, 0, 0, 0, time.UTC)
	svc := crm.New(env.Pool, env.Org, func() time.Time { return now }, nil, env.Listing, nil)
	long := strings.Repeat("Große Villa, am See; mit Blick \\ über alles. ", 3) + "\nZweite Zeile"
	want := map[string]time.Time{ // title → local start; DST ends 2030-11-03, begins 2031-03-09
		"Before fall-back": time.Date(2030, 11, 2, 10, 0, 0, 0, ny),
		"After fall-back":  time.Date(2030, 11, 4, 10, 0, 0, 0, ny),
		"Before spring":    time.Date(2031, 3, 8, 10, 0, 0, 0, ny),
		"After spring":     time.Date(2031, 3, 10, 10, 0, 0, 0, ny),
		long:               time.Date(2030, 12, 1, 18, 30, 0, 0, ny),
	}
	stored := map[string]crm.Appointment{}
	for title, at := range want {
		in := slot(title, at, 90*time.Minute)
		in.Location, in.Notes = "12 Elm St, Springfield", "Bring keys; code 1234"
		a, err := env.CRM.Book(ctx, agent, in)
		if err != nil {
			t.Fatal(err)
		}
		stored[title] = a
	}
	canceled, err := env.CRM.SetAppointmentStatus(ctx, agent, stored["After spring"].ID, "canceled", "seller withdrew", nil)
	if err != nil {
		t.Fatal(err)
	}
	stored["After spring"] = canceled
	if _, err := env.CRM.Book(ctx, extraAgent(t, env, acme), slot("Not mine", want["After fall-back"], time.Hour)); err != nil {
		t.Fatal(err)
	}
	feed, err := svc.RotateFeed(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	body, err := svc.Calendar(ctx, feed.Token)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, body)
	unfolded := strings.ReplaceAll(string(body), "\r\n ", "")
	for _, escaped := range []string{`SUMMARY:Große Villa\, am See\; mit Blick \\ über alles.`, `alles. \nZweite Zeile` + "\r\n",
		`LOCATION:12 Elm St\, Springfield` + "\r\n", `DESCRIPTION:Bring keys\; code 1234` + "\r\n"} {
		if !strings.Contains(unfolded, escaped) {
			t.Errorf("the feed lacks %q, escaped as RFC 5545 says", escaped)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	zone := parseZone(t, cal)
	events := cal.Events()
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d", len(events), len(want))
	}
	for _, e := range events {
		title := ics.FromText(e.GetProperty(ics.ComponentPropertySummary).Value)
		a, ok := stored[title]
		if !ok {
			t.Errorf("event %q is no appointment of the agent's", title)
			continue
		}
		start := e.GetProperty(ics.ComponentPropertyDtStart)
		if tz := start.ICalParameters["TZID"]; len(tz) != 1 || tz[0] != "America/New_York" {
			t.Errorf("%s: TZID %v", title, tz)
		}
		if local := want[title].Format("20060102T150405"); start.Value != local {
			t.Errorf("%s: DTSTART %s, want the wall-clock %s", title, start.Value, local)
		}
		got, err := e.GetStartAt()
		if err != nil || !got.Equal(a.StartsAt) {
			t.Errorf("%s: the parser reads %v (%v), stored %v", title, got, err, a.StartsAt)
		}
		if end, err := e.GetEndAt(); err != nil || !end.Equal(a.EndsAt) {
			t.Errorf("%s: end %v (%v), stored %v", title, end, err, a.EndsAt)
		}
		if byZone := zone.instant(t, start.Value); !byZone.Equal(a.StartsAt) {
			t.Errorf("%s: by the feed's VTIMEZONE %v, stored %v", title, byZone, a.StartsAt)
		}
		if e.Id() != a.ID.String()+"@realty" {
			t.Errorf("%s: UID %s", title, e.Id())
		}
		status, seq := e.GetProperty(ics.ComponentPropertyStatus).Value, e.GetProperty(ics.ComponentPropertySequence).Value
		wantStatus, wantSeq := "TENTATIVE", "0"
		if a.Status == "canceled" {
			wantStatus, wantSeq = "CANCELLED", "1"
		}
		if status != wantStatus || seq != wantSeq {
			t.Errorf("%s: STATUS %s SEQUENCE %s, want %s %s", title, status, seq, wantStatus, wantSeq)
		}
		if loc := ics.FromText(e.GetProperty(ics.ComponentPropertyLocation).Value); loc != "12 Elm St, Springfield" {
			t.Errorf("%s: LOCATION %q", title, loc)
		}
	}

	again, err := svc.RotateFeed(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Calendar(ctx, feed.Token); realty.KindOf(err) != realty.NotFound {
		t.Errorf("the rotated-away token: %v, want NotFound", err)
	}
	if _, err := svc.Calendar(ctx, again.Token); err != nil {
		t.Errorf("the new token: %v", err)
	}
	if err := svc.RevokeFeed(ctx, agent); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Calendar(ctx, again.Token); realty.KindOf(err) != realty.NotFound {
		t.Errorf("the revoked token: %v, want NotFound", err)
	}
	leaver := extraAgent(t, env, acme)
	theirs, err := svc.RotateFeed(ctx, leaver)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Calendar(ctx, theirs.Token); err != nil {
		t.Fatalf("a member's feed: %v", err)
	}
	if err := env.Org.RemoveMember(ctx, acme.Personas["owner"].Actor, leaver.MemberID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Calendar(ctx, theirs.Token); realty.KindOf(err) != realty.NotFound {
		t.Errorf("the feed of a member who left: %v, want NotFound", err)
	}
	for _, bad := range []string{"", "cal_", again.Token[:len(again.Token)-1], strings.Replace(again.Token, acme.Organization.ID.String(), realty.NewID().String(), 1)} {
		if _, err := svc.Calendar(ctx, bad); realty.KindOf(err) != realty.NotFound {
			t.Errorf("token %q: %v, want NotFound", bad, err)
		}
	}
}

// checkLines holds the feed to RFC 5545's lines: CRLF endings and at most
// 75 octets each.
func checkLines(t *testing.T, body []byte) {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) {
		t.Errorf("feed does not end in END:VCALENDAR CRLF")
	}
	folded := 0
	for _, line := range strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n") {
		if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
			t.Errorf("line of %d octets (or a bare line break): %q", len(line), line)
		}
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded == 0 {
		t.Errorf("no folded line, though one title is %d characters", 270)
	}
}

// zone is a VTIMEZONE read independently of Go's time zone database: its
// observances' onsets (local, in the offset before) and offsets.
type zone []struct {
	onset string
	from  int
	to    int
}

func parseZone(t *testing.T, cal *ics.Calendar) zone {
	t.Helper()
	var z zone
	for _, c := range cal.Components {
		tz, ok := c.(*ics.VTimezone)
		if !ok {
			continue
		}
		if id := tz.GetProperty(ics.ComponentPropertyTzid); id == nil || id.Value != "America/New_York" {
			t.Fatalf("VTIMEZONE %v", id)
		}
		for _, sub := range tz.SubComponents() {
			var base *ics.ComponentBase
			switch o := sub.(type) {
			case *ics.Standard:
				base = &o.ComponentBase
			case *ics.Daylight:
				base = &o.ComponentBase
			default:
				continue
			}
			z = append(z, struct {
				onset string
				from  int
				to    int
			}{base.GetProperty(ics.ComponentPropertyDtStart).Value, offset(t, base.GetProperty("TZOFFSETFROM").Value),
				offset(t, base.GetProperty("TZOFFSETTO").Value)})
		}
	}
	if len(z) < 3 {
		t.Fatalf("VTIMEZONE has %d observances, want the switches around the window", len(z))
	}
	sort.Slice(z, func(i, j int) bool { return z[i].onset < z[j].onset })
	return z
}

// instant reads a local date-time by the zone: the offset of the last
// observance whose onset is not after it.
func (z zone) instant(t *testing.T, local string) time.Time {
	off := z[0].to
	for _, o := range z {
		if o.onset <= local {
			off = o.to
		}
	}
	at, err := time.ParseInLocation("20060102T150405", local, time.FixedZone("", off))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func offset(t *testing.T, s string) int {
	t.Helper()
	at, err := time.Parse("-0700", s)
	if err != nil {
		t.Fatalf("UTC offset %q: %v", s, err)
	}
	_, off := at.Zone()
	return off
}
