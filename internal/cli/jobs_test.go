package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"realty/internal/audit"
	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
	"realty/internal/server"
)

// stuckWorkerEnv names the database a re-executed test binary works jobs
// on, as a worker that never finishes (see runStuckWorker).
const stuckWorkerEnv = "REALTY_TEST_STUCK_WORKER_URL"

// rescueArgs is a job of the test's own kind.
type rescueArgs struct{}

func (rescueArgs) Kind() string { return "test.rescue" }

// rescueWorker blocks forever when stuck (ignoring its context, as a
// process killed mid-job does), else completes at once.
type rescueWorker struct {
	river.WorkerDefaults[rescueArgs]
	stuck bool
}

// rescueKindTimeout is the test kind's own timeout, standing in for the
// import's REALTY_IMPORT_TIMEOUT.
const rescueKindTimeout = 2 * time.Second

func (w *rescueWorker) Timeout(*river.Job[rescueArgs]) time.Duration { return rescueKindTimeout }

func (w *rescueWorker) Work(ctx context.Context, job *river.Job[rescueArgs]) error {
	if w.stuck {
		select {}
	}
	return nil
}

// jobClient returns a River client with realty's configuration and the
// periodic job's worker beside the test's.
func jobClient(pool *postgres.Pool, w *rescueWorker, rescueAfter time.Duration) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &audit.PartitionWorker{Pool: pool})
	river.AddWorker(workers, w)
	log := server.NewLogger(io.Discard, "json", "error")
	return river.NewClient(riverpgxv5.New(pool), riverConfig(workers, rescueKindTimeout, rescueAfter, log))
}

// runStuckWorker works jobs on url with a worker that never finishes, until
// the process is killed.
func runStuckWorker(url string) int {
	ctx := context.Background()
	pool, err := postgres.OpenPool(ctx, url, 4)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	client, err := jobClient(pool, &rescueWorker{stuck: true}, time.Hour)
	if err == nil {
		err = client.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	select {}
}

// TestJobRescue kills a process in the middle of a job, as a crash or
// kill -9 of realty serve does: the job stays running in the database. A
// new client with realty's River configuration must take it for lost once
// it has run past its kind's timeout and the rescue interval, retry it and
// complete it, within seconds here (minutes with the defaults).
func TestJobRescue(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	inserter, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Schema: postgres.RiverSchema})
	if err != nil {
		t.Fatal(err)
	}
	job, err := inserter.Insert(ctx, rescueArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), stuckWorkerEnv+"="+db.AppURL)
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	waitJobState(t, db.Pool, job.Job.ID, "running", 30*time.Second)
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	killed := time.Now()
	if state := jobState(t, db.Pool, job.Job.ID); state != "running" {
		t.Fatalf("after the kill the job is %s, want it left running", state)
	}

	const rescueAfter = 3 * time.Second
	client, err := jobClient(db.Pool, &rescueWorker{}, rescueAfter)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	waitJobState(t, db.Pool, job.Job.ID, "completed", 60*time.Second)
	var attempt int
	if err := db.Pool.QueryRow(ctx, "SELECT attempt FROM river.river_job WHERE id = $1", job.Job.ID).Scan(&attempt); err != nil {
		t.Fatal(err)
	}
	if attempt != 2 {
		t.Fatalf("completed on attempt %d, want 2 (the killed one, then the retry)", attempt)
	}
	t.Logf("killed job completed %s after the kill (rescue after %s, kind timeout %s)",
		time.Since(killed).Round(100*time.Millisecond), rescueAfter, rescueKindTimeout)
}

func jobState(t *testing.T, pool *postgres.Pool, id int64) string {
	t.Helper()
	var state string
	if err := pool.QueryRow(context.Background(), "SELECT state::text FROM river.river_job WHERE id = $1", id).Scan(&state); err != nil {
		t.Fatal(err)
	}
	return state
}

func waitJobState(t *testing.T, pool *postgres.Pool, id int64, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		state := jobState(t, pool, id)
		if state == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s after %s, want %s", id, state, within, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
