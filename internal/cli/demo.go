package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"realty/internal/app"
	"realty/internal/fixture"
)

// loadDemo loads the demo organization into an empty database and prints
// its logins; on a database with data it says so and changes nothing.
func loadDemo(ctx context.Context, svc app.Services, stdout io.Writer, password, url string) error {
	o, err := fixture.Demo(ctx, svc, password)
	if errors.Is(err, fixture.ErrNotEmpty) {
		fmt.Fprintln(stdout, "demo: the database already holds data; serving it unchanged")
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "demo: loaded %q (slug %s). Sign in at %s with:\n", o.Organization.Name, o.Organization.Slug, url)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tEMAIL\tPASSWORD")
	for _, role := range fixture.DemoRoles {
		p := o.Personas[role]
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", role, p.Email, p.Password)
	}
	for _, email := range fixture.DemoAgentEmails(o.Organization.Slug) {
		fmt.Fprintf(tw, "  agent\t%s\t%s\n", email, o.Personas["owner"].Password)
	}
	return tw.Flush()
}
