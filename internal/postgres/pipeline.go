package postgres

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// A scoped read travels as one pipeline, written to the server at once:
//
//	BEGIN; SET LOCAL ×3 (unnamed statements, never prepared);
//	the queries; COMMIT; Sync
//
// BEGIN, the queries and COMMIT are prepared statements, cached per
// connection.
//
// pgx's Batch cannot carry it: a batch runs every query in the connection's
// exec mode, and in realty's (cached statements) each new SQL text is
// prepared in a round trip of its own and kept, so statements whose text
// holds an organization and a request id would cost two round trips and
// fill the cache with one entry per value. Here only the queries are
// prepared, with their own small cache per connection; the scoping
// statements are sent as unnamed statements.
//
// The explicit BEGIN matters on Citus: outside a transaction block (an
// implicit pipeline transaction) PostgreSQL applies SET LOCAL but warns that
// it is outside a transaction block, and Citus propagates SET LOCAL only
// within one.

// readStatementCapacity bounds the statements prepared for scoped reads on
// one connection; the least recently used is deallocated beyond it.
const readStatementCapacity = 256

// readStatements are the prepared statements of scoped reads, per
// connection. An entry whose connection has closed is dropped when a new
// connection is added.
var readStatements = struct {
	sync.Mutex
	conns map[*pgconn.PgConn]*statementLRU
}{conns: map[*pgconn.PgConn]*statementLRU{}}

// statementLRU is one connection's prepared statements by SQL text. A
// connection is used by one goroutine at a time, so it needs no lock.
type statementLRU struct {
	bySQL map[string]*list.Element // of *pgconn.StatementDescription
	order list.List                // most recently used first
}

func statementsOf(conn *pgconn.PgConn) *statementLRU {
	readStatements.Lock()
	defer readStatements.Unlock()
	c := readStatements.conns[conn]
	if c == nil {
		for other := range readStatements.conns {
			if other.IsClosed() {
				delete(readStatements.conns, other)
			}
		}
		c = &statementLRU{bySQL: map[string]*list.Element{}}
		readStatements.conns[conn] = c
	}
	return c
}

// statementName is the server-side name of sql's statement; pgx's own
// statements are named stmtcache_… and stmt_…, so they never collide.
func statementName(sql string) string {
	sum := sha256.Sum256([]byte(sql))
	return "realty_read_" + hex.EncodeToString(sum[:16])
}

// prepare returns the statement of each SQL text, preparing those the
// connection does not have yet (one round trip, together with deallocating
// the statements they push out of the cache).
func (c *statementLRU) prepare(ctx context.Context, conn *pgconn.PgConn, sqls []string) ([]*pgconn.StatementDescription, error) {
	sds := make([]*pgconn.StatementDescription, len(sqls))
	var missing []int
	for i, sql := range sqls {
		if e, ok := c.bySQL[sql]; ok {
			c.order.MoveToFront(e)
			sds[i] = e.Value.(*pgconn.StatementDescription)
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return sds, nil
	}
	var evicted []string
	for c.order.Len() > 0 && c.order.Len()+len(missing) > readStatementCapacity {
		e := c.order.Back()
		sd := c.order.Remove(e).(*pgconn.StatementDescription)
		delete(c.bySQL, sd.SQL)
		evicted = append(evicted, sd.Name)
	}
	p := conn.StartPipeline(ctx)
	for _, name := range evicted {
		p.SendDeallocate(name)
	}
	var sent []string // in order: the pipeline's descriptions carry no SQL
	for _, i := range missing {
		if sql := sqls[i]; !slices.Contains(sent, sql) {
			sent = append(sent, sql)
			p.SendPrepare(statementName(sql), sql, nil)
		}
	}
	err := p.Sync()
	prepared := map[string]*pgconn.StatementDescription{}
	for err == nil {
		var res any
		res, err = p.GetResults()
		if sd, ok := res.(*pgconn.StatementDescription); ok && len(prepared) < len(sent) {
			sd.SQL = sent[len(prepared)]
			sd.Name = statementName(sd.SQL)
			prepared[sd.SQL] = sd
		}
		if _, ok := res.(*pgconn.PipelineSync); ok {
			break
		}
	}
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A statement whose Parse succeeded may exist on the server; drop
		// them all so a retry can prepare them again.
		c.forget(ctx, conn, false, missingNames(sqls, missing))
		return nil, err
	}
	for _, i := range missing {
		sd := prepared[sqls[i]]
		if sd == nil {
			return nil, fmt.Errorf("prepare: no statement description for %q", sqls[i])
		}
		if _, ok := c.bySQL[sd.SQL]; !ok {
			c.bySQL[sd.SQL] = c.order.PushFront(sd)
		}
		sds[i] = sd
	}
	return sds, nil
}

func missingNames(sqls []string, missing []int) []string {
	names := make([]string, len(missing))
	for k, i := range missing {
		names[k] = statementName(sqls[i])
	}
	return names
}

// forget drops statements from the cache and the server, rolling back a
// failed transaction first when rollback is set (one round trip). Errors
// close the connection, which the pool then replaces.
func (c *statementLRU) forget(ctx context.Context, conn *pgconn.PgConn, rollback bool, names []string) {
	if conn.IsClosed() {
		return
	}
	for _, name := range names {
		for sql, e := range c.bySQL {
			if e.Value.(*pgconn.StatementDescription).Name == name {
				c.order.Remove(e)
				delete(c.bySQL, sql)
			}
		}
	}
	ctx = context.WithoutCancel(ctx)
	p := conn.StartPipeline(ctx)
	if rollback {
		p.SendQueryParams("ROLLBACK", nil, nil, nil, nil)
	}
	for _, name := range names {
		p.SendDeallocate(name)
	}
	if err := errors.Join(p.Sync(), p.Close()); err != nil {
		_ = conn.Close(ctx)
	}
}

// readScoped runs b's queries on conn in one transaction scoped by scope, in
// one round trip once the queries are prepared on conn. read consumes the
// queries' results in order; results it leaves are discarded.
func readScoped(ctx context.Context, conn *pgx.Conn, scope [3]string, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	// Named arguments (and any other query rewriter given as the first
	// argument) are applied as pgx's batches apply them.
	for i, q := range b.QueuedQueries {
		if len(q.Arguments) > 0 {
			if rw, ok := q.Arguments[0].(pgx.QueryRewriter); ok {
				sql, args, err := rw.RewriteQuery(ctx, conn, q.SQL, q.Arguments[1:])
				if err != nil {
					return fmt.Errorf("query %d: rewrite: %w", i+1, err)
				}
				q.SQL, q.Arguments = sql, args
			}
		}
	}
	pg := conn.PgConn()
	stmts := statementsOf(pg)
	// BEGIN and COMMIT are prepared like the queries (parsed once per
	// connection); only the scoping statements are parsed every time.
	sqls := make([]string, 2, 2+len(b.QueuedQueries))
	sqls[0], sqls[1] = "BEGIN", "COMMIT"
	for _, q := range b.QueuedQueries {
		sqls = append(sqls, q.SQL)
	}
	sds, err := stmts.prepare(ctx, pg, sqls)
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
	p.SendQueryPrepared(begin.Name, nil, nil, nil)
	for _, s := range scope {
		p.SendQueryParams(s, nil, nil, nil, nil)
	}
	for i, sd := range sds {
		p.SendQueryStatement(sd, eqbs[i].ParamValues, eqbs[i].ParamFormats, eqbs[i].ResultFormats)
	}
	p.SendQueryPrepared(commit.Name, nil, nil, nil)
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
	err = br.Close()
	if err != nil {
		var pgErr *pgconn.PgError
		var names []string
		if errors.As(err, &pgErr) {
			// The statement may be stale (a changed table): prepare it
			// again next time.
			for _, sd := range sds {
				names = append(names, sd.Name)
			}
		}
		if rollback := pg.TxStatus() != 'I'; rollback || len(names) > 0 {
			stmts.forget(ctx, pg, rollback, names)
		}
	}
	return err
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
