package orgexport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"realty/internal/blob"
)

// batchRows and batchBytes bound one INSERT of an import.
const (
	batchRows  = 1000
	batchBytes = 4 << 20
)

// importer loads one export inside its transaction.
type importer struct {
	tx      pgx.Tx
	cat     *catalog
	store   blob.Store
	maxBlob int64
	org     string
	sum     *Summary
	// columns caches each table's insertable columns.
	columns map[Table]map[string]bool
	// seen are the tables whose rows came, each once: a table's rows must
	// be contiguous.
	seen    []Table
	current Table
	batch   [][]byte
	size    int
	created []string // ids of the users this import created
	users   int      // user rows read
}

// row adds one row of table to the batch, flushing the batch of the
// previous table first.
func (im *importer) row(ctx context.Context, table string, row json.RawMessage) error {
	schema, name, _ := strings.Cut(table, ".")
	t := Table{schema, name}
	if t != im.current {
		if err := im.flush(ctx); err != nil {
			return err
		}
		if !im.known(t) {
			return fmt.Errorf("%w: table %s is not one an organization export holds in this database's schema", ErrBadFile, table)
		}
		if slices.Contains(im.seen, t) {
			return fmt.Errorf("%w: the rows of %s are not together", ErrBadFile, table)
		}
		im.seen = append(im.seen, t)
		im.current = t
		im.sum.Tables++
	}
	if len(row) == 0 || row[0] != '{' {
		return fmt.Errorf("%w: a row of %s is not an object", ErrBadFile, table)
	}
	im.batch = append(im.batch, row)
	im.size += len(row)
	im.sum.Rows++
	if t == usersTable {
		im.users++
	}
	if len(im.batch) >= batchRows || im.size >= batchBytes {
		return im.flush(ctx)
	}
	return nil
}

// known reports whether an export may hold rows of t.
func (im *importer) known(t Table) bool {
	return t == usersTable || t == recoveryTable || slices.Contains(im.cat.owned, t) || slices.Contains(im.cat.lookups, t)
}

// flush inserts the batch.
func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	t := im.current
	rows := append(append([]byte{'['}, bytes.Join(im.batch, []byte{','})...), ']')
	cols, err := im.insertColumns(ctx, t, im.batch[0])
	im.batch, im.size = im.batch[:0], 0
	if err != nil {
		return err
	}
	switch t {
	case usersTable:
		err = im.insertUsers(ctx, cols, rows)
	case recoveryTable:
		err = im.insert(ctx, t, cols, rows, "WHERE r.user_id = ANY($2::uuid[])", im.created)
	default:
		if err = im.checkOrganization(ctx, t, rows); err == nil {
			err = im.insert(ctx, t, cols, rows, "")
		}
	}
	return err
}

// insertColumns is the columns of the row that the table takes: every key
// but generated columns. A key the table lacks is refused.
func (im *importer) insertColumns(ctx context.Context, t Table, row []byte) ([]string, error) {
	have, ok := im.columns[t]
	if !ok {
		rows, err := im.tx.Query(ctx, `SELECT attname::text FROM pg_attribute
			WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''`, t.ident())
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", t, err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", t, err)
		}
		have = map[string]bool{}
		for _, n := range names {
			have[n] = true
		}
		im.columns[t] = have
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(row, &keys); err != nil {
		return nil, fmt.Errorf("%w: a row of %s: %v", ErrBadFile, t, err)
	}
	var cols []string
	for k := range keys {
		switch {
		case have[k]:
			cols = append(cols, k)
		case !slices.Contains(im.cat.generated[t.String()], k):
			return nil, fmt.Errorf("%w: column %s of %s is not in this database's schema", ErrBadFile, k, t)
		}
	}
	slices.Sort(cols)
	return cols, nil
}

// checkOrganization refuses rows of another organization.
func (im *importer) checkOrganization(ctx context.Context, t Table, rows []byte) error {
	col := "organization_id"
	if slices.Contains(im.cat.lookups, t) {
		col = "org_id"
	}
	cond := "r." + col + " IS DISTINCT FROM $2::uuid"
	if t == orgTable {
		cond += " OR r.id IS DISTINCT FROM $2::uuid"
	}
	var n int64
	err := im.tx.QueryRow(ctx, "SELECT count(*) FROM jsonb_populate_recordset(NULL::"+t.ident()+", $1::jsonb) r WHERE "+cond,
		rows, im.org).Scan(&n)
	if err != nil {
		return fmt.Errorf("import %s: %w", t, err)
	}
	if n > 0 {
		return fmt.Errorf("%w: %d rows of %s belong to another organization than the header's %s", ErrBadFile, n, t, im.org)
	}
	return nil
}

// insert inserts the rows (a JSON array) into t, optionally filtered
// (args from $2).
func (im *importer) insert(ctx context.Context, t Table, cols []string, rows []byte, where string, args ...any) error {
	sql := "INSERT INTO " + t.ident() + " (" + columnList("", cols) + ") SELECT " + columnList("r.", cols) +
		" FROM jsonb_populate_recordset(NULL::" + t.ident() + ", $1::jsonb) r " + where
	_, err := im.tx.Exec(ctx, sql, append([]any{rows}, args...)...)
	return insertError(t, err)
}

// insertUsers inserts the users the target lacks and links those it has
// (same id, same email); a user whose id or email the target holds with
// the other differing is refused.
func (im *importer) insertUsers(ctx context.Context, cols []string, rows []byte) error {
	var id, email, otherID, otherEmail string
	err := im.tx.QueryRow(ctx, `SELECT r.id::text, r.email::text, u.id::text, u.email::text
		FROM jsonb_populate_recordset(NULL::identity.users, $1::jsonb) r
		JOIN identity.users u ON u.id = r.id OR u.email = r.email
		WHERE u.id <> r.id OR u.email <> r.email LIMIT 1`, rows).Scan(&id, &email, &otherID, &otherEmail)
	if err == nil {
		return fmt.Errorf("user %s <%s>: %w as user %s <%s>: the same person must keep one id; rename or remove one of them first",
			id, email, ErrExists, otherID, otherEmail)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("import identity.users: %w", err)
	}
	q, err := im.tx.Query(ctx, "INSERT INTO identity.users ("+columnList("", cols)+") SELECT "+columnList("r.", cols)+
		" FROM jsonb_populate_recordset(NULL::identity.users, $1::jsonb) r"+
		" WHERE NOT EXISTS (SELECT FROM identity.users u WHERE u.id = r.id) RETURNING id::text", rows)
	if err != nil {
		return insertError(usersTable, err)
	}
	created, err := pgx.CollectRows(q, pgx.RowTo[string])
	if err != nil {
		return insertError(usersTable, err)
	}
	im.created = append(im.created, created...)
	im.sum.UsersCreated += len(created)
	return nil
}

// insertError turns a key conflict into ErrExists naming the table and
// constraint.
func insertError(t Table, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "23P01") {
		return fmt.Errorf("%s: a row %w (constraint %s: %s)", t, ErrExists, pe.ConstraintName, pe.Detail)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", t, err)
	}
	return nil
}
