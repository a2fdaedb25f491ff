package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// A scoped read travels as one pipeline, written to the server at once:
//
//	BEGIN; SET LOCAL ×3 (unnamed statements, never prepared);
//	the queries; COMMIT; Sync
//
// BEGIN, COMMIT and the queries are prepared statements, cached per
// connection (statementCache). pgx's own statement cache is not reachable
// from outside pgx, so scoped reads keep theirs beside it.
//
// pgx's Batch cannot carry it: a batch runs every query in the connection's
// exec mode, and in realty's (cached statements) each new SQL text is
// prepared in a round trip of its own and kept, so statements whose text
// holds an organization and a request id would cost two round trips and
// fill the cache with one entry per value.
//
// The explicit BEGIN matters on Citus: outside a transaction block (an
// implicit pipeline transaction) PostgreSQL applies SET LOCAL but warns that
// it is outside a transaction block, and Citus propagates SET LOCAL only
// within one.

// readScoped runs b's queries on conn in one transaction scoped by scope, in
// one round trip once the queries are prepared on conn. read consumes the
// queries' results in order; results it leaves are discarded. A failed read
// is rolled back, so the connection goes back to its pool idle (the pool
// closes a connection left in a transaction).
func readScoped(ctx context.Context, conn *pgx.Conn, scope []string, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	if err := rewriteQueries(ctx, conn, b); err != nil {
		return err
	}
	sqls := make([]string, 2, 2+len(b.QueuedQueries))
	sqls[0], sqls[1] = "BEGIN", "COMMIT"
	for _, q := range b.QueuedQueries {
		sqls = append(sqls, q.SQL)
	}
	pg := conn.PgConn()
	stmts := statementsOf(pg)
	sds, err := stmts.statements(ctx, pg, sqls)
	if err != nil {
		return err
	}
	begin, commit, sds := sds[0], sds[1], sds[2:]
	eqbs := make([]pgx.ExtendedQueryBuilder, len(sds))
	for i, sd := range sds {
		if err := eqbs[i].Build(conn.TypeMap(), sd, b.QueuedQueries[i].Arguments); err != nil {
			return fmt.Errorf("query %d arguments: %w", i+1, err)
		}
	}
	p := pg.StartPipeline(ctx)
	p.SendQueryStatement(begin, nil, nil, nil)
	for _, s := range scope {
		p.SendQueryParams(s, nil, nil, nil, nil)
	}
	for i, sd := range sds {
		p.SendQueryStatement(sd, eqbs[i].ParamValues, eqbs[i].ParamFormats, eqbs[i].ResultFormats)
	}
	p.SendQueryStatement(commit, nil, nil, nil)
	br := &scopedResults{conn: conn, pipeline: p, n: len(sds)}
	br.err = p.Sync()
	for range 1 + len(scope) {
		if br.err == nil {
			br.err = br.skip()
		}
	}
	if br.err == nil {
		br.err = read(br)
	}
	if err = br.Close(); err != nil {
		// As pgx does after a failed batch: the statements may be stale (a
		// changed table), so they are prepared again next time.
		for _, sd := range sds {
			stmts.invalidate(sd.SQL)
		}
		rollback(ctx, pg)
	}
	return err
}

// rewriteQueries applies named arguments (and any other query rewriter given
// as a query's first argument) as pgx's batches apply them.
func rewriteQueries(ctx context.Context, conn *pgx.Conn, b *pgx.Batch) error {
	for i, q := range b.QueuedQueries {
		if len(q.Arguments) == 0 {
			continue
		}
		if rw, ok := q.Arguments[0].(pgx.QueryRewriter); ok {
			sql, args, err := rw.RewriteQuery(ctx, conn, q.SQL, q.Arguments[1:])
			if err != nil {
				return fmt.Errorf("query %d: rewrite: %w", i+1, err)
			}
			q.SQL, q.Arguments = sql, args
		}
	}
	return nil
}

// rollback ends the failed transaction a read may leave open (an error
// inside the pipeline skips its COMMIT). If that fails too the connection is
// closed, and its pool replaces it.
func rollback(ctx context.Context, pg *pgconn.PgConn) {
	if pg.IsClosed() || pg.TxStatus() == 'I' {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if _, err := pg.Exec(ctx, "ROLLBACK").ReadAll(); err != nil || pg.TxStatus() != 'I' {
		_ = pg.Close(ctx)
	}
}

// scopedResults are the results of a scoped read's queries, as
// pgx.BatchResults.
type scopedResults struct {
	conn     *pgx.Conn
	pipeline *pgconn.Pipeline
	n, next  int // queries, and the next one to read
	last     pgx.Rows
	err      error
	closed   bool
}

// skip reads and discards one result.
func (br *scopedResults) skip() error {
	res, err := br.pipeline.GetResults()
	if err != nil {
		return err
	}
	rr, ok := res.(*pgconn.ResultReader)
	if !ok {
		return fmt.Errorf("unexpected pipeline result %T", res)
	}
	_, err = rr.Close()
	return err
}

func (br *scopedResults) result() (*pgconn.ResultReader, error) {
	if br.last != nil {
		br.last.Close()
		if err := br.last.Err(); err != nil && br.err == nil {
			br.err = err
		}
		br.last = nil
	}
	switch {
	case br.err != nil:
		return nil, br.err
	case br.closed:
		return nil, errors.New("batch already closed")
	case br.next >= br.n:
		return nil, errors.New("no more results in batch")
	}
	br.next++
	res, err := br.pipeline.GetResults()
	if err != nil {
		br.err = err
		return nil, err
	}
	rr, ok := res.(*pgconn.ResultReader)
	if !ok {
		br.err = fmt.Errorf("unexpected pipeline result %T", res)
		return nil, br.err
	}
	return rr, nil
}

func (br *scopedResults) Exec() (pgconn.CommandTag, error) {
	rr, err := br.result()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := rr.Close()
	if err != nil {
		br.err = err
	}
	return tag, err
}

func (br *scopedResults) Query() (pgx.Rows, error) {
	rr, err := br.result()
	if err != nil {
		return errRows{err}, err
	}
	br.last = connRows{pgx.RowsFromResultReader(br.conn.TypeMap(), rr), br.conn}
	return br.last, nil
}

func (br *scopedResults) QueryRow() pgx.Row {
	rows, err := br.Query()
	return scopedRow{rows, err}
}

// Close reads what is left, COMMIT included, and ends the pipeline.
func (br *scopedResults) Close() error {
	if br.closed {
		return br.err
	}
	for br.err == nil && br.next < br.n {
		_, _ = br.Exec()
	}
	if br.last != nil {
		br.last.Close()
		if err := br.last.Err(); err != nil && br.err == nil {
			br.err = err
		}
		br.last = nil
	}
	if br.err == nil {
		br.err = br.skip() // COMMIT
	}
	br.closed = true
	if err := br.pipeline.Close(); br.err == nil {
		br.err = err
	}
	return br.err
}

func (br *scopedResults) Tx() pgx.Tx { return nil }

// scopedRow is a query's first row, as pgx.Row.
type scopedRow struct {
	rows pgx.Rows
	err  error
}

func (r scopedRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// connRows are rows read from conn's pipeline; Conn returns conn, as pgx's
// own rows do (its type map decodes raw values).
type connRows struct {
	pgx.Rows
	conn *pgx.Conn
}

func (r connRows) Conn() *pgx.Conn { return r.conn }

// errRows are the rows of a query that could not be read.
type errRows struct{ err error }

func (r errRows) Close()                                       {}
func (r errRows) Err() error                                   { return r.err }
func (r errRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (r errRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (r errRows) Next() bool                                   { return false }
func (r errRows) Scan(...any) error                            { return r.err }
func (r errRows) Values() ([]any, error)                       { return nil, r.err }
func (r errRows) RawValues() [][]byte                          { return nil }
func (r errRows) Conn() *pgx.Conn                              { return nil }
func (r errRows) TypeMap() *pgtype.Map                         { return nil }
