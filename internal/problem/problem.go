// Package problem is the vocabulary realty's two edges share for failures:
// the one table that turns a realty.Error's kind into an HTTP status. The
// JSON API renders it as RFC 9457 problem+json, the dashboard as a page; both
// answer the same status for the same error.
package problem

import (
	"errors"
	"net/http"

	"realty"
)

// statusOf maps each kind of realty error to its HTTP status.
var statusOf = map[realty.Kind]int{
	realty.Invalid:         http.StatusUnprocessableEntity,
	realty.NotFound:        http.StatusNotFound,
	realty.Conflict:        http.StatusConflict,
	realty.Unauthenticated: http.StatusUnauthorized,
	realty.Forbidden:       http.StatusForbidden,
	realty.RateLimited:     http.StatusTooManyRequests,
	realty.Internal:        http.StatusInternalServerError,
}

// Status is the HTTP status of err: 413 for a request body past the server's
// limit (http.MaxBytesError anywhere in its chain), else its kind's status;
// 500 for an error that is not a realty.Error. Status(nil) is 200.
func Status(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	if st, ok := statusOf[realty.KindOf(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}
