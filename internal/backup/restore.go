package backup

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
	"realty/internal/postgres/migrations"
)

// Target is where a restore writes.
type Target struct {
	// AdminURL connects as a superuser to the database to restore into:
	// the embedded cluster's (a new cluster when the data directory is
	// empty) or REALTY_ADMIN_DATABASE_URL's.
	AdminURL string
	// BinDir holds pg_restore; "" finds it as the embedded launcher does.
	BinDir string
	// DataDir receives blobs/ and secret.key.
	DataDir string
	// Force replaces a target that holds data.
	Force bool
	// Out receives what is being replaced and progress lines; nil: none.
	Out io.Writer
	// Log receives the migrator's lines; nil: none.
	Log *slog.Logger
}

// Restore restores the backup in from into t. It checks every file against
// the manifest first (a FileError names a changed one), refuses a backup of
// a newer schema than this build knows, and refuses a target holding data
// unless t.Force (ErrNotEmpty, saying what it holds). After pg_restore,
// every table's row count must equal the manifest's, else it fails naming
// the tables; then the blobs and the server key are copied into place. A
// failed restore may leave a partial target: restore again with Force.
func Restore(ctx context.Context, from string, t Target) (*Manifest, error) {
	out := t.Out
	if out == nil {
		out = io.Discard
	}
	m, err := ReadManifest(from)
	if err != nil {
		return nil, err
	}
	if err := CheckFiles(from, m); err != nil {
		return nil, err
	}
	if m.SchemaVersion > migrations.Latest() {
		return nil, fmt.Errorf("the backup is of schema version %d but this realty knows versions up to %d: restore it with a newer realty",
			m.SchemaVersion, migrations.Latest())
	}
	tl, err := findTools(t.BinDir)
	if err != nil {
		return nil, err
	}
	conn, err := connect(ctx, t.AdminURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := requireAllRows(ctx, conn); err != nil {
		return nil, err
	}
	if err := clearTarget(ctx, conn, t, out); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "restoring %s (%d tables, %d rows, schema version %d, made %s)\n", from, len(m.Tables), m.Rows(),
		m.SchemaVersion, m.CreatedAt.Format("2006-01-02 15:04:05Z"))
	if err := restoreDatabase(ctx, tl, conn, t.AdminURL, filepath.Join(from, DumpFile)); err != nil {
		return nil, err
	}
	if err := checkCounts(ctx, conn, m); err != nil {
		return nil, err
	}
	if err := restoreFiles(from, t.DataDir, m.Files); err != nil {
		return nil, err
	}
	if m.SchemaVersion == migrations.Latest() {
		// No migration runs; Up gives the runtime role its settings, which
		// live outside the database and so outside the dump.
		log := t.Log
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		if err := postgres.NewMigrator(t.AdminURL, log).Up(ctx); err != nil {
			return nil, fmt.Errorf("restored, but configuring the runtime role failed: %w", err)
		}
	} else {
		fmt.Fprintf(out, "the backup is of schema version %d: realty serve (embedded) or realty migrate up brings it to %d\n",
			m.SchemaVersion, migrations.Latest())
	}
	return m, nil
}

// checkCounts compares every table's row count with the manifest's.
func checkCounts(ctx context.Context, conn *pgx.Conn, m *Manifest) error {
	got, err := realtyTables(ctx, conn)
	if err != nil {
		return err
	}
	if err := tableStats(ctx, conn, got, false); err != nil {
		return err
	}
	var bad []string
	for _, r := range compareTables(m.Tables, got, false) {
		if !r.OK {
			bad = append(bad, fmt.Sprintf("%s (%s: backup %d, restored %d)", r.Table, r.Problem, r.Want, r.Got))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("restored row counts differ from the manifest's: %s", strings.Join(bad, "; "))
	}
	return nil
}

// restoreDatabase makes the roles the dump's objects belong to (roles live
// outside a database, so outside its dump), loads the dump, and marks the
// built-in comparisons LEAKPROOF again (functions of pg_catalog and of
// extensions are not dumped either).
func restoreDatabase(ctx context.Context, tl tools, conn *pgx.Conn, dbURL, dump string) error {
	if _, err := conn.Exec(ctx, rolesSQL); err != nil {
		return fmt.Errorf("create roles: %w", err)
	}
	if err := tl.restore(ctx, dbURL, dump); err != nil {
		return err
	}
	for _, stmt := range postgres.LeakproofMarks() {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("restore %s: %w", stmt, err)
		}
	}
	return nil
}

// rolesSQL creates realty's roles when missing and grants them the
// database, as migration 0001 does.
const rolesSQL = `DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'realty_owner') THEN
        CREATE ROLE realty_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'realty_app') THEN
        CREATE ROLE realty_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
    EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO realty_owner', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO realty_app', current_database());
END
$$`

// dropSQL drops realty's schemas and goose's table, which is all realty
// keeps in a database (DROP OWNED would also revoke the owner's grants on
// every other database of the cluster).
const dropSQL = `DO $$
DECLARE s name;
BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspowner = to_regrole('realty_owner') LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
    DROP TABLE IF EXISTS public.goose_db_version;
END
$$`

// clearTarget refuses a target holding data unless forced; forced, it
// says what it replaces, refuses while other sessions use the database,
// and drops realty's objects and blobs.
func clearTarget(ctx context.Context, conn *pgx.Conn, t Target, out io.Writer) error {
	held, err := targetContents(ctx, conn, t.DataDir)
	if err != nil || held == "" {
		return err
	}
	if !t.Force {
		return fmt.Errorf("%w: %s; restoring would replace it: stop realty and restore with --force to replace it", ErrNotEmpty, held)
	}
	var others int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&others); err != nil {
		return err
	}
	if others > 0 {
		return fmt.Errorf("%d other sessions use the database (is realty serve running?): stop them before replacing it", others)
	}
	fmt.Fprintf(out, "replacing %s\n", held)
	if _, err := conn.Exec(ctx, dropSQL); err != nil {
		return fmt.Errorf("drop realty's objects: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(t.DataDir, blobsDir)); err != nil {
		return fmt.Errorf("remove blob store: %w", err)
	}
	return nil
}

// targetContents describes what the target holds ("" when empty): user
// relations in the database (extensions' own aside) and blobs.
func targetContents(ctx context.Context, conn *pgx.Conn, dataDir string) (string, error) {
	var relations, rows int64
	var version int64
	err := conn.QueryRow(ctx, `SELECT count(*), coalesce(sum(greatest(c.reltuples, 0)), 0)::int8 FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
		  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`).
		Scan(&relations, &rows)
	if err != nil {
		return "", fmt.Errorf("inspect target: %w", err)
	}
	if version, _, err = schemaVersions(ctx, conn); err != nil {
		return "", err
	}
	blobs, err := storedBlobs(dataDir)
	if err != nil {
		return "", fmt.Errorf("inspect blob store: %w", err)
	}
	var parts []string
	if relations > 0 {
		var db string
		_ = conn.QueryRow(ctx, "SELECT current_database()").Scan(&db)
		parts = append(parts, fmt.Sprintf("database %s holds %d relations (about %d rows, schema version %d)", db, relations, rows, version))
	}
	if blobs > 0 {
		parts = append(parts, fmt.Sprintf("the blob store %s holds %d files", filepath.Join(dataDir, blobsDir), blobs))
	}
	return strings.Join(parts, " and "), nil
}
