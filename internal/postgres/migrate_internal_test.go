package postgres

import (
	"slices"
	"testing"
)

func TestRuntimeRoleSettings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		citus, pgss bool
		want        []string
	}{
		{false, false, nil},
		{true, false, []string{"citus.propagate_set_commands=local"}},
		{false, true, []string{"pg_stat_statements.track_utility=off"}},
		{true, true, []string{"citus.propagate_set_commands=local", "pg_stat_statements.track_utility=off"}},
	} {
		if got := runtimeRoleSettings(c.citus, c.pgss); !slices.Equal(got, c.want) {
			t.Errorf("citus %v, pg_stat_statements %v: %q, want %q", c.citus, c.pgss, got, c.want)
		}
	}
}
