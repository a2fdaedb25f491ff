package backup_test

import (
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
