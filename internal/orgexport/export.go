package orgexport

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/blob"
)

// Source is the database and blob store an export reads.
type Source struct {
	// AdminURL connects as a superuser or a role with BYPASSRLS.
	AdminURL string
	// Blobs is the blob store the organization's rows reference.
	Blobs blob.Store
	// Version is realty's version, written in the header.
	Version string
}

// Export writes the organization with the given slug to w, all of it read
// in one REPEATABLE READ READ ONLY transaction. Errors: a NotFound
// realty.Error for an unknown slug, a role that cannot see every row, a
// blob a row references but the store lacks (naming its key), or w's.
func Export(ctx context.Context, src Source, slug string, w io.Writer) (*Summary, error) {
	start := time.Now()
	conn, err := connect(ctx, src.AdminURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	h, err := exportHeader(ctx, tx, slug, src.Version)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalog(ctx, tx)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	e := &exporter{tx: tx, w: bw, cat: cat, org: h.Organization.ID, sum: &Summary{Organization: h.Organization}}
	if err := e.json(h); err != nil {
		return nil, err
	}
	if err := e.run(ctx, src.Blobs); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("write export: %w", err)
	}
	e.sum.Duration = time.Since(start)
	return e.sum, nil
}

// exportHeader checks the role and finds the organization.
func exportHeader(ctx context.Context, tx pgx.Tx, slug, version string) (*Header, error) {
	var super bool
	if err := tx.QueryRow(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return nil, fmt.Errorf("read role: %w", err)
	}
	if !super {
		return nil, errors.New("the database role is neither a superuser nor BYPASSRLS: row-level security would hide rows; " +
			"export through a superuser (REALTY_ADMIN_DATABASE_URL)")
	}
	h := &Header{Kind: Kind, Format: Format, RealtyVersion: version}
	err := tx.QueryRow(ctx, `SELECT id::text, slug::text, name, now() FROM org.organizations WHERE slug = $1`, slug).
		Scan(&h.Organization.ID, &h.Organization.Slug, &h.Organization.Name, &h.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &realty.Error{Kind: realty.NotFound, Message: fmt.Sprintf("no organization with slug %q", slug)}
	}
	if err != nil {
		return nil, fmt.Errorf("find organization: %w", err)
	}
	h.CreatedAt = h.CreatedAt.UTC()
	if h.SchemaVersion, err = schemaVersion(ctx, tx); err != nil {
		return nil, err
	}
	return h, nil
}

// exporter writes one export.
type exporter struct {
	tx  pgx.Tx
	w   *bufio.Writer
	cat *catalog
	org string
	sum *Summary
}

// run writes the users, the lookups, the owned tables, the blobs and the
// end record.
func (e *exporter) run(ctx context.Context, blobs blob.Store) error {
	users := e.userIDs()
	if err := e.table(ctx, usersTable, "u.id IN ("+users+")"); err != nil {
		return err
	}
	if err := e.table(ctx, recoveryTable, "u.user_id IN ("+users+")"); err != nil {
		return err
	}
	for _, t := range e.cat.lookups {
		if err := e.table(ctx, t, "u.org_id = $1"); err != nil {
			return err
		}
	}
	for _, t := range e.cat.owned {
		if err := e.table(ctx, t, "u.organization_id = $1"); err != nil {
			return err
		}
	}
	if err := e.blobs(ctx, blobs); err != nil {
		return err
	}
	return e.json(map[string]End{"end": {Tables: e.sum.Tables, Rows: e.sum.Rows, Blobs: e.sum.Blobs}})
}

// userIDs is a subquery of the users the organization's rows reference:
// its members and every other column with a foreign key to identity.users.
func (e *exporter) userIDs() string {
	var parts []string
	for _, k := range e.cat.userRefs {
		col := pgx.Identifier{k.FromCols[0]}.Sanitize()
		parts = append(parts, "SELECT "+col+" FROM "+k.From.ident()+" WHERE organization_id = $1 AND "+col+" IS NOT NULL")
	}
	if len(parts) == 0 {
		return "SELECT NULL::uuid WHERE false"
	}
	return strings.Join(parts, " UNION ")
}

// table writes the rows of t matching where ($1: the organization's id).
func (e *exporter) table(ctx context.Context, t Table, where string) error {
	name := []byte(`{"table":"` + t.String() + `","row":`)
	rows, err := e.tx.Query(ctx, "SELECT to_jsonb(u)::text FROM "+t.ident()+" AS u WHERE "+where, e.org)
	if err != nil {
		return fmt.Errorf("export %s: %w", t, err)
	}
	var row []byte
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&row}, func() error {
		n++
		e.w.Write(name)
		e.w.Write(row)
		_, err := e.w.WriteString("}\n")
		return err
	})
	if err != nil {
		return fmt.Errorf("export %s: %w", t, err)
	}
	if n > 0 {
		e.sum.Tables++
		e.sum.Rows += n
	}
	return nil
}

// blobs writes every blob the organization's rows reference, once each.
func (e *exporter) blobs(ctx context.Context, store blob.Store) error {
	var parts []string
	for _, t := range e.cat.blobCols {
		parts = append(parts, "SELECT blob_key FROM "+t.ident()+" WHERE organization_id = $1 AND blob_key IS NOT NULL")
	}
	if len(parts) == 0 {
		return nil
	}
	rows, err := e.tx.Query(ctx, strings.Join(parts, " UNION ")+" ORDER BY 1", e.org)
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	if len(keys) > 0 && store == nil {
		return fmt.Errorf("the organization's rows reference %d blobs and no blob store was given", len(keys))
	}
	for _, key := range keys {
		data, err := readBlob(ctx, store, key)
		if err != nil {
			return err
		}
		if err := e.json(record{Blob: key, Data: data}); err != nil {
			return err
		}
		e.sum.Blobs++
	}
	return nil
}

// readBlob reads one blob whole.
func readBlob(ctx context.Context, store blob.Store, key string) ([]byte, error) {
	r, _, err := store.Open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", key, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", key, err)
	}
	return data, nil
}

// json writes v as one line.
func (e *exporter) json(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	e.w.Write(b)
	if err := e.w.WriteByte('\n'); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}
