package deal

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"realty"
)

// DocumentIndex tells which document categories an entity holds: the
// document domain implements it, and the compliance checklist asks it
// inside the transition's transaction.
type DocumentIndex interface {
	CategoriesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, entityType string, entityID realty.ID) ([]string, error)
}

// documentIndex is the index the checklist guard asks. Guards belong to the
// package, not to one Service, so the index does too: the wiring sets it
// once for the process.
var documentIndex atomic.Pointer[DocumentIndex]

// UseDocuments sets the index the compliance checklist reads (the document
// domain's). Until one is set, a transition into a stage whose template
// requires documents is refused: the checklist fails closed. The index is
// shared by every Service of the process, as the guards are.
func (s *Service) UseDocuments(idx DocumentIndex) { documentIndex.Store(&idx) }

func init() { registerGuard(checklistBeforeStage) }

// checklistBeforeStage refuses a move into a stage for which the deal's
// template requires document categories the deal does not hold, naming
// them.
func checklistBeforeStage(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, to string) error {
	t, ok, err := templateForTx(ctx, tx, actor, d)
	if err != nil || !ok {
		return err
	}
	var need []string
	for _, sd := range t.RequiredDocuments {
		if sd.Stage == to {
			need = sd.Categories
		}
	}
	if len(need) == 0 {
		return nil
	}
	idx := documentIndex.Load()
	if idx == nil || *idx == nil {
		return realty.FieldError("to", "a deal needs its "+joinAnd(need)+" documents to move to "+to+", and documents cannot be checked here")
	}
	have, err := (*idx).CategoriesTx(ctx, tx, actor, "deal", d.ID)
	if err != nil {
		return err
	}
	var missing []string
	for _, c := range need {
		if !slices.Contains(have, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return realty.FieldError("to", "the compliance checklist of "+to+" needs documents of "+joinAnd(missing)+" on the deal")
	}
	return nil
}
