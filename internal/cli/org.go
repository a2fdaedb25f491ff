package cli

import (
	"context"
	"fmt"

	"realty/internal/org"
)

// runOrg administers organizations: `realty org create --name N --slug S`
// creates one (without members: add its owner with `realty user create
// --role owner`) and prints its id; `org export` and `org import` move one
// between servers (orgexport.go).
func runOrg(ctx context.Context, e env) error {
	if len(e.args) > 0 && e.args[0] == "rate-limit" {
		e.args = e.args[1:]
		return runOrgRateLimit(ctx, e)
	}
	if len(e.args) > 0 && e.args[0] == "export" {
		e.args = e.args[1:]
		return runOrgExport(ctx, e)
	}
	if len(e.args) > 0 && e.args[0] == "import" {
		e.args = e.args[1:]
		return runOrgImport(ctx, e)
	}
	if len(e.args) == 0 || e.args[0] != "create" {
		return usageErr("want: org create --name NAME --slug SLUG, org rate-limit --org SLUG --per-minute N, " +
			"org export --org SLUG [--out FILE] or org import [--in FILE]")
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

// runOrgRateLimit sets an organization's own rate limit, `realty org
// rate-limit --org SLUG --per-minute N` (0: back to the server's default,
// REALTY_RATE_LIMIT_PER_MINUTE), or prints it without --per-minute. Running
// servers see a change within a minute.
func runOrgRateLimit(ctx context.Context, e env) error {
	fs := e.flags("org rate-limit")
	slug := fs.String("org", "", "organization slug (required)")
	perMinute := fs.Int("per-minute", -1, "requests a minute per credential; 0: the server's default")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if *slug == "" {
		return usageErr("--org is required")
	}
	s, err := openSession(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer s.close()
	orgID, err := orgBySlug(ctx, s.db.adminURL, *slug)
	if err != nil {
		return err
	}
	if *perMinute >= 0 {
		var limit *int
		if *perMinute > 0 {
			limit = perMinute
		}
		if err := s.svc.Org.SetRateLimit(ctx, orgID, limit, nil); err != nil {
			return err
		}
	}
	limit, err := s.svc.Org.RateLimit(ctx, orgID)
	if err != nil {
		return err
	}
	if limit == nil {
		fmt.Fprintf(e.stdout, "%s: the server's default (REALTY_RATE_LIMIT_PER_MINUTE)\n", *slug)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: %d requests a minute per credential\n", *slug, *limit)
	return nil
}
