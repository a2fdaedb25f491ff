package audit_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"realty/internal/audit"
	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPartitionJob drops next month's partition, starts River as the server
// does, and expects the periodic job, run at start, to bring it back.
func TestPartitionJob(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	now := time.Now().UTC()
	next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC).Format("changes_2006_01")
	if _, err := admin.Exec(ctx, "DROP TABLE audit."+next); err != nil {
		t.Fatal(err)
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &audit.PartitionWorker{Pool: db.Pool})
	client, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		Schema:       postgres.RiverSchema,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Workers:      workers,
		PeriodicJobs: audit.PeriodicJobs(),
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(ctx) }()

	select {
	case ev := <-done:
		if ev.Kind != river.EventKindJobCompleted || ev.Job.Kind != (audit.PartitionArgs{}).Kind() {
			t.Fatalf("job %s ended %s: %v", ev.Job.Kind, ev.Kind, ev.Job.Errors)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("partition job did not run within 30s of start")
	}
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT to_regclass('audit.' || $1) IS NOT NULL", next).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		t.Fatalf("audit.%s not recreated", next)
	}
}
