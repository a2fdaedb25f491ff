// Package problem is the vocabulary realty's two edges share for failures:
// the one table that turns a realty.Error's kind into an HTTP status and a
// problem type URI. The JSON API renders it as RFC 9457 problem+json, the
// dashboard as a page; both answer the same status for the same error.
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
	realty.Unavailable:     http.StatusServiceUnavailable,
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

// Type is one kind of problem the API answers: its status, its problem
// type URI (the "type" member of problem+json) and when it is answered.
// Kind is empty for the failures no realty.Error carries (a malformed or
// oversized body, a content type or method the operation does not take).
type Type struct {
	Kind   realty.Kind
	Status int
	URI    string
	When   string
}

// Types is every problem type, one per realty.Error kind and one per other
// status the API answers. The URIs are relative references (RFC 9457
// §3.1.1): stable strings a client compares as they are, resolving to the
// server that answered, which describes each at that path.
var Types = []Type{
	{realty.Invalid, http.StatusUnprocessableEntity, "/problems/invalid", "a parameter or body field is refused; errors[] names each field"},
	{realty.NotFound, http.StatusNotFound, "/problems/not-found", "no such resource in the organization, or no such API path"},
	{realty.Conflict, http.StatusConflict, "/problems/conflict", "the request clashes with the current state: a key taken, a transition not allowed"},
	{realty.Unauthenticated, http.StatusUnauthorized, "/problems/unauthenticated", "no credential, or one that is unknown, expired or revoked"},
	{realty.Forbidden, http.StatusForbidden, "/problems/forbidden", "the credential lacks the permission, or is an API key where a user is needed"},
	{realty.RateLimited, http.StatusTooManyRequests, "/problems/rate-limited", "too many attempts; try again later"},
	{realty.Unavailable, http.StatusServiceUnavailable, "/problems/unavailable", "the database cannot be reached for the moment; retry after Retry-After (a write under the same Idempotency-Key is done at most once)"},
	{realty.Internal, http.StatusInternalServerError, "/problems/internal", "a fault of the server, logged with the request id and never described"},
	{"", http.StatusBadRequest, "/problems/malformed", "the body is not valid JSON or a required body is missing"},
	{"", http.StatusMethodNotAllowed, "/problems/method-not-allowed", "the path exists for other methods (see Allow)"},
	{"", http.StatusRequestEntityTooLarge, "/problems/too-large", "the body is past the server's size limit"},
	{"", http.StatusUnsupportedMediaType, "/problems/unsupported-media-type", "the body's content type is not one the operation reads"},
}

// TypeURI returns the problem type URI of an error answered with status:
// every status the API answers has exactly one, and any other is
// "about:blank" (RFC 9457's default).
func TypeURI(status int) string {
	for _, t := range Types {
		if t.Status == status {
			return t.URI
		}
	}
	return "about:blank"
}
