package deal_test

import (
	"testing"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
)

// walk moves a deal through stages, meeting the guards on the way
// (fixturetest.Env.WalkDeal), failing on any refusal.
func walk(t *testing.T, env fixturetest.Env, actor realty.Actor, id realty.ID, stages ...string) deal.Deal {
	t.Helper()
	return env.WalkDeal(t, actor, id, stages...)
}
