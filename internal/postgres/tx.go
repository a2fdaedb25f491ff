package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty"
)

// setContextSQL scopes the current transaction to an organization, a user and
// a request. is_local = true: the values vanish at commit or rollback, so a
// pooled connection (or PgBouncer in transaction mode) never carries one
// request's organization into the next.
const setContextSQL = ContextSQL

// ContextSQL is the statement that scopes a transaction: $1 organization id,
// $2 user id, $3 request id (empty strings for none). Exported for
// measurements that replay realty's SQL without it.
const ContextSQL = `SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('app.request_id', $3, true)`

func contextArgs(ctx context.Context, actor realty.Actor) []any {
	org, user := "", ""
	if !actor.OrgID.IsZero() {
		org = actor.OrgID.String()
	}
	if !actor.UserID.IsZero() {
		user = actor.UserID.String()
	}
	return []any{org, user, realty.RequestID(ctx)}
}

// Tx runs fn in one transaction scoped to actor's organization (row-level
// security shows and accepts only its rows), with the actor's user and the
// request id recorded for the audit trail. BEGIN and the scoping travel in one
// round trip. The transaction commits when fn returns nil and rolls back
// otherwise; the error returned is fn's (or the commit's), mapped by MapError.
// An actor without organization sees no organization-owned rows at all.
func Tx(ctx context.Context, pool *Pool, actor realty.Actor, fn func(pgx.Tx) error) error {
	b := &pgx.Batch{}
	b.BeginTx(pgx.TxOptions{})
	b.Queue(setContextSQL, contextArgs(ctx, actor)...)
	br := pool.SendBatch(ctx, b)
	tx := br.Tx()
	if err := br.Close(); err != nil {
		if tx != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
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
// round trip: the scoping and the query travel as one pipeline, which the
// server runs as one implicit transaction. scan consumes the rows; its error,
// or the query's, is returned mapped by MapError.
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
	b.Queue(setContextSQL, contextArgs(ctx, actor)...)
	queue(b)
	br := pool.SendBatch(ctx, b)
	_, err := br.Exec()
	if err == nil {
		err = read(br)
	}
	return MapError(errors.Join(err, br.Close()))
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
