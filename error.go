package realty

import (
	"errors"
	"fmt"
)

// Kind classifies an Error. The edges map each kind to one HTTP status and one
// exit code; nothing else in realty inspects error text.
type Kind string

// The kinds of error realty reports. Internal is the kind of every error that
// is not a *Error: its text is logged, never shown to a caller.
const (
	Invalid         Kind = "invalid"
	NotFound        Kind = "not_found"
	Conflict        Kind = "conflict"
	Unauthenticated Kind = "unauthenticated"
	Forbidden       Kind = "forbidden"
	RateLimited     Kind = "rate_limited"
	// Unavailable is a fault of the moment, not of the request: the
	// database cannot be reached (down, restarting, recovering). A retry
	// after a pause may succeed; a write retried under its Idempotency-Key
	// is done at most once.
	Unavailable Kind = "unavailable"
	Internal    Kind = "internal"
)

// Error is realty's one error type. Message is safe to show to the caller;
// Fields names the input fields at fault (field → reason); Err is the cause,
// kept for logs and errors.Is/As but never shown.
type Error struct {
	Kind    Kind
	Message string
	Fields  map[string]string
	Err     error
}

// Error returns the message followed by the cause, for logs.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Kind)
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message. A %w
// verb in format wraps its argument as the cause.
func Errorf(kind Kind, format string, args ...any) *Error {
	wrapped := fmt.Errorf(format, args...)
	return &Error{Kind: kind, Message: wrapped.Error(), Err: errors.Unwrap(wrapped)}
}

// FieldError returns an Invalid error naming one input field and why it is
// refused.
func FieldError(field, reason string) *Error {
	return &Error{
		Kind:    Invalid,
		Message: field + ": " + reason,
		Fields:  map[string]string{field: reason},
	}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal when
// there is none. KindOf(nil) is the empty Kind.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// MessageOf returns the caller-safe message of err: the message of the first
// *Error in its chain, or "internal error" when there is none.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		if e.Message != "" {
			return e.Message
		}
		return string(e.Kind)
	}
	return "internal error"
}

// FieldsOf returns the field reasons of the first *Error in err's chain, or
// nil.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
