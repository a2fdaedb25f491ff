package backup

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// RecoveryTarget is the point a point-in-time recovery stops at: exactly one
// of a time, a named restore point or a transaction id. Each is inclusive:
// the transactions committed at the time, the restore point, the
// transaction itself are kept.
type RecoveryTarget struct {
	Time time.Time
	Name string
	XID  uint64
}

// ErrOutOfRange is returned (wrapped) when no base backup ends before the
// target: the archive does not reach back that far.
var ErrOutOfRange = errors.New("target outside the archived range")

// ErrRecoveryFailed is returned (wrapped) when PostgreSQL stops the
// recovery; the error holds the server's own FATAL message.
var ErrRecoveryFailed = errors.New("recovery failed")

// Validate reports an error unless exactly one target is set.
func (t RecoveryTarget) Validate() error {
	n := 0
	for _, set := range []bool{!t.Time.IsZero(), t.Name != "", t.XID != 0} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("give exactly one recovery target: a time, a restore point name or a transaction id")
	}
	if len(t.Name) > 63 {
		return errors.New("a restore point name has at most 63 bytes")
	}
	return nil
}

// String names the target as the operator gave it.
func (t RecoveryTarget) String() string {
	switch {
	case !t.Time.IsZero():
		return "time " + t.Time.UTC().Format(time.RFC3339Nano)
	case t.Name != "":
		return strconv.Quote(t.Name)
	}
	return "transaction " + strconv.FormatUint(t.XID, 10)
}

// settings are the recovery_target_* server settings of the target.
func (t RecoveryTarget) settings() map[string]string {
	switch {
	case !t.Time.IsZero():
		return map[string]string{"recovery_target_time": t.Time.UTC().Format("2006-01-02 15:04:05.999999") + "+00"}
	case t.Name != "":
		return map[string]string{"recovery_target_name": t.Name}
	}
	return map[string]string{"recovery_target_xid": strconv.FormatUint(t.XID, 10)}
}

// pickBase chooses the base backup to recover from (list newest first):
// for a time, the newest that finished before it; for a transaction id,
// the newest that ended before the transaction began, else the oldest; for
// a name, whose position is unknown until the WAL is read, the oldest.
func pickBase(list []BaseBackup, t RecoveryTarget, dir string) (BaseBackup, error) {
	if len(list) == 0 {
		return BaseBackup{}, fmt.Errorf("%w: no base backup in %s (take one with realty backup --base)", ErrOutOfRange, dir)
	}
	oldest := list[len(list)-1]
	switch {
	case !t.Time.IsZero():
		for _, b := range list {
			if !b.FinishedAt.After(t.Time) {
				return b, nil
			}
		}
		return BaseBackup{}, fmt.Errorf("%w: %s is before the oldest base backup (%s, finished %s)", ErrOutOfRange,
			t, oldest.Dir, oldest.FinishedAt.Format(time.RFC3339))
	case t.XID != 0:
		for _, b := range list {
			if b.NextXID != 0 && b.NextXID <= t.XID {
				return b, nil
			}
		}
	}
	return oldest, nil
}
