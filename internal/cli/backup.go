package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"realty/internal/backup"
	"realty/internal/config"
	"realty/internal/metrics"
	"realty/internal/postgres"
	"realty/internal/server"
)

// runBackup writes a full backup (realty backup [--to DIR]) or verifies one
// (realty backup verify FROM).
func runBackup(ctx context.Context, e env) error {
	if len(e.args) > 0 && e.args[0] == "verify" {
		e.args = e.args[1:]
		return runBackupVerify(ctx, e)
	}
	fs := e.flags("backup")
	to := fs.String("to", "", "directory to write the backup into (default: REALTY_BACKUP_DIR/<UTC time>)")
	base := fs.Bool("base", false, "take a base backup (pg_basebackup) of the embedded cluster for point-in-time recovery instead (default -to: REALTY_BASE_BACKUP_DIR/<UTC time>)")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q (verify a backup with: realty backup verify FROM)", fs.Arg(0))
	}
	dir := *to
	if dir == "" && !*base {
		dir = filepath.Join(cfg.BackupDirectory(), backup.DirName(time.Now()))
	}
	log := server.NewLogger(e.stderr, cfg.LogFormat, "warn")
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "embedded PostgreSQL", db.close)
	if *base {
		return takeBaseBackup(ctx, e, cfg, db, dir)
	}
	m, err := backup.Create(ctx, backupSource(cfg, db), dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written to %s in %.1fs: %d tables, %d rows, schema version %d; dump %s, %d files %s\n",
		dir, m.DurationSeconds, len(m.Tables), m.Rows(), m.SchemaVersion, sizeText(m.Dump.Size), len(m.Files), sizeText(m.FilesSize()))
	return nil
}

// backupSource is what a backup of the configured database reads.
func backupSource(cfg config.Config, db *database) backup.Source {
	return backup.Source{AdminURL: db.adminURL, BinDir: cfg.PGBinDir, DataDir: cfg.DataDir, Version: Version()}
}

// runBackupVerify restores a backup into a throw-away cluster, prints the
// comparison and fails (exit 1) on any difference.
func runBackupVerify(ctx context.Context, e env) error {
	fs := e.flags("backup verify")
	tempDir := fs.String("temp-dir", "", "directory for the throw-away cluster (default: /dev/shm when it has room, else the system's)")
	cfg, from, err := e.configWithArg(fs, "FROM (a backup directory)")
	if err != nil {
		return err
	}
	r, err := backup.Verify(ctx, from, backup.VerifyOptions{BinDir: cfg.PGBinDir, TempDir: *tempDir})
	if r != nil {
		if werr := backup.WriteReport(e.stdout, r); werr != nil {
			return werr
		}
	}
	if errors.Is(err, backup.ErrMismatch) {
		return errChecksFailed
	}
	return err
}

// runRestore restores a backup into the configured database: the embedded
// cluster of an empty data directory (made here) or an empty external
// database; --force replaces one holding data.
func runRestore(ctx context.Context, e env) error {
	if wantsPITR(e.args) {
		return runRestorePITR(ctx, e)
	}
	fs := e.flags("restore")
	force := fs.Bool("force", false, "replace a database and blob store that hold data")
	cfg, from, err := e.configWithArg(fs, "FROM (a backup directory)")
	if err != nil {
		return err
	}
	log := server.NewLogger(e.stderr, cfg.LogFormat, "warn")
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "embedded PostgreSQL", db.close)
	start := time.Now()
	m, err := backup.Restore(ctx, from, backup.Target{AdminURL: db.adminURL, BinDir: cfg.PGBinDir, DataDir: cfg.DataDir,
		Force: *force, Out: e.stdout, Log: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored in %.1fs: %d tables, %d rows (every count equals the manifest's), %d files\n",
		time.Since(start).Seconds(), len(m.Tables), m.Rows(), len(m.Files))
	return nil
}

// configWithArg is config for a command taking one positional argument,
// before or after its flags.
func (e env) configWithArg(fs *flag.FlagSet, what string) (config.Config, string, error) {
	cfg, err := config.Load(e.getenv)
	if err != nil {
		return cfg, "", err
	}
	cfg.BindFlags(fs, "data-dir")
	if err := parse(fs, e.args); err != nil {
		return cfg, "", err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return cfg, "", usageErr("want %s", what)
	}
	arg := rest[0]
	if err := parse(fs, rest[1:]); err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return cfg, "", usageErr("unexpected argument %q", fs.Arg(0))
	}
	return cfg, arg, cfg.Validate()
}

// startBackups runs the backup schedule when REALTY_BACKUP_INTERVAL is set
// and the base backup schedule whenever the embedded cluster archives WAL
// (see startBaseBackups); the returned function stops them (a backup under
// way is abandoned, leaving no directory that looks complete) and waits.
func startBackups(ctx context.Context, cfg config.Config, db *database, log *slog.Logger) func() {
	metrics.BackupScheduled(cfg.BackupInterval)
	stopBase := startBaseBackups(ctx, cfg, db, log)
	if cfg.BackupInterval == 0 {
		return stopBase
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s := &backup.Schedule{Source: backupSource(cfg, db), Dir: cfg.BackupDirectory(), Every: cfg.BackupInterval,
		KeepDaily: cfg.BackupKeepDaily, KeepWeekly: cfg.BackupKeepWeekly, Log: log.With("component", "backup")}
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	log.Info("scheduled backups on", "every", cfg.BackupInterval, "dir", s.Dir)
	return func() { cancel(); <-done; stopBase() }
}

// backupCheck is the doctor's check of the backup schedule: a warning when
// it is off or the newest backup is older than two intervals.
func backupCheck(cfg config.Config) postgres.Check {
	c := postgres.Check{Name: "Backups"}
	dir := cfg.BackupDirectory()
	list, err := backup.List(dir)
	latest := "no backup in " + dir
	var age time.Duration
	if err == nil && len(list) > 0 {
		age = time.Since(list[0].CreatedAt)
		shown := age.Round(time.Second)
		if age > time.Hour {
			shown = age.Round(time.Minute)
		}
		latest = fmt.Sprintf("newest %s old (%s)", shown, list[0].Dir)
	}
	switch {
	case err != nil:
		c.Status, c.Value, c.Recommendation = postgres.Warning, err.Error(), "make REALTY_BACKUP_DIR readable"
	case cfg.BackupInterval == 0:
		c.Status, c.Value = postgres.Warning, "scheduled backups are off; "+latest
		c.Recommendation = "set REALTY_BACKUP_INTERVAL=24h so serve backs up on its own (or run realty backup from cron), and prove a backup with realty backup verify"
	case len(list) == 0 || age > 2*cfg.BackupInterval:
		c.Status, c.Value = postgres.Warning, latest
		c.Recommendation = fmt.Sprintf("scheduled every %s but none is recent: read serve's log for \"scheduled backup failed\"", cfg.BackupInterval)
	default:
		c.Status, c.Value, c.Recommendation = postgres.OK, fmt.Sprintf("every %s; %s", cfg.BackupInterval, latest), "none"
	}
	return c
}

// sizeText prints a size in bytes, KiB or MiB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
