package config

import (
	"path/filepath"
	"time"

	"realty"
)

// validateBackup checks the schedule's settings.
func (c *Config) validateBackup() error {
	if c.BackupInterval != 0 && c.BackupInterval < time.Minute {
		return realty.FieldError("REALTY_BACKUP_INTERVAL", "must be off or at least 1m")
	}
	if c.BackupKeepDaily < 0 || c.BackupKeepDaily > 1000 {
		return realty.FieldError("REALTY_BACKUP_KEEP_DAILY", "must be between 0 and 1000")
	}
	if c.BackupKeepWeekly < 0 || c.BackupKeepWeekly > 1000 {
		return realty.FieldError("REALTY_BACKUP_KEEP_WEEKLY", "must be between 0 and 1000")
	}
	if c.BaseBackupInterval != 0 && c.BaseBackupInterval < time.Minute {
		return realty.FieldError("REALTY_BASE_BACKUP_INTERVAL", "must be off or at least 1m")
	}
	if c.BaseBackupKeep < 1 || c.BaseBackupKeep > 1000 {
		return realty.FieldError("REALTY_BASE_BACKUP_KEEP", "must be between 1 and 1000")
	}
	return nil
}

// BackupDirectory is where backups go: BackupDir, else DataDir/backups.
func (c *Config) BackupDirectory() string {
	if c.BackupDir != "" {
		if abs, err := filepath.Abs(c.BackupDir); err == nil {
			return abs
		}
		return c.BackupDir
	}
	return filepath.Join(c.DataDir, "backups")
}

// WALArchiveDirectory is where the embedded cluster archives WAL:
// WALArchiveDir, else DataDir/wal-archive; "" when archiving is off.
func (c *Config) WALArchiveDirectory() string {
	return c.dirOr(c.WALArchiveDir, "wal-archive")
}

// BaseBackupDirectory is where base backups go: BaseBackupDir, else
// DataDir/base-backups.
func (c *Config) BaseBackupDirectory() string {
	if c.BaseBackupDir == "" {
		return filepath.Join(c.DataDir, "base-backups")
	}
	if abs, err := filepath.Abs(c.BaseBackupDir); err == nil {
		return abs
	}
	return c.BaseBackupDir
}

// dirOr is dir made absolute, DataDir/name when dir is empty, "" when off.
func (c *Config) dirOr(dir, name string) string {
	switch dir {
	case "off":
		return ""
	case "":
		return filepath.Join(c.DataDir, name)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
