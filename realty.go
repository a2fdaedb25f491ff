// Package realty holds the vocabulary every other package speaks: identifiers,
// the Actor on whose behalf a call runs, and the one error type. It imports
// nothing outside the standard library.
package realty

import (
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// ID identifies a row: a UUID, version 7 when realty made it.
type ID [16]byte

// NewID returns a fresh UUIDv7: 48 bits of Unix milliseconds, then random
// bits, so ids made later sort later and index pages fill in order.
func NewID() ID {
	var id ID
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails on supported platforms
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(time.Now().UnixMilli()))
	copy(id[0:6], ms[2:8])
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}

// ParseID parses the canonical 36-character form (any case). It returns an
// Invalid error naming the value when s is not a UUID.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, &Error{Kind: Invalid, Message: fmt.Sprintf("%q is not a valid id", s)}
	}
	src := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(id[:], []byte(src)); err != nil {
		return ID{}, &Error{Kind: Invalid, Message: fmt.Sprintf("%q is not a valid id", s)}
	}
	return id, nil
}

// String returns the canonical lower-case form.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// IsZero reports whether id is the zero (nil) UUID.
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText encodes the canonical form, so IDs are strings in JSON.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes the canonical form; it returns an Invalid error for
// anything else.
func (id *ID) UnmarshalText(b []byte) error {
	parsed, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// Actor is who a domain call acts for: a member of one organization with the
// permissions of their roles, or the System acting for an organization in a
// background job. Every domain method takes one and checks it.
type Actor struct {
	OrgID    ID
	UserID   ID // zero for System
	MemberID ID // zero for System
	// Permissions are the effective permission names ("listing.read").
	Permissions []string
	// PropertyScope limits property-bound work to these properties; nil
	// means every property of the organization.
	PropertyScope []ID
	// Resident marks an actor fenced to one tenancy: their transactions set
	// app.tenant_id to TenantID (the zero id, a tenancy of no one, when the
	// member is linked to no tenant) and row-level security shows them only
	// that tenant's rows of the resident-facing tables.
	Resident bool
	// TenantID is the tenant a Resident actor is linked to.
	TenantID ID
	system   bool
}

// System returns the Actor background jobs use for one organization: every
// permission, no property scope, no user.
func System(orgID ID) Actor {
	return Actor{OrgID: orgID, system: true}
}

// IsSystem reports whether a is the System actor.
func (a Actor) IsSystem() bool { return a.system }

// Can reports whether a holds the permission.
func (a Actor) Can(perm string) bool {
	return a.system || slices.Contains(a.Permissions, perm)
}

// Require returns a Forbidden error unless a holds the permission within an
// organization.
func (a Actor) Require(perm string) error {
	if a.OrgID.IsZero() {
		return &Error{Kind: Forbidden, Message: "no active organization: choose one first"}
	}
	if !a.Can(perm) {
		return &Error{Kind: Forbidden, Message: "missing permission " + perm}
	}
	return nil
}

// InScope reports whether a may act on the property: always when a has no
// property scope.
func (a Actor) InScope(propertyID ID) bool {
	return a.PropertyScope == nil || slices.Contains(a.PropertyScope, propertyID)
}

// Permission is one thing an actor may be allowed to do, named
// "resource.action". Each domain declares its own.
type Permission struct {
	Name        string
	Description string
	// Roles lists the system roles granted this permission besides owner
	// (every permission), admin (every one not OwnerOnly) and read_only
	// (every one whose action is "read").
	Roles []string
	// OwnerOnly keeps the permission from admins.
	OwnerOnly bool
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id that logs and the audit
// trail record.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Caller is who made a request, as its access log line records it: the
// organization, and the user or API key. The logging middleware puts an
// empty one in the request's context (WithCaller) and the code that
// authenticates the request fills it (NoteCaller), so the log knows the
// caller without the middleware knowing how callers are resolved.
type Caller struct {
	OrgID, UserID, APIKeyID ID
}

type callerKey struct{}

// WithCaller returns ctx carrying an empty Caller, and that Caller.
func WithCaller(ctx context.Context) (context.Context, *Caller) {
	c := &Caller{}
	return context.WithValue(ctx, callerKey{}, c), c
}

// NoteCaller records the authenticated caller in ctx's Caller; without
// one (a job, a command) it does nothing.
func NoteCaller(ctx context.Context, c Caller) {
	if p, ok := ctx.Value(callerKey{}).(*Caller); ok {
		*p = c
	}
}

// Date is a calendar day, without time of day or zone: lease and invoice
// dates, listing dates. It is "2006-01-02" in JSON and a SQL date in
// PostgreSQL.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "2006-01-02"; it returns an Invalid error otherwise.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, &Error{Kind: Invalid, Message: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)}
	}
	return DateOf(t), nil
}

// String returns "2006-01-02".
func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// Time returns midnight UTC of the day.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// AddDays returns the day n days later (earlier when negative).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Before reports whether d comes before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// DaysSince returns the whole days from e to d.
func (d Date) DaysSince(e Date) int { return int(d.Time().Sub(e.Time()).Hours() / 24) }

// MarshalText encodes "2006-01-02".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes "2006-01-02"; anything else is an Invalid error.
func (d *Date) UnmarshalText(b []byte) error {
	parsed, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// Scan reads a SQL date (database/sql.Scanner; pgx uses it too).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	}
	return fmt.Errorf("cannot scan %T into a Date", src)
}

// Value writes a SQL date (database/sql/driver.Valuer).
func (d Date) Value() (driver.Value, error) { return d.String(), nil }
