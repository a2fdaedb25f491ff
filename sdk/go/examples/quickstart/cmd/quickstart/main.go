// Command quickstart runs the SDK example against a realty server, e.g.
//
//	realty serve --demo --demo-password secret-pass
//	go run ./examples/quickstart/cmd/quickstart -email owner@demo.example -password secret-pass
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"realty/sdk/go/examples/quickstart"
)

func main() {
	var c quickstart.Config
	flag.StringVar(&c.URL, "url", "http://127.0.0.1:8080", "the realty server")
	flag.StringVar(&c.Email, "email", "", "who signs in")
	flag.StringVar(&c.Password, "password", os.Getenv("REALTY_PASSWORD"), "their password (default $REALTY_PASSWORD)")
	flag.StringVar(&c.Organization, "org", "", "organization slug (default: the user's first)")
	flag.Int64Var(&c.PageSize, "page-size", 2, "listings per page")
	flag.IntVar(&c.MaxPages, "pages", 3, "pages of listings to read at most")
	flag.Parse()
	if err := quickstart.Run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}
