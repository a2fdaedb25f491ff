package org

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
)

// MemberNamesTx returns, inside tx, the display names ("First Last", else
// the e-mail address) of the organization's members among ids (member ids,
// not user ids); others are left out. Like UserNames it checks no
// permission: it names the members a record the caller may read points at
// (a deal's agent or participants).
func MemberNamesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, ids []realty.ID) (map[realty.ID]string, error) {
	out := map[realty.ID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `SELECT m.id, u.first_name, u.last_name, u.email::text FROM org.members m
		JOIN identity.users u ON u.id = m.user_id WHERE m.organization_id = $1 AND m.id = ANY($2)`, actor.OrgID, ids)
	if err != nil {
		return nil, err
	}
	var id realty.ID
	var first, last, email string
	_, err = pgx.ForEachRow(rows, []any{&id, &first, &last, &email}, func() error {
		out[id] = strings.TrimSpace(first + " " + last)
		if out[id] == "" {
			out[id] = email
		}
		return nil
	})
	return out, err
}
