package metrics

import (
	"testing"
	"time"
)

// TestBackupSucceeded: the newest backup's time is kept; an older report
// does not move it back.
func TestBackupSucceeded(t *testing.T) {
	newest := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	BackupSucceeded(newest)
	BackupSucceeded(newest.Add(-24 * time.Hour))
	backupMu.Lock()
	defer backupMu.Unlock()
	if !backupLast.Equal(newest) || len(Collectors()) != 2 {
		t.Fatalf("newest backup %v, want %v; %d collectors, want 2", backupLast, newest, len(Collectors()))
	}
}
