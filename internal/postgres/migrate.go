package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"realty/internal/postgres/migrations"
)

// RiverSchema is the schema holding River's job tables.
const RiverSchema = "river"

// OwnerRole owns every object of realty's schema; RuntimeRole is the role the
// server runs as (no ownership, no BYPASSRLS).
const (
	OwnerRole   = "realty_owner"
	RuntimeRole = "realty_app"
)

// Migrator applies realty's schema through an administrative connection (a
// superuser, or a role that may create roles and the contrib extensions).
// Migration 0001 runs as that role and creates realty_owner; every later
// migration, and River's, runs as realty_owner, so it owns what they create.
type Migrator struct {
	url string
	log *slog.Logger
	// hasCitus tells whether the database is a Citus coordinator (HasCitus;
	// tests replace it).
	hasCitus func(context.Context, DB) (bool, error)
	// citus is set by Up when it is: migration sessions then allow
	// triggers on distributed tables.
	citus bool
}

// NewMigrator returns a Migrator for the database at adminURL.
func NewMigrator(adminURL string, log *slog.Logger) *Migrator {
	return &Migrator{url: adminURL, log: log, hasCitus: HasCitus}
}

// Up applies every pending migration, realty's then River's. It is safe to
// run from several processes at once (a session advisory lock serialises
// them) and does nothing on a current schema. On a Citus coordinator it also
// bootstraps the roles and grants first and distributes the tables after
// (see CitusPlan), idempotently.
func (m *Migrator) Up(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, m.url)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if m.citus, err = m.hasCitus(ctx, conn); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	if m.citus {
		before, err := CitusBootstrapSQL(ctx, conn)
		if err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		if err := runCitus(ctx, conn, before); err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		m.log.Info("citus bootstrap done", "statements", len(before))
	}
	m.restorePointBeforeMigrate(ctx, conn)
	if err := m.migrate(ctx); err != nil {
		return err
	}
	if n, err := completePartitionIndexes(ctx, conn); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	} else if n > 0 {
		m.log.Info("partition indexes built", "count", n)
	}
	if err := m.configureRuntimeRole(ctx, conn); err != nil {
		return err
	}
	if !m.citus {
		return nil
	}
	after, err := CitusDistributeSQL(ctx, conn)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	if err := runCitus(ctx, conn, after); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	m.log.Info("citus distribution done", "statements", len(after))
	return nil
}

// migrate applies realty's migrations (0001 as the administrative role, the
// rest as realty_owner), then River's.
func (m *Migrator) migrate(ctx context.Context) error {
	if err := m.withGoose(ctx, false, func(p *goose.Provider) error {
		res, err := p.UpTo(ctx, 1)
		m.report(res)
		return err
	}); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	if err := m.withGoose(ctx, true, func(p *goose.Provider) error {
		res, err := p.Up(ctx)
		m.report(res)
		return err
	}); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	return m.withRiver(ctx, func(rm *rivermigrate.Migrator[pgx.Tx]) error {
		res, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err == nil && len(res.Versions) > 0 {
			m.log.Info("river migrations applied", "count", len(res.Versions))
		}
		return err
	})
}

// configureRuntimeRole gives the runtime role the settings the server
// depends on (see runtimeRoleSettings) that it lacks. It runs on every Up.
func (m *Migrator) configureRuntimeRole(ctx context.Context, conn *pgx.Conn) error {
	var pgss, superuser bool
	var have []string
	err := conn.QueryRow(ctx, `SELECT current_setting('pg_stat_statements.track_utility', true) IS NOT NULL,
			(SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
			coalesce((SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
				WHERE r.rolname = $1 AND s.setdatabase = 0), '{}')`, RuntimeRole).Scan(&pgss, &superuser, &have)
	if err != nil {
		return fmt.Errorf("configure %s: %w", RuntimeRole, err)
	}
	for _, setting := range runtimeRoleSettings(pgss) {
		if slices.Contains(have, setting) {
			continue
		}
		name, value, _ := strings.Cut(setting, "=")
		stmt := "ALTER ROLE " + RuntimeRole + " SET " + name + " = '" + value + "'"
		if strings.HasPrefix(name, "pg_stat_statements.") && !superuser {
			// Only a superuser may change it; the server works without it.
			m.log.Warn("runtime role not configured: a superuser should run it", "statement", stmt)
			continue
		}
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("configure %s: %s: %w", RuntimeRole, stmt, err)
		}
		m.log.Info("runtime role configured", "statement", stmt)
	}
	return nil
}

// runtimeRoleSettings returns the role settings (name=value, as
// pg_db_role_setting stores them) the runtime role needs on any server,
// given whether the server has pg_stat_statements loaded (on Citus, the
// Citus plan adds citus.propagate_set_commands: see CitusDistributeSQL).
//
// pg_stat_statements records utility statements by their text, and
// the text of every scoping statement holds an organization, a user and a
// request id: tracking them would add an entry per request (a cost on every
// read, and the statements worth watching evicted), so the runtime role's
// utility statements (BEGIN, COMMIT, SET) are not tracked.
func runtimeRoleSettings(pgss bool) []string {
	var settings []string
	if pgss {
		settings = append(settings, "pg_stat_statements.track_utility=off")
	}
	return settings
}

// Down rolls back the newest steps migrations of realty's schema. Rolling back
// migration 0001 also removes River's tables first.
func (m *Migrator) Down(ctx context.Context, steps int) error {
	return m.withGoose(ctx, true, func(p *goose.Provider) error {
		for range steps {
			current, err := p.GetDBVersion(ctx)
			if err != nil || current == 0 {
				return err
			}
			if current == 1 {
				if err := m.riverDownAll(ctx); err != nil {
					return err
				}
			}
			res, err := p.Down(ctx)
			m.report([]*goose.MigrationResult{res})
			if err != nil {
				return fmt.Errorf("migrate down: %w", err)
			}
		}
		return nil
	})
}

// Reset rolls back every migration, River's included.
func (m *Migrator) Reset(ctx context.Context) error {
	return m.Down(ctx, int(migrations.Latest()))
}

// Redo rolls back the newest migration and applies it again.
func (m *Migrator) Redo(ctx context.Context) error {
	if err := m.Down(ctx, 1); err != nil {
		return err
	}
	return m.Up(ctx)
}

func (m *Migrator) riverDownAll(ctx context.Context) error {
	return m.withRiver(ctx, func(rm *rivermigrate.Migrator[pgx.Tx]) error {
		_, err := rm.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1})
		return err
	})
}

func (m *Migrator) report(results []*goose.MigrationResult) {
	for _, r := range results {
		if r == nil || r.Source == nil {
			continue
		}
		m.log.Info("migration applied", "version", r.Source.Version, "direction", r.Direction,
			"file", r.Source.Path, "duration", r.Duration)
	}
}

// withGoose runs fn with a goose provider on a single connection; asOwner sets
// the connection's role to realty_owner first.
func (m *Migrator) withGoose(ctx context.Context, asOwner bool, fn func(*goose.Provider) error) error {
	db, err := m.openSQL(asOwner)
	if err != nil {
		return err
	}
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	return fn(p)
}

func (m *Migrator) openSQL(asOwner bool) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(m.url)
	if err != nil {
		return nil, fmt.Errorf("admin database url: %w", err)
	}
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(ctx context.Context, conn *pgx.Conn) error {
		if !asOwner {
			return nil
		}
		if err := setOwnerRole(ctx, conn); err != nil {
			return err
		}
		return m.allowTriggers(ctx, conn)
	}))
	db.SetMaxOpenConns(1)
	return db, nil
}

// setOwnerRole switches a migrating session to realty_owner, when the role
// exists (before migration 0001 it does not).
func setOwnerRole(ctx context.Context, conn *pgx.Conn) error {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", OwnerRole).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return nil
	}
	_, err := conn.Exec(ctx, "SET ROLE "+OwnerRole)
	return err
}

// allowTriggers lets a migration session on Citus create triggers on
// distributed tables (realty's touch only colocated rows).
func (m *Migrator) allowTriggers(ctx context.Context, conn *pgx.Conn) error {
	if !m.citus {
		return nil
	}
	_, err := conn.Exec(ctx, "SET citus.enable_unsafe_triggers = on")
	return err
}

func (m *Migrator) withRiver(ctx context.Context, fn func(*rivermigrate.Migrator[pgx.Tx]) error) error {
	cfg, err := pgxpool.ParseConfig(m.url)
	if err != nil {
		return fmt.Errorf("admin database url: %w", err)
	}
	cfg.MaxConns = 1
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if err := setOwnerRole(ctx, conn); err != nil {
			return err
		}
		return m.allowTriggers(ctx, conn)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	rm, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: RiverSchema, Logger: m.log})
	if err != nil {
		return err
	}
	return fn(rm)
}

// Status is one migration's state.
type Status struct {
	Line    string // "realty" or "river"
	Version int64
	Name    string
	Applied bool
}

// Status lists realty's and River's migrations with whether each is applied.
func (m *Migrator) Status(ctx context.Context) ([]Status, error) {
	var out []Status
	err := m.withGoose(ctx, true, func(p *goose.Provider) error {
		list, err := p.Status(ctx)
		for _, s := range list {
			out = append(out, Status{Line: "realty", Version: s.Source.Version, Name: s.Source.Path,
				Applied: s.State == goose.StateApplied})
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	err = m.withRiver(ctx, func(rm *rivermigrate.Migrator[pgx.Tx]) error {
		existing, err := rm.ExistingVersions(ctx)
		if err != nil && !isUndefinedTable(err) {
			return err
		}
		applied := map[int]bool{}
		for _, e := range existing {
			applied[e.Version] = true
		}
		for _, v := range rm.AllVersions() {
			out = append(out, Status{Line: "river", Version: int64(v.Version), Name: v.Name, Applied: applied[v.Version]})
		}
		return nil
	})
	return out, err
}

// SchemaCurrent reports whether every migration (realty's and River's) is
// applied, reading through any connection, the runtime pool included.
func SchemaCurrent(ctx context.Context, db DB) (bool, error) {
	var applied int64
	err := db.QueryRow(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version").Scan(&applied)
	if isUndefinedTable(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("schema version: %w", err)
	}
	if applied < migrations.Latest() {
		return false, nil
	}
	var river int
	err = db.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM river.river_migration WHERE line = 'main'").Scan(&river)
	if isUndefinedTable(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("river schema version: %w", err)
	}
	return river >= LatestRiverVersion(), nil
}

// LatestRiverVersion returns the newest of River's migrations this build carries.
func LatestRiverVersion() int {
	rm, err := rivermigrate.New[pgx.Tx](riverpgxv5.New(nil), &rivermigrate.Config{Schema: RiverSchema})
	if err != nil {
		return 0
	}
	all := rm.AllVersions()
	return all[len(all)-1].Version
}

// isUndefinedTable reports a missing table, or one the role may not read:
// either way the schema is not (yet) realty's.
func isUndefinedTable(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe) && (pe.SQLState() == "42P01" || pe.SQLState() == "42501" || pe.SQLState() == "3F000")
}
