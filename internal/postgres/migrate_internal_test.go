package postgres

import (
	"slices"
	"testing"
)

func TestRuntimeRoleSettings(t *testing.T) {
	t.Parallel()
	if got := runtimeRoleSettings(false); len(got) != 0 {
		t.Errorf("without pg_stat_statements: %q, want none", got)
	}
	if got, want := runtimeRoleSettings(true), []string{"pg_stat_statements.track_utility=off"}; !slices.Equal(got, want) {
		t.Errorf("with pg_stat_statements: %q, want %q", got, want)
	}
}
