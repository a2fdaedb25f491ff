package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// RetryAttempts bounds how often Retry runs its function.
const RetryAttempts = 10

// Transient reports whether err is a serialization failure or a deadlock
// (SQLSTATE 40001, 40P01): the transaction rolled back and running it again
// may succeed.
func Transient(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Retry runs fn, a whole transaction, again after a short random pause
// while it fails with a Transient error, at most RetryAttempts times; the
// last error is returned (a Conflict when still transient, never a 500).
func Retry(ctx context.Context, fn func() error) error {
	var err error
	for i := range RetryAttempts {
		if err = fn(); !Transient(err) {
			return err
		}
		pause := time.Duration(1+rand.IntN(5*(i+1))) * time.Millisecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
	return err
}
