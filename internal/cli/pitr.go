package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/backup"
	"realty/internal/config"
	"realty/internal/postgres"
)

// errExternalPITR answers the point-in-time commands on an external server.
var errExternalPITR = errors.New("point-in-time recovery here is for the embedded cluster; for an external PostgreSQL " +
	"server use pgBackRest (docs/operations.md, \"Point-in-time recovery on external PostgreSQL\")")

// takeBaseBackup is realty backup --base: a base backup of the embedded
// cluster into dir (default REALTY_BASE_BACKUP_DIR/<UTC time>).
func takeBaseBackup(ctx context.Context, e env, cfg config.Config, db *database, dir string) error {
	if !cfg.Embedded() {
		return errExternalPITR
	}
	if dir == "" {
		dir = filepath.Join(cfg.BaseBackupDirectory(), backup.DirName(time.Now()))
	}
	b, err := backup.CreateBase(ctx, backup.BaseSource{AdminURL: db.adminURL, BinDir: cfg.PGBinDir}, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "base backup written to %s in %.1fs: %s, start %s (WAL %s, timeline %d)\n",
		b.Dir, b.DurationSeconds, sizeText(b.Size), b.StartLSN, b.StartWAL, b.Timeline)
	return nil
}

// wantsPITR reports whether restore's arguments name a recovery target.
func wantsPITR(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(strings.TrimLeft(a, "-"), "to-") && strings.HasPrefix(a, "-") {
			return true
		}
	}
	return false
}

// runRestorePITR is realty restore --to-time T | --to-name N | --to-xid X
// [--into DIR] [--force]: a new data directory recovered to the target
// from the base backups and the WAL archive.
func runRestorePITR(ctx context.Context, e env) error {
	fs := e.flags("restore")
	toTime := fs.String("to-time", "", "recover to this time: RFC 3339 (2026-12-07T10:41:00+01:00) or 2026-12-07 10:41:00 (UTC)")
	toName := fs.String("to-name", "", "recover to this restore point (realty restore-point, before-migrate-…)")
	toXID := fs.Uint64("to-xid", 0, "recover to just after this transaction commits")
	into := fs.String("into", "", "the new realty data directory (default: REALTY_DATA_DIR-pitr-<UTC time>, beside it)")
	force := fs.Bool("force", false, "empty --into when it holds anything")
	timeout := fs.Duration("timeout", time.Hour, "longest the recovery may take")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q (a point-in-time recovery reads no backup directory)", fs.Arg(0))
	}
	target := backup.RecoveryTarget{Name: *toName, XID: *toXID}
	if *toTime != "" {
		if target.Time, err = parseTargetTime(*toTime); err != nil {
			return usageErr("-to-time: %v", err)
		}
	}
	if err := target.Validate(); err != nil {
		return usageErr("%v", err)
	}
	if !cfg.Embedded() {
		return errExternalPITR
	}
	if cfg.WALArchiveDirectory() == "" {
		return errors.New("WAL archiving is off (REALTY_WAL_ARCHIVE_DIR=off): there is no archive to recover from")
	}
	if *into == "" {
		*into = cfg.DataDir + "-pitr-" + backup.DirName(time.Now())
	}
	r, err := backup.Recover(ctx, backup.PITR{BaseDir: cfg.BaseBackupDirectory(), ArchiveDir: cfg.WALArchiveDirectory(),
		BinDir: cfg.PGBinDir, Into: *into, Force: *force, DataDir: cfg.DataDir, Target: target, Timeout: *timeout})
	if err != nil {
		return err
	}
	printRecovered(e, cfg, target, r, *into)
	return nil
}

// printRecovered says where the recovery stopped and how to switch over.
func printRecovered(e env, cfg config.Config, target backup.RecoveryTarget, r *backup.Recovered, into string) {
	into, _ = filepath.Abs(into)
	fmt.Fprintf(e.stdout, "recovered to %s in %.1fs from the base backup %s\n", target, r.Duration.Seconds(), r.Base.Dir)
	fmt.Fprintf(e.stdout, "  PostgreSQL: %s\n", r.Stop)
	last := "none replayed"
	if !r.LastCommit.IsZero() {
		last = r.LastCommit.Format(time.RFC3339Nano)
	}
	fmt.Fprintf(e.stdout, "  last replayed commit: %s; new timeline %d at %s\n", last, r.Timeline, r.LSN)
	fmt.Fprintf(e.stdout, "new data directory: %s (server key and blob store copied from %s)\n", into, cfg.DataDir)
	fmt.Fprintf(e.stdout, "switch over: stop realty, then start it with REALTY_DATA_DIR=%s", into)
	if cfg.WALArchiveDir != "" || cfg.BaseBackupDir != "" {
		fmt.Fprintf(e.stdout, ", and REALTY_WAL_ARCHIVE_DIR and REALTY_BASE_BACKUP_DIR unset or pointing at new, empty directories "+
			"(the recovered cluster archives its new timeline into %s)", filepath.Join(into, "wal-archive"))
	}
	fmt.Fprintln(e.stdout, "; keep the old directory: its archive and base backups are the only way back to points before this one")
}

// parseTargetTime reads RFC 3339, or a date and time without zone taken as
// UTC.
func parseTargetTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time such as 2026-12-07T10:41:00Z or 2026-12-07 10:41:00", s)
}

// runRestorePoint is realty restore-point NAME [--switch-wal]: a named
// point point-in-time recovery can stop at.
func runRestorePoint(ctx context.Context, e env) error {
	fs := e.flags("restore-point")
	switchWAL := fs.Bool("switch-wal", false, "close the WAL segment and wait until it is archived, so the point can be recovered at once")
	cfg, name, err := e.configWithArg(fs, "NAME (at most 63 bytes)")
	if err != nil {
		return err
	}
	return withAdmin(ctx, e, cfg, func(conn *pgx.Conn, _ *database) error {
		lsn, err := postgres.CreateRestorePoint(ctx, conn, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "restore point %q at %s\n", name, lsn)
		if !*switchWAL {
			return nil
		}
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		seg, err := backup.SwitchWAL(wctx, conn)
		if err == nil {
			fmt.Fprintf(e.stdout, "archived through %s\n", seg)
		}
		return err
	})
}

// startBaseBackups runs the base backup schedule, whether or not full
// backups are scheduled, when the embedded cluster archives WAL and
// REALTY_BASE_BACKUP_INTERVAL is not off: the archive is pruned only behind
// a base backup, so without them it would grow without end. The returned
// function stops it and waits.
func startBaseBackups(ctx context.Context, cfg config.Config, db *database, log *slog.Logger) func() {
	if !cfg.Embedded() || cfg.WALArchiveDirectory() == "" || cfg.BaseBackupInterval == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s := &backup.BaseSchedule{Source: backup.BaseSource{AdminURL: db.adminURL, BinDir: cfg.PGBinDir}, Dir: cfg.BaseBackupDirectory(),
		ArchiveDir: cfg.WALArchiveDirectory(), Every: cfg.BaseBackupInterval, Keep: cfg.BaseBackupKeep, Log: log.With("component", "base-backup")}
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	log.Info("scheduled base backups on", "every", cfg.BaseBackupInterval, "dir", s.Dir, "keep", s.Keep)
	return func() { cancel(); <-done }
}

// pitrCheck is the doctor's check of point-in-time recovery: WAL archiving
// (pg_stat_archiver) and, for the embedded cluster, its base backups.
func pitrCheck(ctx context.Context, conn *pgx.Conn, cfg config.Config) postgres.Check {
	c := postgres.Check{Name: "Point-in-time recovery", Status: postgres.Warning}
	s, err := backup.ReadArchiveStatus(ctx, conn)
	if err != nil {
		c.Value, c.Recommendation = err.Error(), "run doctor as a role that may read pg_stat_archiver"
		return c
	}
	c.Value = archiveText(s)
	switch {
	case s.Mode == "off" && !cfg.Embedded():
		c.Recommendation = "the server archives no WAL: set up pgBackRest (docs/operations.md, \"Point-in-time recovery on external PostgreSQL\")"
	case s.Mode == "off" && cfg.WALArchiveDirectory() == "":
		c.Recommendation = "REALTY_WAL_ARCHIVE_DIR=off: unset it (archive into REALTY_DATA_DIR/wal-archive) and restart realty"
	case s.Mode == "off":
		c.Recommendation = "restart realty: the embedded cluster was started before archiving was on and turns it on at its next start"
	case s.Failing():
		c.Recommendation = fmt.Sprintf("archive_command fails, so WAL piles up in pg_wal: read PostgreSQL's log for its error "+
			"(space, permissions, a segment already archived with other contents) about %s", s.LastFailedWAL)
	case !cfg.Embedded():
		c.Status, c.Recommendation = postgres.OK, "none; prove restores with pgBackRest's restore --type=time now and then"
	default:
		c.Status, c.Value, c.Recommendation = baseBackupStatus(cfg, c.Value)
	}
	return c
}

// archiveText describes the archiver's counts and newest results.
func archiveText(s backup.ArchiveStatus) string {
	v := fmt.Sprintf("archive_mode %s, %d archived", s.Mode, s.Archived)
	if s.LastArchivedWAL != "" {
		v += fmt.Sprintf(" (last %s, %s ago)", s.LastArchivedWAL, time.Since(s.LastArchivedAt).Round(time.Second))
	}
	v += fmt.Sprintf(", %d failed", s.Failed)
	if s.LastFailedWAL != "" {
		v += fmt.Sprintf(" (last %s, %s ago)", s.LastFailedWAL, time.Since(s.LastFailedAt).Round(time.Second))
	}
	return v
}

// baseBackupStatus adds the embedded cluster's base backups to the check.
func baseBackupStatus(cfg config.Config, v string) (status, value, advice string) {
	list, err := backup.ListBase(cfg.BaseBackupDirectory())
	files, size := backup.ArchiveSize(cfg.WALArchiveDirectory())
	v += fmt.Sprintf("; archive %s: %d files, %s", cfg.WALArchiveDirectory(), files, sizeText(size))
	switch {
	case err != nil:
		return postgres.Warning, v + "; " + err.Error(), "make REALTY_BASE_BACKUP_DIR readable"
	case len(list) == 0:
		return postgres.Warning, v + "; no base backup in " + cfg.BaseBackupDirectory(),
			"take one with realty backup --base (serve takes them every REALTY_BASE_BACKUP_INTERVAL while REALTY_BACKUP_INTERVAL is on, " +
				"and prunes the archive to the oldest kept; until then the archive only grows)"
	}
	age := time.Since(list[0].StartedAt).Round(time.Minute)
	v += fmt.Sprintf("; %d base backup(s), newest %s old, recoverable from %s", len(list), age,
		list[len(list)-1].FinishedAt.Format(time.RFC3339))
	if cfg.BaseBackupInterval != 0 && cfg.BackupInterval != 0 && age > 2*cfg.BaseBackupInterval {
		return postgres.Warning, v, "the newest base backup is old: read serve's log for \"scheduled base backup failed\""
	}
	return postgres.OK, v, "none; rehearse with realty restore --to-time … --into a scratch directory"
}
