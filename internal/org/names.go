package org

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// MemberNamesTx returns the display names ("First Last", else the e-mail
// address) of the members among ids of the actor's organization, read in
// the caller's transaction tx; ids of no member are left out. It checks no
// permission: it names the members a record the caller may read already
// refers to (a deal's agents on its commission).
func MemberNamesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, ids []realty.ID) (map[realty.ID]string, error) {
	out := map[realty.ID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `SELECT m.id, coalesce(nullif(btrim(u.first_name || ' ' || u.last_name), ''), u.email::text)
		FROM org.members m JOIN identity.users u ON u.id = m.user_id WHERE m.organization_id = $1 AND m.id = ANY($2)`, actor.OrgID, ids)
	if err != nil {
		return nil, err
	}
	var id realty.ID
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		out[id] = name
		return nil
	})
	return out, err
}
