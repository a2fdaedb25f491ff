package api_test

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestPasswordResetSameAnswer: a reset request for an address with an
// account and for one without get the same status and body; a bad token
// is a 422 naming token.
func TestPasswordResetSameAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	known, knownBody := h.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": h.a.Personas["agent"].Email})
	unknown, unknownBody := h.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "nobody@nowhere.example"})
	if known != 202 || unknown != 202 || !bytes.Equal(knownBody, unknownBody) {
		t.Fatalf("known address: %d %s; unknown: %d %s", known, knownBody, unknown, unknownBody)
	}
	status, body := h.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "not an address"})
	if status != 422 || !bytes.Contains(body, []byte(`"email"`)) {
		t.Errorf("malformed address: %d %s", status, body)
	}
	status, body = h.do("POST", "/api/v1/auth/password-reset/confirm", "", map[string]any{"token": "nope", "password": "a long enough passphrase"})
	var p struct {
		Errors []struct{ Location string } `json:"errors"`
	}
	_ = json.Unmarshal(body, &p)
	if status != 422 || len(p.Errors) == 0 || p.Errors[0].Location != "token" {
		t.Errorf("bad token: %d %s", status, body)
	}
}
