package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"realty"
)

// unavailableMessage is what a caller is told when the database cannot be
// reached.
const unavailableMessage = "the database is unavailable for the moment; retry shortly"

// Unreachable reports whether err says the database could not be reached
// or dropped the connection, rather than refusing the statement: a failed
// connect (refused, no socket, "the database system is starting up"), a
// server shutting down or crashed (SQLSTATE class 08, 57P01–57P03), too
// many connections (53300), or a connection cut mid-statement (EOF, reset,
// broken pipe, any network error). Such a failure is of the moment: a
// retry may succeed. It says nothing of whether a COMMIT in flight took.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", "53300": // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
			return true
		}
		return strings.HasPrefix(pe.Code, "08") // connection_exception
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // the caller gave up: not the database's doing
	}
	var ne net.Error
	return errors.As(err, &ne) || pgconn.SafeToRetry(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED)
}

// MapUnreachable returns err as an Unavailable realty.Error when it is an
// Internal error (no realty.Error, or one of kind Internal) that
// Unreachable recognises, and err unchanged otherwise. The API's one
// error mapping applies it, so a database outage answers 503 wherever the
// failure surfaced.
func MapUnreachable(err error) error {
	if realty.KindOf(err) != realty.Internal || !Unreachable(err) {
		return err
	}
	return &realty.Error{Kind: realty.Unavailable, Message: unavailableMessage, Err: err}
}
