package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
	"realty/internal/server"
)

// runMigrate applies (up), rolls back (down -n N), lists (status) or
// re-applies the newest (redo) migrations, or prints how the schema would be
// distributed on Citus (distribute --print), through the administrative URL.
func runMigrate(ctx context.Context, e env) error {
	if len(e.args) == 0 {
		return usageErr("want up, down, status, redo or distribute --print")
	}
	action := e.args[0]
	e.args = e.args[1:]
	fs := e.flags("migrate " + action)
	steps := fs.Int("n", 1, "how many migrations to roll back (down)")
	printSQL := fs.Bool("print", false, "print the SQL that distributes the schema on Citus (distribute)")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	log := server.NewLogger(e.stderr, cfg.LogFormat, cfg.LogLevel)
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "embedded PostgreSQL", db.close)
	m := postgres.NewMigrator(db.adminURL, log)
	switch action {
	case "up":
		return m.Up(ctx)
	case "down":
		if *steps < 1 {
			return usageErr("-n must be at least 1")
		}
		return m.Down(ctx, *steps)
	case "redo":
		return m.Redo(ctx)
	case "status":
		return printStatus(ctx, e, m)
	case "distribute":
		if !*printSQL {
			return usageErr("distribute: only --print is supported: migrate up runs this SQL itself on a Citus coordinator (docs/scale-out.md)")
		}
		return printDistribution(ctx, e, db.adminURL)
	}
	return usageErr("unknown action %q: want up, down, status, redo or distribute --print", action)
}

func printStatus(ctx context.Context, e env, m *postgres.Migrator) error {
	list, err := m.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tVERSION\tSTATE\tNAME")
	pending := 0
	for _, s := range list {
		state := "applied"
		if !s.Applied {
			state, pending = "pending", pending+1
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Line, s.Version, state, s.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d migrations, %d pending\n", len(list), pending)
	return nil
}

// printDistribution prints the SQL migrate up would run on a Citus
// coordinator besides the migrations (postgres.Citus): the bootstrap before
// them and the distribution after them, with a summary in SQL comments.
func printDistribution(ctx context.Context, e env, adminURL string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	plan, err := postgres.Citus(ctx, conn)
	if err != nil {
		return err
	}
	byColumn := map[string]int{}
	for _, t := range plan.Tables {
		byColumn[t.Column]++
	}
	fmt.Fprintf(e.stdout, "-- realty on Citus: organizations by id, %d tables by organization_id colocated with them, %d reference tables\n",
		byColumn["organization_id"], byColumn[""])
	fmt.Fprintln(e.stdout, "-- before the migrations (superuser, each statement in its own transaction):")
	for _, stmt := range plan.Before {
		fmt.Fprintln(e.stdout, stmt+";")
	}
	fmt.Fprintln(e.stdout, "-- after the migrations (tables Citus already holds are left out):")
	for _, stmt := range plan.After {
		fmt.Fprintln(e.stdout, strings.TrimSuffix(stmt, ";")+";")
	}
	return nil
}
