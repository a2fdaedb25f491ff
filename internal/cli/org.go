package cli

import (
	"context"
	"fmt"

	"realty/internal/org"
)

// runOrg administers organizations: `realty org create --name N --slug S`
// creates one (without members: add its owner with `realty user create
// --role owner`) and prints its id.
func runOrg(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "create" {
		return usageErr("want: org create --name NAME --slug SLUG")
	}
	e.args = e.args[1:]
	fs := e.flags("org create")
	var in org.NewOrganization
	fs.StringVar(&in.Name, "name", "", "organization name (required)")
	fs.StringVar(&in.Slug, "slug", "", "unique slug: lower-case letters, digits, dashes (required)")
	fs.StringVar(&in.Kind, "kind", "brokerage", "brokerage, property_manager or both")
	fs.StringVar(&in.TimeZone, "time-zone", "UTC", "IANA time zone")
	fs.StringVar(&in.Currency, "currency", "USD", "ISO 4217 currency")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if in.Name == "" || in.Slug == "" {
		return usageErr("--name and --slug are required")
	}
	s, err := openSession(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer s.close()
	o, err := s.svc.Org.ProvisionOrganization(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, o.ID)
	return nil
}
