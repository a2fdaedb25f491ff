// Package metrics holds the few process-wide Prometheus metrics that code
// below the server sets (the backup job), so that code need not import the
// server: the server registers Collectors in its registry.
package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// BackupLastSuccessName is the metric the "backup too old" alert reads.
const BackupLastSuccessName = "realty_backup_last_success_timestamp_seconds"

var (
	backupMu          sync.Mutex
	backupLastSuccess = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: BackupLastSuccessName,
		Help: "Unix time of the newest successful backup this process knows of (0: none since it started). " +
			"Set by the backup code through metrics.BackupSucceeded.",
	})
	backupLast     time.Time
	backupInterval = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: BackupIntervalName,
		Help: "Seconds between this process's scheduled backups (REALTY_BACKUP_INTERVAL); 0 while they are off.",
	})
)

// BackupIntervalName is the metric that says scheduled backups are on; the
// "backup too old" alert fires only where it is above zero.
const BackupIntervalName = "realty_backup_interval_seconds"

// BackupScheduled records the interval of the process's scheduled backups
// (0: off).
func BackupScheduled(every time.Duration) { backupInterval.Set(every.Seconds()) }

// BackupSucceeded records that a backup finished successfully at t. It never
// fails; a t older than the one recorded is ignored, so a backup found on
// disk at start cannot hide a newer one.
func BackupSucceeded(t time.Time) {
	backupMu.Lock()
	defer backupMu.Unlock()
	if !t.After(backupLast) {
		return
	}
	backupLast = t
	backupLastSuccess.Set(float64(t.UnixNano()) / 1e9)
}

// Collectors returns the package's metrics, for a registry.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{backupLastSuccess, backupInterval}
}
