package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Entry is a complete backup found in a directory.
type Entry struct {
	Dir       string
	CreatedAt time.Time
	Scheduled bool
}

// List returns the complete backups (directories holding a readable
// manifest) directly under dir, newest first; a missing dir holds none.
// Partial backups (hidden .partial- directories) are left out.
func List(dir string) ([]Entry, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range entries {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		m, err := ReadManifest(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		out = append(out, Entry{Dir: filepath.Join(dir, e.Name()), CreatedAt: m.CreatedAt, Scheduled: m.Trigger == "scheduled"})
	}
	slices.SortFunc(out, func(a, b Entry) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// Retain returns which backups to keep, given their times: the newest of
// each of the last daily UTC days that have a backup, the newest of each of
// the last weekly ISO weeks that have one, and always the newest of all
// (restic's --keep-daily and --keep-weekly). The result is indexed like
// times, which may come in any order.
func Retain(times []time.Time, daily, weekly int) []bool {
	keep := make([]bool, len(times))
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return times[b].Compare(times[a]) })
	if len(order) > 0 {
		keep[order[0]] = true
	}
	bucket := func(n int, key func(time.Time) string) {
		seen := map[string]bool{}
		for _, i := range order {
			k := key(times[i].UTC())
			if seen[k] {
				continue
			}
			if len(seen) == n {
				return
			}
			seen[k] = true
			keep[i] = true
		}
	}
	bucket(daily, func(t time.Time) string { return t.Format("2006-01-02") })
	bucket(weekly, func(t time.Time) string {
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	})
	return keep
}

// Prune removes the scheduled backups under dir that Retain does not keep
// (backups made by hand are never removed), and what killed backups left
// (.partial- directories a day old), and returns the removed directories.
func Prune(dir string, daily, weekly int) ([]string, error) {
	all, err := List(dir)
	if err != nil {
		return nil, err
	}
	removed := sweepPartial(dir, time.Now().Add(-24*time.Hour))
	var scheduled []Entry
	var times []time.Time
	for _, e := range all {
		if e.Scheduled {
			scheduled = append(scheduled, e)
			times = append(times, e.CreatedAt)
		}
	}
	for i, keep := range Retain(times, daily, weekly) {
		if keep {
			continue
		}
		if err := os.RemoveAll(scheduled[i].Dir); err != nil {
			return removed, fmt.Errorf("prune %s: %w", scheduled[i].Dir, err)
		}
		removed = append(removed, scheduled[i].Dir)
	}
	return removed, nil
}

// sweepPartial removes the partial backups under dir last changed before
// cutoff (younger ones may be backups under way in another process).
func sweepPartial(dir string, cutoff time.Time) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, ".*.partial-*"))
	var removed []string
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.IsDir() && fi.ModTime().Before(cutoff) && os.RemoveAll(m) == nil {
			removed = append(removed, m)
		}
	}
	return removed
}
