package postgres_test

import (
	"slices"
	"strings"
	"testing"

	"realty"
	"realty/internal/postgres"
)

// TestRegisterConstraints covers the registry's refusals: a name without its
// schema and a name registered twice panic, so a mistake shows at start.
func TestRegisterConstraints(t *testing.T) {
	t.Parallel()
	c := postgres.Constraint{Kind: realty.Invalid, Field: "x", Message: "is wrong"}
	t.Run("OK", func(t *testing.T) {
		if !slices.Contains(postgres.RegisteredConstraints(), "app.probe_qty_positive") {
			t.Fatalf("RegisteredConstraints() = %v, want app.probe_qty_positive listed", postgres.RegisteredConstraints())
		}
	})
	t.Run("ErrUnqualified", func(t *testing.T) {
		wantPanic(t, "not schema-qualified", func() {
			postgres.RegisterConstraints(map[string]postgres.Constraint{"probe_unqualified_check": c})
		})
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		wantPanic(t, "registered twice", func() {
			postgres.RegisterConstraints(map[string]postgres.Constraint{"app.probe_qty_positive": c})
		})
	})
}

func wantPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Fatalf("panic %v, want one saying %q", r, want)
		}
	}()
	f()
}
