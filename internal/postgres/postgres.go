// Package postgres opens realty's connection pool, runs organization-scoped
// transactions, maps PostgreSQL errors to realty errors, and migrates the
// schema. Domain packages compose their SQL on top of it.
package postgres

import (
	"context"
	"fmt"
	"runtime"
	"time"

	pgxdecimal "github.com/jackc/pgx-shopspring-decimal"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is what query functions take: the pool or a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

var (
	_ DB = (*pgxpool.Pool)(nil)
	_ DB = (pgx.Tx)(nil)
)

// Pool is the runtime connection pool.
type Pool = pgxpool.Pool

// DefaultPoolSize is twice the usable cores: on small machines a pool that
// size beat larger ones on both throughput and tail latency.
func DefaultPoolSize() int { return 2 * runtime.GOMAXPROCS(0) }

// ConnectTimeout bounds one connection attempt of the pool when the
// database URL sets no connect_timeout.
const ConnectTimeout = 5 * time.Second

// OpenPool connects a pool of at most size connections (DefaultPoolSize when
// size ≤ 0) with prepared statements cached per connection and realty's types
// registered. A connection attempt gives up after ConnectTimeout unless
// the URL sets connect_timeout, so a request meets a database that does not
// answer with a 503, not a hang. It returns an error when the server cannot
// be reached.
func OpenPool(ctx context.Context, url string, size int) (*Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	if size <= 0 {
		size = DefaultPoolSize()
	}
	cfg.MaxConns = int32(size)
	cfg.MaxConnIdleTime = 5 * time.Minute
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
		pgxdecimal.Register(conn.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %w", cfg.ConnConfig.Host, err)
	}
	return pool, nil
}

// CheckRuntimeRole refuses a runtime connection whose role would bypass
// row-level security (a superuser or a BYPASSRLS role): realty's isolation
// between organizations depends on it.
func CheckRuntimeRole(ctx context.Context, db DB) error {
	var name string
	var super, bypass bool
	err := db.QueryRow(ctx, `SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).
		Scan(&name, &super, &bypass)
	if err != nil {
		return fmt.Errorf("check runtime role: %w", err)
	}
	if super || bypass {
		return fmt.Errorf("runtime database role %q bypasses row-level security (superuser or BYPASSRLS): "+
			"connect as realty_app (see docs/operations.md)", name)
	}
	return nil
}
