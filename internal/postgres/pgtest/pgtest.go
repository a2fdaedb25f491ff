// Package pgtest gives each test its own freshly migrated PostgreSQL database,
// cloned in milliseconds from a template, and connects the code under test as
// the runtime role realty_app so row-level security really applies.
//
// The server is REALTY_TEST_DATABASE_URL when set (a superuser URL), else a
// private cluster this test binary starts in /dev/shm (fsync off) and that
// dies with it. Without PostgreSQL binaries the test fails, saying what to
// install; it never skips.
//
// Main also audits the statements the runtime role ran (audit.go): each
// must route to one organization on Citus (statements.go).
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for pgtestdb
	"github.com/peterldowns/pgtestdb"

	"realty/internal/postgres"
	"realty/internal/postgres/cluster"
	"realty/internal/postgres/migrations"
)

// appPassword is set on realty_app on an external test server, where local
// trust authentication may not apply.
const appPassword = "realty_app_test"

// DB is one test's database.
type DB struct {
	// Pool is connected as realty_app: what the code under test uses.
	Pool *postgres.Pool
	// AppURL connects as realty_app; AdminURL as the superuser, for
	// provisioning only.
	AppURL   string
	AdminURL string
	// Name is the database's name.
	Name string
	oid  uint32 // the database's oid, as pg_stat_statements names it
}

var server struct {
	once    sync.Once
	conf    pgtestdb.Config
	err     error
	cluster *cluster.Cluster // nil with an external server
}

// New returns a fresh database holding the full schema, dropped when the test
// passes (kept for inspection when it fails). It fails the test when no
// PostgreSQL server can be had.
func New(t testing.TB) *DB {
	t.Helper()
	server.once.Do(func() {
		if server.conf, server.err = startServer(); server.err == nil {
			server.err = startAudit(context.Background(), server.conf.URL())
		}
	})
	if server.err != nil {
		t.Fatalf("pgtest: no PostgreSQL server for tests: %v", server.err)
	}
	inst := pgtestdb.Custom(t, server.conf, migrator{})
	db := &DB{Name: inst.Database, AdminURL: inst.URL(), AppURL: appURL(*inst)}
	if err := watch(t, db); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx := context.Background()
	pool, err := postgres.OpenPool(ctx, db.AppURL, 4)
	if err != nil {
		t.Fatalf("pgtest: connect as %s: %v", postgres.RuntimeRole, err)
	}
	t.Cleanup(pool.Close)
	db.Pool = pool
	return db
}

// appURL is the instance's URL with the runtime role as user.
func appURL(c pgtestdb.Config) string {
	c.User = postgres.RuntimeRole
	c.Password = appPassword
	return c.URL()
}

// startServer returns the pgtestdb configuration of the server tests use.
func startServer() (pgtestdb.Config, error) {
	if raw := os.Getenv("REALTY_TEST_DATABASE_URL"); raw != "" {
		return externalConfig(raw)
	}
	c, err := startCluster()
	if err != nil {
		return pgtestdb.Config{}, err
	}
	server.cluster = c
	return pgtestdb.Config{
		DriverName: "pgx",
		User:       cluster.Superuser,
		Password:   "trusted",
		Database:   "postgres",
		Options:    fmt.Sprintf("host=%s&port=%d&sslmode=disable", c.SocketDir(), c.Port()),
		TestRole:   &pgtestdb.Role{Username: cluster.Superuser, Password: "trusted", Capabilities: "SUPERUSER"},
		// Tests that leak a connection still get their database dropped.
		ForceTerminateConnections: true,
	}, nil
}

func externalConfig(raw string) (pgtestdb.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return pgtestdb.Config{}, fmt.Errorf("REALTY_TEST_DATABASE_URL: %w", err)
	}
	pass, _ := u.User.Password()
	role := pgtestdb.Role{Username: u.User.Username(), Password: pass, Capabilities: "SUPERUSER"}
	return pgtestdb.Config{
		DriverName: "pgx", Host: u.Hostname(), Port: u.Port(), User: role.Username, Password: pass,
		Database: "postgres", Options: u.RawQuery, TestRole: &role, ForceTerminateConnections: true,
	}, nil
}

// migrator builds the template database with realty's own Migrator, so tests
// run exactly the migrations production runs.
type migrator struct{}

// Hash identifies the schema: every migration file and River's migration set.
func (migrator) Hash() (string, error) {
	return migrations.Hash() + "-river" + strconv.Itoa(postgres.LatestRiverVersion()), nil
}

// Migrate applies every migration to the template.
func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := postgres.NewMigrator(conf.URL(), log).Up(ctx); err != nil {
		return err
	}
	if os.Getenv("REALTY_TEST_DATABASE_URL") == "" {
		return nil
	}
	return setAppPassword(ctx, conf)
}
