package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture"
	"realty/internal/ledger"
)

// doKeyed sends a JSON request with an Idempotency-Key.
func (h *harness) doKeyed(method, path, credential, key string, body any) (int, http.Header, []byte) {
	h.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		h.t.Fatal(err)
	}
	req, err := http.NewRequest(method, h.url+path, bytes.NewReader(data))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+credential)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// journalRows counts an organization's journal entries and idempotency keys
// as the superuser sees them.
func (h *harness) journalRows(o fixture.Org) (entries, keys int) {
	h.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, h.env.DB.AdminURL)
	if err != nil {
		h.t.Fatal(err)
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger.journal_entries WHERE organization_id = $1),
		(SELECT count(*) FROM app.idempotency_keys WHERE organization_id = $1)`, o.Organization.ID).Scan(&entries, &keys)
	if err != nil {
		h.t.Fatal(err)
	}
	return entries, keys
}

// entryBody is a manual entry of amount between two system accounts of o.
func (h *harness) entryBody(o fixture.Org, amount string) map[string]any {
	h.t.Helper()
	accounts, err := h.env.Ledger.Accounts(context.Background(), o.Personas["accountant"].Actor)
	if err != nil {
		h.t.Fatal(err)
	}
	ids := map[string]realty.ID{}
	for _, a := range accounts {
		if a.SystemKey != nil {
			ids[*a.SystemKey] = a.ID
		}
	}
	return map[string]any{"entry_date": "2026-03-01", "memo": "rent", "lines": []map[string]any{
		{"account_id": ids[ledger.AccountsReceivable], "debit": amount},
		{"account_id": ids[ledger.RentalIncome], "credit": amount},
	}}
}

// TestIdempotencyContract holds the Idempotency-Key contract on the
// journal-entry POST: a replay gets the first response byte for byte and
// writes nothing, another body under the key is 422, a missing key 400,
// and the same key from another credential or organization is another key.
func TestIdempotencyContract(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const path = "/api/v1/ledger/entries"
	tok := h.tokens["acme:accountant"]
	body := h.entryBody(h.a, "1250.00")

	status, _, first := h.doKeyed("POST", path, tok, "key-1", body)
	if status != 201 || !strings.Contains(string(first), `"debit":"1250.00"`) {
		t.Fatalf("first post: %d %s", status, first)
	}
	entries, keys := h.journalRows(h.a)
	for range 3 {
		status, _, again := h.doKeyed("POST", path, tok, "key-1", body)
		if status != 201 || !bytes.Equal(again, first) {
			t.Errorf("replay: %d %s, want 201 and the first response's bytes %s", status, again, first)
		}
	}
	if e, k := h.journalRows(h.a); e != entries || k != keys {
		t.Errorf("replays wrote rows: entries %d → %d, keys %d → %d", entries, e, keys, k)
	}
	if status, _, resp := h.doKeyed("POST", path, tok, "key-1", h.entryBody(h.a, "1.00")); status != 422 || !strings.Contains(string(resp), "Idempotency-Key") {
		t.Errorf("same key, other body: %d %s, want 422 naming Idempotency-Key", status, resp)
	}
	if status, _, resp := h.doKeyed("POST", path, tok, "", body); status != 400 {
		t.Errorf("no key: %d %s, want 400", status, resp)
	}
	// The owner (another credential) and an API key of the same
	// organization, and globex's accountant, each get a new entry.
	_, key := h.apiKey(h.a, "ledger.post", "ledger.read")
	for _, cred := range []string{h.tokens["acme:owner"], key} {
		if status, _, resp := h.doKeyed("POST", path, cred, "key-1", body); status != 201 || bytes.Equal(resp, first) {
			t.Errorf("same key, another credential: %d %s, want a new entry", status, resp)
		}
	}
	if status, _, resp := h.doKeyed("POST", path, h.tokens["globex:accountant"], "key-1", h.entryBody(h.b, "1250.00")); status != 201 {
		t.Errorf("same key, another organization: %d %s", status, resp)
	}
	if e, _ := h.journalRows(h.a); e != entries+2 {
		t.Errorf("acme has %d entries, want %d", e, entries+2)
	}
	if e, _ := h.journalRows(h.b); e != 1 {
		t.Errorf("globex has %d entries, want 1", e)
	}
}

// TestIdempotencyConcurrent sends one key many times at once: every answer
// is the first's result or 409 (with Retry-After) while it is in flight,
// and exactly one entry is written.
func TestIdempotencyConcurrent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens["acme:accountant"]
	body := h.entryBody(h.a, "99.99")
	const n = 24
	type answer struct {
		status int
		header http.Header
		body   []byte
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, hd, b := h.doKeyed("POST", "/api/v1/ledger/entries", tok, "same-key", body)
			answers[i] = answer{s, hd, b}
		}()
	}
	wg.Wait()
	var first []byte
	created, inFlight := 0, 0
	for _, a := range answers {
		switch a.status {
		case 201:
			created++
			if first == nil {
				first = a.body
			} else if !bytes.Equal(a.body, first) {
				t.Errorf("two different 201 bodies:\n%s\n%s", first, a.body)
			}
		case 409:
			inFlight++
			if a.header.Get("Retry-After") == "" {
				t.Errorf("409 without Retry-After: %s", a.body)
			}
		default:
			t.Errorf("concurrent duplicate: %d %s", a.status, a.body)
		}
	}
	if entries, keys := h.journalRows(h.a); entries != 1 || keys != 1 {
		t.Errorf("%d entries and %d keys after %d concurrent duplicates, want 1 and 1", entries, keys, n)
	}
	// Once the first is done, a retry gets its response.
	if status, _, again := h.doKeyed("POST", "/api/v1/ledger/entries", tok, "same-key", body); status != 201 || !bytes.Equal(again, first) {
		t.Errorf("retry after the storm: %d %s", status, again)
	}
	t.Logf("%d concurrent duplicates: %d answered 201 with the same body, %d answered 409", n, created, inFlight)
}

// TestIdempotentReversalAndClose covers the other money-moving POSTs: a
// replayed reversal is not a second reversal, a replayed close is not a
// Conflict.
func TestIdempotentReversalAndClose(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens["acme:accountant"]
	status, _, resp := h.doKeyed("POST", "/api/v1/ledger/entries", tok, "e1", h.entryBody(h.a, "10.00"))
	if status != 201 {
		t.Fatalf("post: %d %s", status, resp)
	}
	var e struct {
		ID realty.ID `json:"id"`
	}
	_ = json.Unmarshal(resp, &e)
	path := "/api/v1/ledger/entries/" + e.ID.String() + "/reversal"
	s1, _, r1 := h.doKeyed("POST", path, tok, "r1", map[string]any{})
	s2, _, r2 := h.doKeyed("POST", path, tok, "r1", map[string]any{})
	if s1 != 201 || s2 != 201 || !bytes.Equal(r1, r2) {
		t.Errorf("reversal and its replay: %d %s / %d %s", s1, r1, s2, r2)
	}
	if s3, _, r3 := h.doKeyed("POST", path, tok, "r2", map[string]any{}); s3 != 409 {
		t.Errorf("second reversal under a new key: %d %s, want 409", s3, r3)
	}
	c1, _, b1 := h.doKeyed("POST", "/api/v1/ledger/periods/close", tok, "c1", map[string]any{"period": "2026-03-01"})
	c2, _, b2 := h.doKeyed("POST", "/api/v1/ledger/periods/close", tok, "c1", map[string]any{"period": "2026-03-01"})
	if c1 != 200 || c2 != 200 || !bytes.Equal(b1, b2) {
		t.Errorf("close and its replay: %d %s / %d %s", c1, b1, c2, b2)
	}
	if c3, _, b3 := h.doKeyed("POST", "/api/v1/ledger/periods/close", tok, "c2", map[string]any{"period": "2026-03-01"}); c3 != 409 {
		t.Errorf("closing again under a new key: %d %s, want 409", c3, b3)
	}
	if s, _, b := h.doKeyed("POST", "/api/v1/ledger/entries", tok, "e2", h.entryBody(h.a, "1.00")); s != 409 || !strings.Contains(string(b), "2026-03") {
		t.Errorf("posting into closed March: %d %s, want 409 naming the period", s, b)
	}
	status, body := h.do("GET", "/api/v1/ledger/trial-balance?as_of=2026-12-31", tok, nil)
	if status != 200 || !strings.Contains(string(body), `"debit":"20.00"`) {
		t.Errorf("trial balance: %d %s", status, body)
	}
}
