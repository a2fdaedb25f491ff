// Command realty runs a real-estate business on PostgreSQL: see README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"realty/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
