package deal

import "context"

// serviceDeps are what a Service's effects reach beyond the transaction:
// the listing follower and the document filer its wiring set. Effects are
// the package's (registerEffect), so MoveTx hands them the moving
// Service's dependencies through the context rather than a process-wide
// variable: two Services (two test databases) never use each other's.
type serviceDeps struct {
	listings ListingFollower
	filer    DocumentFiler
}

type depsKey struct{}

// withEffectDeps is ctx carrying s's dependencies for its effects.
func (s *Service) withEffectDeps(ctx context.Context) context.Context {
	return context.WithValue(ctx, depsKey{}, serviceDeps{listings: s.listings, filer: s.filer})
}

// effectDeps are the dependencies MoveTx put in ctx (none outside a move).
func effectDeps(ctx context.Context) serviceDeps {
	d, _ := ctx.Value(depsKey{}).(serviceDeps)
	return d
}
