package backup

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"
)

// BaseSchedule takes a base backup every Every into Dir, keeps the Keep
// newest scheduled ones, and removes from ArchiveDir the WAL older than the
// oldest base backup left. It runs in the serving process, beside the
// embedded cluster it copies.
type BaseSchedule struct {
	Source     BaseSource
	Dir        string
	ArchiveDir string
	Every      time.Duration
	Keep       int
	Log        *slog.Logger
}

// Run takes a base backup whenever the newest in Dir is Every old (a
// restart does not cause an extra one), until ctx ends. A failed one is
// logged and tried again after a quarter of the interval (at most an hour).
func (s *BaseSchedule) Run(ctx context.Context) {
	s.Source.Trigger = "scheduled"
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.untilDue(time.Now())):
		}
		if err := s.once(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("scheduled base backup failed", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(min(s.Every/4, time.Hour)):
			}
		}
	}
}

// untilDue is how long to wait for the next base backup.
func (s *BaseSchedule) untilDue(now time.Time) time.Duration {
	list, err := ListBase(s.Dir)
	if err != nil || len(list) == 0 {
		return firstDelay
	}
	return max(list[0].StartedAt.Add(s.Every).Sub(now), firstDelay)
}

// once takes one base backup, prunes the old ones and the WAL before them.
func (s *BaseSchedule) once(ctx context.Context) error {
	dir := filepath.Join(s.Dir, DirName(time.Now()))
	b, err := CreateBase(ctx, s.Source, dir)
	if err != nil {
		return err
	}
	s.Log.Info("scheduled base backup written", "dir", dir, "start_lsn", b.StartLSN, "timeline", b.Timeline,
		"bytes", b.Size, "seconds", b.DurationSeconds)
	removed, remain, err := PruneBase(s.Dir, s.Keep)
	for _, d := range removed {
		s.Log.Info("old base backup removed", "dir", d)
	}
	if err != nil {
		return err
	}
	n, err := PruneWAL(ctx, s.Source.BinDir, s.ArchiveDir, remain)
	if n > 0 {
		s.Log.Info("archived WAL older than the oldest base backup removed", "files", n, "dir", s.ArchiveDir)
	}
	return err
}
