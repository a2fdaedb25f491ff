package postgres

import "testing"

func TestRuntimeRoleSQL(t *testing.T) {
	t.Parallel()
	if got := runtimeRoleSQL(false); len(got) != 0 {
		t.Errorf("without citus: %q, want nothing", got)
	}
	got := runtimeRoleSQL(true)
	if want := "ALTER ROLE realty_app SET citus.propagate_set_commands = 'local'"; len(got) != 1 || got[0] != want {
		t.Errorf("with citus: %q, want [%q]", got, want)
	}
}
