package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"realty/internal/property"
)

// uploadDocument posts the document form with a file.
func (h *harness) uploadDocument(path string, session *http.Cookie, fields map[string]string, name string, content []byte) reply {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.Copy(fw, bytes.NewReader(content))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, h.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{Response: resp, body: string(b)}
}

// TestDocumentPagesAndShareLink: upload through the form, search, a new
// version, a share link made on the page, opened anonymously with its
// password, and the access log showing it all.
func TestDocumentPagesAndShareLink(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	p, err := h.env.Property.Create(t.Context(), o.Personas["agent"].Actor, property.Input{AddressLine1: "4 Share Lane", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	agent := h.login(o.Personas["agent"].Email, "acme")
	fields := map[string]string{"title": "Seller disclosure", "category": "disclosure", "entity_type": "property",
		"entity_id": p.ID.String(), "visibility": "participants"}
	bad := h.uploadDocument("/documents", agent, fields, "x.html", []byte("<html><body>x</body></html>"))
	expect(t, bad, http.StatusUnprocessableEntity, "a document must be")
	r := h.uploadDocument("/documents", agent, fields, "../disclosure.txt", []byte("The roof leaks near the chimney."))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %.300s", r.StatusCode, r.body)
	}
	page := strings.TrimSuffix(r.Header.Get("Location"), "?notice=saved")
	expect(t, h.get("/documents?q=chimney", agent), http.StatusOK, "Seller disclosure")
	expect(t, h.uploadDocument(page+"/versions", agent, nil, "v2.txt", []byte("The roof was repaired.")), http.StatusSeeOther)
	expect(t, h.get(page, agent), http.StatusOK, "disclosure.txt", "v2.txt", "current")

	made := h.post(page+"/shares", url.Values{"label": {"Buyer"}, "expires_in_days": {"3"}, "password": {"roof repair 2026"}}, agent)
	expect(t, made, http.StatusCreated, "Copy this link now")
	link := regexp.MustCompile(`/shared/dsh_[0-9a-f]{32}_[A-Za-z0-9_-]+`).FindString(made.body)
	if link == "" {
		t.Fatalf("no share link on the page: %.500s", made.body)
	}
	shown := h.get(link, nil)
	expect(t, shown, http.StatusOK, "protected by a password")
	if strings.Contains(shown.body, "Seller disclosure") || shown.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("the password page shows the title or leaks the referrer: %q", shown.Header.Get("Referrer-Policy"))
	}
	expect(t, h.post(link, url.Values{"password": {"wrong one"}}, nil), http.StatusUnauthorized, "the password is wrong")
	got := h.post(link, url.Values{"password": {"roof repair 2026"}}, nil)
	if got.StatusCode != http.StatusOK || got.body != "The roof was repaired." || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q %q", got.StatusCode, got.body, got.Header.Get("Content-Disposition"))
	}
	expect(t, h.get(page, agent), http.StatusOK, "wrong password", "download", "link for Buyer")
	expect(t, h.get("/properties/"+p.ID.String(), agent), http.StatusOK, `id="documents-section"`, "Seller disclosure")
	if r := h.get("/shared/"+strings.Repeat("x", 20), nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("a made-up link: %d", r.StatusCode)
	}
}
