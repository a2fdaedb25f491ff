package orgexport

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// verify checks, before commit, what the triggers left unfired would have:
// every foreign key of the organization's rows points at a row that exists
// (MATCH SIMPLE: a key with a NULL column is not checked), and the
// organization's own row arrived.
func (im *importer) verify(ctx context.Context) error {
	var ok bool
	if err := im.tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM org.organizations WHERE id = $1)`, im.org).Scan(&ok); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if !ok {
		return fmt.Errorf("%w: it holds no row of org.organizations for %s", ErrBadFile, im.org)
	}
	for _, k := range im.cat.keys {
		n, err := danglingRows(ctx, im.tx, k, im.org)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %d rows of %s reference rows of %s that do not exist (foreign key %s)",
				ErrBadFile, n, k.From, k.To, k.Name)
		}
	}
	im.sum.UsersLinked = im.users - im.sum.UsersCreated
	return nil
}

// danglingRows counts the organization's rows of k.From whose key k finds
// no row of k.To.
func danglingRows(ctx context.Context, db pgx.Tx, k foreignKey, org string) (int64, error) {
	var notNull, match []string
	for i, c := range k.FromCols {
		from := "c." + pgx.Identifier{c}.Sanitize()
		notNull = append(notNull, from+" IS NOT NULL")
		match = append(match, "p."+pgx.Identifier{k.ToCols[i]}.Sanitize()+" = "+from)
	}
	sql := "SELECT count(*) FROM " + k.From.ident() + " c WHERE c.organization_id = $1 AND " + strings.Join(notNull, " AND ") +
		" AND NOT EXISTS (SELECT FROM " + k.To.ident() + " p WHERE " + strings.Join(match, " AND ") + ")"
	var n int64
	if err := db.QueryRow(ctx, sql, org).Scan(&n); err != nil {
		return 0, fmt.Errorf("verify foreign key %s: %w", k.Name, err)
	}
	return n, nil
}
