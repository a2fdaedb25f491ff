package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"realty/internal/postgres"
	"realty/internal/server"
)

// runMigrate applies (up), rolls back (down -n N), lists (status) or
// re-applies the newest (redo) migrations, through the administrative URL.
func runMigrate(ctx context.Context, e env) error {
	if len(e.args) == 0 {
		return usageErr("want up, down, status or redo")
	}
	action := e.args[0]
	e.args = e.args[1:]
	fs := e.flags("migrate " + action)
	steps := fs.Int("n", 1, "how many migrations to roll back (down)")
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
	}
	return usageErr("unknown action %q: want up, down, status or redo", action)
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
