package postgres

import (
	"context"
	"fmt"
)

// OnDisk reports the version of the server binaries a restart would run, as
// server_version_num counts it and as printed (cluster.VersionProbe).
type OnDisk func(context.Context) (num int, text string, err error)

// RestartNeeded compares the running server's version with the binaries on
// disk: after a package upgrade under a running server, new backends load
// the new libraries into the old server and fail (plpgsql.so: undefined
// symbol). It returns why a restart is needed, or "" when none is; the
// error is the database's.
func RestartNeeded(ctx context.Context, db DB, onDisk OnDisk) (string, error) {
	running, err := ServerVersion(ctx, db)
	if err != nil {
		return "", err
	}
	num, text, err := onDisk(ctx)
	switch {
	case err != nil:
		return fmt.Sprintf("the PostgreSQL binaries on disk cannot be run (%v) while PostgreSQL %s is running", err, running.Text), nil
	case num != running.Num:
		return fmt.Sprintf("PostgreSQL %s is running but the binaries on disk are %s: restart realty", running.Text, text), nil
	}
	return "", nil
}

// CheckBinaries is the doctor's check of RestartNeeded.
func CheckBinaries(ctx context.Context, db DB, onDisk OnDisk) Check {
	c := Check{Name: "Server binaries"}
	reason, err := RestartNeeded(ctx, db, onDisk)
	switch {
	case err != nil:
		c.Status, c.Value, c.Recommendation = Fail, err.Error(), "fix the error above and run realty doctor again"
	case reason != "":
		c.Status, c.Value = Fail, reason
		c.Recommendation = "restart realty serve (its embedded PostgreSQL restarts with it) so the server runs the installed binaries; until then new connections may fail"
	default:
		c.Status, c.Value, c.Recommendation = OK, "the running server matches the binaries on disk", "none"
	}
	return c
}
