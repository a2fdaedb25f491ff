package backup_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"realty/internal/backup"
)

// TestRetain keeps the newest backup of each of the last N days and M ISO
// weeks that have one.
func TestRetain(t *testing.T) {
	t.Parallel()
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	// Two backups a day (03:00 and 15:00) from Monday 2 to Sunday 29
	// November, except none on the 20th; listed oldest first.
	var times []time.Time
	for d := 2; d <= 29; d++ {
		if d != 20 {
			times = append(times, day(d, 3), day(d, 15))
		}
	}
	kept := func(daily, weekly int) []time.Time {
		var out []time.Time
		for i, k := range backup.Retain(times, daily, weekly) {
			if k {
				out = append(out, times[i])
			}
		}
		return out
	}
	tests := []struct {
		name          string
		daily, weekly int
		want          []time.Time
	}{
		{"OKNothingButNewest", 0, 0, []time.Time{day(29, 15)}},
		// The last three days: 27, 28, 29.
		{"OKDaily", 3, 0, []time.Time{day(27, 15), day(28, 15), day(29, 15)}},
		// Days without a backup do not count: 21 is the 8th newest day.
		{"OKDailySkipsGap", 9, 0, []time.Time{day(19, 15), day(21, 15), day(22, 15), day(23, 15), day(24, 15),
			day(25, 15), day(26, 15), day(27, 15), day(28, 15), day(29, 15)}[1:]},
		// ISO weeks end on Sundays 8, 15, 22 and 29.
		{"OKWeekly", 0, 3, []time.Time{day(15, 15), day(22, 15), day(29, 15)}},
		{"OKBoth", 2, 4, []time.Time{day(8, 15), day(15, 15), day(22, 15), day(28, 15), day(29, 15)}},
		{"OKMoreThanThere", 100, 100, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := kept(tc.daily, tc.weekly)
			want := tc.want
			if want == nil { // one a day, the day's newest
				for d := 2; d <= 29; d++ {
					if d != 20 {
						want = append(want, day(d, 15))
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPrune removes only the scheduled backups Retain drops and old partial
// ones; backups made by hand and a partial one under way stay.
func TestPrune(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, trigger string, at time.Time) {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		m := fmt.Sprintf(`{"format":1,"kind":"full","trigger":%q,"created_at":%q,"dump":{"path":"database.dump"}}`, trigger, at.Format(time.RFC3339))
		if err := os.WriteFile(filepath.Join(d, backup.ManifestFile), []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for d := range 5 {
		at := now.AddDate(0, 0, -d)
		write(backup.DirName(at), "scheduled", at)
	}
	write("by-hand", "manual", now.AddDate(0, 0, -30))
	old, fresh := filepath.Join(dir, ".x.partial-1"), filepath.Join(dir, ".y.partial-2")
	for _, p := range []string{old, fresh} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(old, now.AddDate(0, 0, -2), now.AddDate(0, 0, -2)); err != nil {
		t.Fatal(err)
	}
	removed, err := backup.Prune(dir, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{old, filepath.Join(dir, backup.DirName(now.AddDate(0, 0, -2))),
		filepath.Join(dir, backup.DirName(now.AddDate(0, 0, -3))), filepath.Join(dir, backup.DirName(now.AddDate(0, 0, -4)))}
	slices.Sort(removed)
	slices.Sort(want)
	if diff := cmp.Diff(want, removed); diff != "" {
		t.Fatalf("removed (-want +got):\n%s", diff)
	}
	list, err := backup.List(dir)
	if err != nil || len(list) != 3 || list[2].Dir != filepath.Join(dir, "by-hand") {
		t.Fatalf("left: %+v (%v)", list, err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatalf("a partial backup under way was removed: %v", err)
	}
}
