package backup

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"realty/internal/metrics"
)

// Schedule makes backups every Every into Dir and prunes the scheduled ones
// to KeepDaily and KeepWeekly. It runs in the serving process, which owns
// the disk the backups go to (a job queue could hand the work to another
// replica's host).
type Schedule struct {
	Source     Source
	Dir        string
	Every      time.Duration
	KeepDaily  int
	KeepWeekly int
	Log        *slog.Logger
}

// firstDelay lets a starting server settle before a first backup.
const firstDelay = time.Minute

// Run makes a backup whenever the newest one in Dir is Every old (a restart
// does not cause an extra one), until ctx ends. A failed backup is logged
// and tried again after a quarter of the interval (at most an hour).
func (s *Schedule) Run(ctx context.Context) {
	s.Source.Trigger = "scheduled"
	for {
		wait := s.untilDue(time.Now())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if err := s.once(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("scheduled backup failed", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(min(s.Every/4, time.Hour)):
			}
		}
	}
}

// untilDue is how long to wait for the next backup.
func (s *Schedule) untilDue(now time.Time) time.Duration {
	list, err := List(s.Dir)
	if err != nil || len(list) == 0 {
		return firstDelay
	}
	metrics.BackupSucceeded(list[0].CreatedAt)
	return max(list[0].CreatedAt.Add(s.Every).Sub(now), firstDelay)
}

// once makes one backup and prunes.
func (s *Schedule) once(ctx context.Context) error {
	dir := filepath.Join(s.Dir, DirName(time.Now()))
	m, err := Create(ctx, s.Source, dir)
	if err != nil {
		return err
	}
	metrics.BackupSucceeded(m.CreatedAt)
	s.Log.Info("scheduled backup written", "dir", dir, "tables", len(m.Tables), "rows", m.Rows(),
		"dump_bytes", m.Dump.Size, "seconds", m.DurationSeconds)
	removed, err := Prune(s.Dir, s.KeepDaily, s.KeepWeekly)
	for _, d := range removed {
		s.Log.Info("old backup removed", "dir", d)
	}
	return err
}
