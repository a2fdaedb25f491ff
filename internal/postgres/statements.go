package postgres

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// readStatementCapacity bounds the statements prepared for scoped reads on
// one connection; the least recently used is deallocated beyond it.
const readStatementCapacity = 256

// statementCache is one connection's prepared statements for scoped reads,
// kept in the connection's CustomData (a connection is used by one
// goroutine at a time, so it needs no lock, and it goes away with the
// connection).
type statementCache struct {
	bySQL   map[string]*list.Element // of *pgconn.StatementDescription
	order   list.List                // most recently used first
	invalid []string                 // evicted or invalidated, to deallocate
}

// statementsOf returns pg's statement cache, made on first use.
func statementsOf(pg *pgconn.PgConn) *statementCache {
	const key = "realty.readStatements"
	c, _ := pg.CustomData()[key].(*statementCache)
	if c == nil {
		c = &statementCache{bySQL: map[string]*list.Element{}}
		pg.CustomData()[key] = c
	}
	return c
}

// get returns sql's statement, or nil if it is not prepared.
func (c *statementCache) get(sql string) *pgconn.StatementDescription {
	e, ok := c.bySQL[sql]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*pgconn.StatementDescription)
}

// put adds a prepared statement, evicting the least recently used beyond
// capacity.
func (c *statementCache) put(sd *pgconn.StatementDescription) {
	c.bySQL[sd.SQL] = c.order.PushFront(sd)
	for c.order.Len() > readStatementCapacity {
		c.invalidate(c.order.Back().Value.(*pgconn.StatementDescription).SQL)
	}
}

// invalidate drops sql's statement; the next preparation deallocates it.
func (c *statementCache) invalidate(sql string) {
	if e, ok := c.bySQL[sql]; ok {
		c.order.Remove(e)
		delete(c.bySQL, sql)
		c.invalid = append(c.invalid, e.Value.(*pgconn.StatementDescription).Name)
	}
}

// statements returns the prepared statement of each SQL text, preparing the
// missing ones in one round trip, which also deallocates the statements
// evicted or invalidated since the last.
func (c *statementCache) statements(ctx context.Context, pg *pgconn.PgConn, sqls []string) ([]*pgconn.StatementDescription, error) {
	sds := make([]*pgconn.StatementDescription, len(sqls))
	var missing []*pgconn.StatementDescription
	for i, sql := range sqls {
		if sds[i] = c.get(sql); sds[i] != nil {
			continue
		}
		for _, sd := range missing {
			if sd.SQL == sql {
				sds[i] = sd
			}
		}
		if sds[i] == nil {
			sds[i] = &pgconn.StatementDescription{Name: statementName(sql), SQL: sql}
			missing = append(missing, sds[i])
		}
	}
	if len(missing) == 0 {
		return sds, nil
	}
	if err := prepare(ctx, pg, c.invalid, missing); err != nil {
		return nil, err
	}
	c.invalid = c.invalid[:0]
	for _, sd := range missing {
		c.put(sd)
	}
	return sds, nil
}

// prepare deallocates the invalid statements and prepares the missing ones,
// filling in their descriptions, in one round trip. When a statement fails
// to prepare, those that did are deallocated again (a second round trip),
// or the connection is closed if even that fails.
func prepare(ctx context.Context, pg *pgconn.PgConn, invalid []string, missing []*pgconn.StatementDescription) error {
	p := pg.StartPipeline(ctx)
	for _, name := range invalid {
		p.SendDeallocate(name)
	}
	for _, sd := range missing {
		p.SendPrepare(sd.Name, sd.SQL, nil)
	}
	err := p.Sync()
	for range invalid {
		if err == nil {
			_, err = p.GetResults()
		}
	}
	for _, sd := range missing {
		if err != nil {
			break
		}
		var res any
		if res, err = p.GetResults(); err == nil {
			got, ok := res.(*pgconn.StatementDescription)
			if !ok {
				err = fmt.Errorf("unexpected pipeline result %T", res)
				break
			}
			sd.ParamOIDs, sd.Fields = got.ParamOIDs, got.Fields
		}
	}
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err == nil || pg.IsClosed() {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	p = pg.StartPipeline(ctx)
	for _, sd := range missing {
		p.SendDeallocate(sd.Name)
	}
	if errors.Join(p.Sync(), p.Close()) != nil {
		_ = pg.Close(ctx)
	}
	return err
}

// statementName is the server-side name of sql's statement. pgx names its
// own statements stmtcache_… and stmt_…, so these never collide with them.
func statementName(sql string) string {
	sum := sha256.Sum256([]byte(sql))
	return "realty_read_" + hex.EncodeToString(sum[:16])
}
