package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
)

// send is h.do for goroutines: no t.Fatal, headers allowed.
func (h *harness) send(method, path, credential string, body any, header map[string]string) (int, http.Header, []byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, nil, nil, err
	}
	req, err := http.NewRequest(method, h.url+path, bytes.NewReader(data))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+credential)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, out, err
}

func showing(start time.Time, d time.Duration) map[string]any {
	return map[string]any{"kind": "showing", "title": "Showing", "starts_at": start, "ends_at": start.Add(d)}
}

// TestDoubleBookingAPI: 20 concurrent requests for overlapping slots of one
// agent — exactly one 201, every other a 409 naming the winner at
// starts_at; a back-to-back slot is 201; another agent may take the same
// slot; after canceling, the slot is free.
func TestDoubleBookingAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent := h.tokens["acme:agent"]
	base := time.Date(2030, 6, 1, 14, 0, 0, 0, time.UTC)
	const n = 20
	statuses, bodies, errs := make([]int, n), make([][]byte, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i], _, bodies[i], errs[i] = h.send("POST", "/api/v1/appointments", agent, showing(base.Add(time.Duration(i)*time.Minute), time.Hour), nil)
		})
	}
	wg.Wait()
	var winner crm.Appointment
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if statuses[i] == 201 {
			created++
			_ = json.Unmarshal(bodies[i], &winner)
		}
	}
	if created != 1 {
		t.Fatalf("%d of %d overlapping bookings answered 201, want exactly one: %v", created, n, statuses)
	}
	for i := range n {
		if statuses[i] != 201 && (statuses[i] != 409 || !strings.Contains(string(bodies[i]), winner.ID.String()) ||
			!strings.Contains(string(bodies[i]), `"location":"starts_at"`)) {
			t.Errorf("booking %d: %d %s, want a 409 naming %s at starts_at", i, statuses[i], bodies[i], winner.ID)
		}
	}
	if status, body := h.do("POST", "/api/v1/appointments", agent, showing(winner.EndsAt, 30*time.Minute)); status != 201 {
		t.Errorf("back-to-back: %d %s", status, body)
	}
	broker := h.tokens["acme:broker"]
	if status, body := h.do("POST", "/api/v1/appointments", broker, showing(winner.StartsAt, time.Hour)); status != 201 {
		t.Errorf("the broker's own time, same slot: %d %s", status, body)
	}
	retry := showing(winner.StartsAt.Add(5*time.Minute), 30*time.Minute)
	if status, _ := h.do("POST", "/api/v1/appointments", agent, retry); status != 409 {
		t.Errorf("overlap: %d, want 409", status)
	}
	path := "/api/v1/appointments/" + winner.ID.String()
	if status, body := h.do("POST", path+"/status", agent, map[string]any{"status": "canceled", "cancellation_reason": "buyer ill"}); status != 200 {
		t.Fatalf("cancel: %d %s", status, body)
	}
	if status, body := h.do("POST", "/api/v1/appointments", agent, retry); status != 201 {
		t.Errorf("the canceled slot: %d %s, want 201", status, body)
	}
}

// TestAppointmentsAPI: bad input is a 422 naming the field; If-Match and
// version guard changes; another agent cannot read the appointment, the
// broker can; the list says the organization's time zone.
func TestAppointmentsAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent := h.tokens["acme:agent"]
	base := time.Date(2030, 6, 1, 14, 0, 0, 0, time.UTC)
	for field, body := range map[string]map[string]any{
		"ends_at": showing(base, -time.Hour),
		"kind":    {"kind": "party", "title": "x", "starts_at": base, "ends_at": base.Add(time.Hour)},
		"title":   {"kind": "call", "title": " ", "starts_at": base, "ends_at": base.Add(time.Hour)},
	} {
		status, resp := h.do("POST", "/api/v1/appointments", agent, body)
		if status != 422 || !strings.Contains(string(resp), field) {
			t.Errorf("%s: %d %s, want 422 naming it", field, status, resp)
		}
	}
	status, header, body, err := h.send("POST", "/api/v1/appointments", agent, showing(base, time.Hour), nil)
	var a crm.Appointment
	if err != nil || status != 201 || json.Unmarshal(body, &a) != nil || header.Get("ETag") != `"1"` {
		t.Fatalf("book: %d %v %s %v", status, header, body, err)
	}
	path := "/api/v1/appointments/" + a.ID.String()
	if status, resp := h.do("POST", path+"/status", agent, map[string]any{"status": "canceled"}); status != 422 ||
		!strings.Contains(string(resp), `"location":"cancellation_reason"`) {
		t.Errorf("cancel without reason: %d %s", status, resp)
	}
	status, header, body, _ = h.send("PATCH", path, agent, map[string]any{"title": "Second look"}, map[string]string{"If-Match": `"1"`})
	if status != 200 || header.Get("ETag") != `"2"` {
		t.Fatalf("change at version 1: %d %s", status, body)
	}
	status, _, body, _ = h.send("PATCH", path, agent, map[string]any{"title": "Lost"}, map[string]string{"If-Match": `"1"`})
	if status != 409 || !strings.Contains(string(body), `"location":"version"`) {
		t.Errorf("stale If-Match: %d %s, want 409 naming version", status, body)
	}
	if status, resp := h.do("PATCH", path, agent, map[string]any{"title": "Lost", "version": 1}); status != 409 {
		t.Errorf("stale version: %d %s, want 409", status, resp)
	}
	other := h.extraAgentToken()
	if status, _ := h.do("GET", path, other, nil); status != 404 {
		t.Errorf("another agent reads it: %d, want 404", status)
	}
	if status, resp := h.do("GET", path, h.tokens["acme:broker"], nil); status != 200 || !strings.Contains(string(resp), "Second look") {
		t.Errorf("the broker reads it: %d %s", status, resp)
	}
	if status, resp := h.do("GET", path, h.tokens["globex:owner"], nil); status != 404 {
		t.Errorf("globex reads it: %d %s", status, resp)
	}
	status, body = h.do("GET", "/api/v1/appointments?from=2030-06-01T00:00:00Z&to=2030-06-02T00:00:00Z", agent, nil)
	var page crm.AppointmentPage
	if status != 200 || json.Unmarshal(body, &page) != nil || len(page.Items) != 1 || page.TimeZone == "" || page.Items[0].TimeZone != page.TimeZone {
		t.Errorf("list: %d %s", status, body)
	}
}

// TestCalendarFeedAPI: the agent makes a feed; its URL answers text/calendar
// without a session, parsed by an iCalendar parser; rotating makes the old
// URL 404 and the new one work; revoking makes it 404.
func TestCalendarFeedAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent := h.tokens["acme:agent"]
	start := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
	if status, body := h.do("POST", "/api/v1/appointments", agent, showing(start, time.Hour)); status != 201 {
		t.Fatalf("book: %d %s", status, body)
	}
	rotate := func() string {
		status, body := h.do("POST", "/api/v1/calendar-feed", agent, nil)
		var f struct {
			URL string `json:"url"`
		}
		if status != 200 || json.Unmarshal(body, &f) != nil || !strings.HasPrefix(f.URL, "/calendar/cal_") {
			t.Fatalf("rotate: %d %s", status, body)
		}
		return f.URL
	}
	get := func(url string) (int, string, []byte) {
		resp, err := http.Get(h.url + url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	first := rotate()
	status, ctype, body := get(first)
	if status != 200 || !strings.HasPrefix(ctype, "text/calendar") {
		t.Fatalf("feed: %d %s %s", status, ctype, body)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil || len(cal.Events()) != 1 {
		t.Fatalf("parse: %v %d events\n%s", err, len(cal.Events()), body)
	}
	if at, err := cal.Events()[0].GetStartAt(); err != nil || !at.Equal(start) {
		t.Errorf("start %v (%v), want %v", at, err, start)
	}
	if status, body := h.do("GET", "/api/v1/calendar-feed", agent, nil); status != 200 || !strings.Contains(string(body), `"active":true`) ||
		strings.Contains(string(body), "cal_") {
		t.Errorf("feed status: %d %s, want active without the token", status, body)
	}
	second := rotate()
	if status, _, _ := get(first); status != 404 {
		t.Errorf("rotated-away URL: %d, want 404", status)
	}
	if status, _, _ := get(second); status != 200 {
		t.Errorf("new URL: %d, want 200", status)
	}
	if status, body := h.do("DELETE", "/api/v1/calendar-feed", agent, nil); status != 204 {
		t.Fatalf("revoke: %d %s", status, body)
	}
	if status, _, _ := get(second); status != 404 {
		t.Errorf("revoked URL: %d, want 404", status)
	}
}

var extraAgents atomic.Int64

// extraAgentToken adds another agent to acme and signs them in.
func (h *harness) extraAgentToken() string {
	h.t.Helper()

	ctx := context.Background()
	email := fmt.Sprintf("agent-extra%d@acme.example", extraAgents.Add(1))
	u, err := h.env.Identity.CreateUser(ctx, identity.NewUser{Email: email, Password: fixturetest.Password})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.env.Org.AddMember(ctx, realty.System(h.a.Organization.ID), u.ID, "agent", ""); err != nil {
		h.t.Fatal(err)
	}
	return h.login(email, "acme")
}
