package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Tx runs fn in one transaction scoped to actor's organization (row-level
// security shows and accepts only its rows), with the actor's user and the
// request id recorded for the audit trail (see scopeStatements). BEGIN and
// the scoping travel in one round trip. The transaction commits when fn
// returns nil and rolls back otherwise; the error returned is fn's (or the
// commit's), mapped by MapError.
// An actor without organization sees no organization-owned rows at all.
func Tx(ctx context.Context, pool *Pool, actor realty.Actor, fn func(pgx.Tx) error) error {
	// The begin query has no arguments, so pgx sends it as one simple-protocol
	// message: BEGIN and the scoping in one round trip, nothing prepared.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: "BEGIN; " + ScopeSQL(ctx, actor)})
	if err != nil {
		return MapError(fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return MapError(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return MapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Read runs one read-only query scoped to actor's organization in a single
// round trip: BEGIN, the scoping, the query and COMMIT travel as one
// pipeline (see readScoped; the query is prepared on the connection the
// first time). scan consumes the rows; its error, or the query's, is returned
// mapped by MapError.
func Read(ctx context.Context, pool *Pool, actor realty.Actor, scan func(pgx.Rows) error, sql string, args ...any) error {
	return ReadBatch(ctx, pool, actor, func(b *pgx.Batch) { b.Queue(sql, args...) }, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		err = scan(rows)
		rows.Close()
		return errors.Join(err, rows.Err())
	})
}

// ReadBatch runs several read-only queries scoped to actor's organization in
// one round trip, like Read: queue adds the queries, read consumes their
// results in order. Errors are mapped by MapError.
func ReadBatch(ctx context.Context, pool *Pool, actor realty.Actor, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	b := &pgx.Batch{}
	queue(b)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return MapError(err)
	}
	defer conn.Release()
	return MapError(readScoped(ctx, conn.Conn(), scopeStatements(ctx, actor), b, read))
}

// ReadAll runs a query with Read and collects every row into a T by column
// name (pgx.RowToStructByName).
func ReadAll[T any](ctx context.Context, pool *Pool, actor realty.Actor, sql string, args ...any) ([]T, error) {
	var out []T
	err := Read(ctx, pool, actor, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[T])
		return err
	}, sql, args...)
	return out, err
}
