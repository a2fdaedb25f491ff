package postgres

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"realty"
)

// Constraint says what a named database constraint means to a caller: the
// kind of error its violation is, the input field at fault and a message.
type Constraint struct {
	Kind    realty.Kind
	Field   string
	Message string
}

var (
	constraintsMu sync.RWMutex
	constraints   = map[string]Constraint{}
)

// RegisterConstraints declares the meaning of constraints by schema-qualified
// name ("org.organizations_slug_key"; a unique index counts as a constraint).
// Domain packages call it from init for the constraints their migrations
// create, so MapError can name the field a violation is about. It panics on a
// name without its schema or registered twice: two meanings for one
// constraint is a programming error, found when the binary starts.
func RegisterConstraints(m map[string]Constraint) {
	constraintsMu.Lock()
	defer constraintsMu.Unlock()
	for name, c := range m {
		if schema, rest, ok := strings.Cut(name, "."); !ok || schema == "" || rest == "" {
			panic(fmt.Sprintf("postgres: constraint %q is not schema-qualified", name))
		}
		if _, dup := constraints[name]; dup {
			panic(fmt.Sprintf("postgres: constraint %q registered twice", name))
		}
		constraints[name] = c
	}
}

// RegisteredConstraints returns the schema-qualified names of every
// registered constraint, sorted, so a test can hold them to the schema.
func RegisteredConstraints() []string {
	constraintsMu.RLock()
	defer constraintsMu.RUnlock()
	return slices.Sorted(maps.Keys(constraints))
}

func lookupConstraint(schema, name string) (Constraint, bool) {
	if name == "" {
		return Constraint{}, false
	}
	constraintsMu.RLock()
	defer constraintsMu.RUnlock()
	c, ok := constraints[schema+"."+name]
	return c, ok
}

// MapError turns a database error into a *realty.Error, by SQLSTATE and
// schema-qualified constraint name only (never by message text). nil stays nil, a *realty.Error
// passes through, pgx.ErrNoRows becomes NotFound, and anything unrecognised is
// returned unchanged (an Internal error to the edges). A database that
// cannot be reached (Unreachable) becomes Unavailable.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var re *realty.Error
	if errors.As(err, &re) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &realty.Error{Kind: realty.NotFound, Message: "not found", Err: err}
	}
	if Unreachable(err) {
		return &realty.Error{Kind: realty.Unavailable, Message: unavailableMessage, Err: err}
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	if c, ok := lookupConstraint(pe.SchemaName, pe.ConstraintName); ok {
		e := &realty.Error{Kind: c.Kind, Message: c.Message, Err: err}
		if c.Field != "" {
			e.Fields = map[string]string{c.Field: c.Message}
		}
		return e
	}
	return mapSQLState(pe, err)
}

func mapSQLState(pe *pgconn.PgError, err error) error {
	e := &realty.Error{Err: err}
	switch pe.Code {
	case "23505": // unique_violation
		e.Kind, e.Message = realty.Conflict, "already exists"
	case "23P01": // exclusion_violation
		e.Kind, e.Message = realty.Conflict, "conflicts with an existing entry"
	case "23503": // foreign_key_violation
		e.Kind, e.Message = realty.Invalid, "refers to something that does not exist"
	case "23502": // not_null_violation
		e.Kind, e.Message = realty.Invalid, "is required"
	case "23514", "23000": // check_violation, integrity_constraint_violation
		e.Kind, e.Message = realty.Invalid, "is not allowed"
	case "22P02", "22007", "22008", "22003", "22001", "22023", "22P05", "22021":
		// invalid text, datetime format/overflow, numeric out of range, string
		// too long, invalid parameter value, untranslatable character, bad encoding
		e.Kind, e.Message = realty.Invalid, "invalid value"
	case "42501": // insufficient_privilege, including a row-level security refusal
		e.Kind, e.Message = realty.Forbidden, "not allowed"
	case "40001", "40P01": // serialization_failure, deadlock_detected
		e.Kind, e.Message = realty.Conflict, "concurrent change, try again"
	case "55P03": // lock_not_available
		e.Kind, e.Message = realty.Conflict, "busy, try again"
	default:
		return err
	}
	if pe.ColumnName != "" {
		e.Fields = map[string]string{pe.ColumnName: e.Message}
		e.Message = pe.ColumnName + ": " + e.Message
	}
	return e
}

// ConstraintOf returns the name of the constraint a database error violated,
// or "".
func ConstraintOf(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}
