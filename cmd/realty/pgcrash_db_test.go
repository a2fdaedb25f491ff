package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/app"
	"realty/internal/blob"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/postgres"
	"realty/internal/postgres/cluster"
	"realty/internal/postgres/pgtest"
)

// crashDB is a PostgreSQL cluster the crash test owns alone, so killing it
// hurts no other test: realty's database in it, migrated, and an
// organization with an API key and tenants to post payments for.
type crashDB struct {
	cfg     cluster.Config
	cluster *cluster.Cluster
	env     fixturetest.Env
	org     fixture.Org
	apiKey  string
	tenants []realty.ID
}

// crashDBName is realty's database in the crash test's cluster.
const crashDBName = "realty"

// startCrashDB initialises and starts a cluster on tmpfs (when the machine
// has it) with PostgreSQL's durable defaults — fsync, full_page_writes and
// synchronous_commit on, as in production, so an acknowledged commit is in
// the WAL before its answer — migrates realty's database and builds the
// organization. The cluster is stopped and its directory removed when the
// test ends.
func startCrashDB(t *testing.T, tenants int) *crashDB {
	t.Helper()
	base := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "realty-pgcrash-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // the server may run as the postgres user
		t.Fatal(err)
	}
	db := &crashDB{cfg: cluster.Config{DataDir: filepath.Join(dir, "pgdata"), NoSync: true,
		Settings: map[string]string{"shared_buffers": "32MB", "dynamic_shared_memory_type": "mmap", "log_min_duration_statement": "-1"}}}
	t.Cleanup(func() {
		if db.cluster != nil {
			_ = db.cluster.Stop(context.Background())
		}
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "postgres.log")); err == nil {
				t.Logf("postgres log:\n%s", lastLines(string(b), 30))
			}
		}
		_ = os.RemoveAll(dir)
	})
	if err := db.start(); err != nil {
		t.Fatal(err)
	}
	db.provision(t, tenants)
	return db
}

// start starts the cluster (again, after a crash: Open reaps what a killed
// postmaster left and PostgreSQL runs crash recovery).
func (db *crashDB) start() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := cluster.Open(ctx, db.cfg)
	if err != nil {
		return err
	}
	db.cluster = c
	return nil
}

func (db *crashDB) adminURL() string { return db.cluster.URL(cluster.Superuser, crashDBName) }

// provision creates and migrates the database and builds the organization,
// its API key and its tenants through realty's services.
func (db *crashDB) provision(t *testing.T, tenants int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.cluster.URL(cluster.Superuser, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+crashDBName)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := postgres.NewMigrator(db.adminURL(), slog.New(slog.NewTextHandler(io.Discard, nil))).Up(ctx); err != nil {
		t.Fatal(err)
	}
	appURL := db.cluster.URL(postgres.RuntimeRole, crashDBName)
	pool, err := postgres.OpenPool(ctx, appURL, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	blobs, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(pool, app.Options{SecretKey: make([]byte, identity.SecretKeySize), Argon2: identity.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		Blobs: blobs, MediaMaxBytes: fixturetest.MaxMedia, ImportMaxBytes: fixturetest.MaxMedia})
	if err != nil {
		t.Fatal(err)
	}
	db.env = fixturetest.Env{DB: &pgtest.DB{Pool: pool, AppURL: appURL, AdminURL: db.adminURL(), Name: crashDBName}, Services: svc}
	if db.org, err = fixture.NewOrg(ctx, svc, "Crash Rentals", "pgcrash", fixturetest.Password, "accountant", "property_manager"); err != nil {
		t.Fatal(err)
	}
	_, db.apiKey, err = svc.Identity.CreateAPIKey(ctx, db.org.Personas["owner"].Actor,
		identity.NewAPIKey{Name: "pgcrash", Permissions: []string{"payment.record", "invoice.read"}}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	db.tenants = kill9Tenants(t, db.env, db.org, tenants)
}

// stopImmediate is `pg_ctl stop -m immediate`, run as the server's owner
// (pg_ctl refuses root): every server process quits at once, no checkpoint.
func (db *crashDB) stopImmediate() error {
	bin, err := cluster.FindBinDir("")
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(bin, "pg_ctl"), "stop", "-m", "immediate", "-w", "-D", db.cluster.DataDir())
	fi, err := os.Stat(db.cluster.DataDir())
	if err != nil {
		return err
	}
	if st := fi.Sys().(*syscall.Stat_t); os.Geteuid() == 0 && st.Uid != 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: st.Uid, Gid: st.Gid, NoSetGroups: true}}
	}
	cmd.Dir = "/"
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop -m immediate: %w: %s", err, out)
	}
	<-db.cluster.Done()
	return nil
}

// killPostmaster sends SIGKILL to the postmaster: its backends are
// orphaned and the shared memory stays attached until the restart reaps
// them.
func (db *crashDB) killPostmaster() error {
	if err := syscall.Kill(db.cluster.PID(), syscall.SIGKILL); err != nil {
		return err
	}
	<-db.cluster.Done()
	return nil
}

// killBackend sends SIGKILL to one backend serving realty, a busy one when
// there is one: the postmaster then ends every other backend, runs crash
// recovery and accepts connections again by itself. It returns the pid.
func (db *crashDB) killBackend() (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, db.adminURL())
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	var pid int
	err = conn.QueryRow(ctx, `SELECT pid FROM pg_stat_activity WHERE usename = $1 AND datname = $2 AND pid <> pg_backend_pid()
		ORDER BY state = 'active' DESC, xact_start NULLS LAST LIMIT 1`, postgres.RuntimeRole, crashDBName).Scan(&pid)
	if err != nil {
		return 0, fmt.Errorf("find a backend serving realty: %w", err)
	}
	return pid, syscall.Kill(pid, syscall.SIGKILL)
}
