package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"realty/internal/api"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/postgres"
	"realty/internal/server"
	"realty/internal/web"
)

// importHarness is a server whose uploads are imported by a River client
// running the import worker, as `realty serve` wires it.
type importHarness struct {
	*harness
	jobs <-chan *river.Event
}

func newImportHarness(t *testing.T) importHarness {
	t.Helper()
	env := fixturetest.New(t)
	h := &harness{t: t, env: env, a: env.Organization(t, "acme"), tokens: map[string]string{}}
	log := server.NewLogger(io.Discard, "json", "error")
	imports := env.Imports
	deps := api.Deps{Log: log, Version: "test", Services: env.Services}
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", MaxBodyBytes: 1 << 20, Log: log, Pool: env.Pool,
		Metrics: server.NewMetrics(env.Pool, log), API: deps, Web: web.Deps{Log: log, Version: "test", Services: env.Services}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close)
	h.url = ts.URL

	workers := river.NewWorkers()
	river.AddWorker(workers, &listing.ImportWorker{Imports: imports})
	client, err := river.NewClient(riverpgxv5.New(env.Pool), &river.Config{
		Schema:  postgres.RiverSchema,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers: workers,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = client.Stop(context.Background())
	})
	for _, role := range []string{"broker", "agent"} {
		h.tokens["acme:"+role] = h.login(h.a.Personas[role].Email, "acme")
	}
	return importHarness{harness: h, jobs: events}
}

// upload is a multipart import upload.
func upload(name, body string, fields map[string]string) rawBody {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	part, _ := w.CreateFormFile("file", name)
	_, _ = io.WriteString(part, body)
	_ = w.Close()
	return rawBody{contentType: w.FormDataContentType(), data: buf.Bytes()}
}

// waitJob waits for the next import job to end and returns how.
func (h importHarness) waitJob() river.EventKind {
	h.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-h.jobs:
			if ev.Job.Kind != (listing.ImportArgs{}).Kind() {
				continue // the rematch an import queues, run by no worker here
			}
			return ev.Kind
		case <-deadline:
			h.t.Fatal("the import job did not end within 30s")
		}
	}
}

func (h importHarness) getImport(token, id string) listing.Import {
	h.t.Helper()
	status, body := h.do("GET", "/api/v1/listing-imports/"+id, token, nil)
	var imp listing.Import
	if err := json.Unmarshal(body, &imp); status != 200 || err != nil {
		h.t.Fatalf("get import: %d %s", status, body)
	}
	return imp
}

const importCSV = "ListingKey,StandardStatus,ListPrice,UnparsedAddress,City,ListAgentEmail\n" +
	"E1,Active,350000,1 Upload Lane,Springfield,agent@acme.example\n" +
	"E2,Sold,360000,2 Upload Lane,Springfield,\n" +
	"E3,Pending,370000,3 Upload Lane,Springfield,\n"

// TestImportUpload uploads a file through the API and lets the job import
// it; uploading it again changes nothing.
func TestImportUpload(t *testing.T) {
	t.Parallel()
	h := newImportHarness(t)
	broker := h.tokens["acme:broker"]
	status, body := h.do("POST", "/api/v1/listing-imports", broker, upload("feed.csv", importCSV, map[string]string{"source": "UPMLS"}))
	var queued listing.Import
	if err := json.Unmarshal(body, &queued); status != 202 || err != nil || queued.Status != "queued" || queued.Format != "csv" {
		t.Fatalf("upload: %d %s", status, body)
	}
	if kind := h.waitJob(); kind != river.EventKindJobCompleted {
		t.Fatalf("job ended %s", kind)
	}
	imp := h.getImport(broker, queued.ID.String())
	if imp.Status != "succeeded" || imp.Total != 3 || imp.Inserted != 2 || imp.Rejected != 1 || imp.SourceName != "feed.csv" ||
		len(imp.Rejects) != 1 || imp.Rejects[0].Row != 3 || !strings.Contains(imp.Rejects[0].Reason, "StandardStatus") ||
		imp.FinishedAt == nil || imp.CreatedBy == nil || *imp.CreatedBy != h.a.Personas["broker"].MemberID {
		t.Fatalf("import after the job: %+v", imp)
	}
	status, body = h.do("GET", "/api/v1/listings?status=Active", broker, nil)
	if status != 200 || !strings.Contains(string(body), `"listing_key":"E1"`) {
		t.Fatalf("imported listing not found: %d %s", status, body)
	}

	status, body = h.do("POST", "/api/v1/listing-imports", broker, upload("feed-again.csv", importCSV, map[string]string{"source": "UPMLS"}))
	var again listing.Import
	if err := json.Unmarshal(body, &again); status != 202 || err != nil {
		t.Fatalf("second upload: %d %s", status, body)
	}
	h.waitJob()
	if imp := h.getImport(broker, again.ID.String()); imp.Status != "succeeded" || imp.Unchanged != 2 || imp.Inserted+imp.Updated != 0 {
		t.Fatalf("second import: %+v", imp)
	}
	status, body = h.do("GET", "/api/v1/listing-imports?limit=1", broker, nil)
	var page listing.ImportPage
	if err := json.Unmarshal(body, &page); status != 200 || err != nil || len(page.Items) != 1 || page.Items[0].ID != again.ID ||
		page.Items[0].Rejects != nil || page.NextCursor == "" {
		t.Fatalf("list imports: %d %s", status, body)
	}
	status, body = h.do("GET", "/api/v1/listing-imports?cursor="+page.NextCursor, broker, nil)
	if status != 200 || !strings.Contains(string(body), queued.ID.String()) || strings.Contains(string(body), again.ID.String()) {
		t.Fatalf("second page: %d %s", status, body)
	}
}

func TestImportUploadErrors(t *testing.T) {
	t.Parallel()
	h := newImportHarness(t)
	broker := h.tokens["acme:broker"]
	cases := []struct {
		name, token string
		body        rawBody
		status      int
		want        string
	}{
		{"ErrAgent", h.tokens["acme:agent"], upload("f.csv", importCSV, nil), 403, "listing.import"},
		{"ErrNoFile", broker, importWithoutFile(), 422, "file"},
		{"ErrEmptyFile", broker, upload("f.csv", "", nil), 422, "file"},
		{"ErrFormat", broker, upload("f.csv", importCSV, map[string]string{"format": "xml"}), 422, "format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := h.do("POST", "/api/v1/listing-imports", c.token, c.body)
			if status != c.status || !strings.Contains(string(body), c.want) {
				t.Fatalf("%d %s, want %d naming %s", status, body, c.status, c.want)
			}
		})
	}
	// A file that is not what its format says fails the job, with the reason.
	status, body := h.do("POST", "/api/v1/listing-imports", broker, upload("f.json", "{\n  \"items\": []\n}\n", map[string]string{"source": "X"}))
	var queued listing.Import
	if err := json.Unmarshal(body, &queued); status != 202 || err != nil {
		t.Fatalf("upload: %d %s", status, body)
	}
	if kind := h.waitJob(); kind != river.EventKindJobCancelled {
		t.Fatalf("job ended %s, want cancelled (not retried)", kind)
	}
	if imp := h.getImport(broker, queued.ID.String()); imp.Status != "failed" || imp.Error == nil || !strings.Contains(*imp.Error, "value") {
		t.Fatalf("failed import: %+v", imp)
	}
}
