package crm

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
)

// ClientNamesTx returns, inside tx, the display names ("First Last") of the
// organization's clients among ids; ids of no client of the organization
// are left out. Like org.Service.UserNames it checks no permission: other
// domains use it to name the clients a record they may read points at (a
// deal's buyer or seller).
func ClientNamesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, ids []realty.ID) (map[realty.ID]string, error) {
	out := map[realty.ID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `SELECT id, first_name, last_name FROM crm.clients WHERE organization_id = $1 AND id = ANY($2)`,
		actor.OrgID, ids)
	if err != nil {
		return nil, err
	}
	var id realty.ID
	var first, last string
	_, err = pgx.ForEachRow(rows, []any{&id, &first, &last}, func() error {
		out[id] = strings.TrimSpace(first + " " + last)
		return nil
	})
	return out, err
}

// VisibleClientTx checks, inside tx, that the actor works the client id
// names (their own, or any with client.manage) and that it was not merged
// away: what naming a client in another domain's record (a deal's buyer)
// requires. Errors: NotFound otherwise.
func VisibleClientTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) error {
	args := scopeArgs(actor)
	args["id"] = id
	var found bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM crm.clients c WHERE `+clientScope+` AND c.id = @id)`,
		pgx.NamedArgs(args)).Scan(&found)
	if err != nil {
		return err
	}
	if !found {
		return errClientNotFound
	}
	return nil
}
