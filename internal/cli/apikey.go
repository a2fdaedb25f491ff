package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"realty"
	"realty/internal/identity"
)

// runAPIKey creates an API key for an organization as its operator (no
// member made it, so it lives until revoked or expired) and prints the key,
// which is shown only once.
func runAPIKey(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "create" {
		return usageErr("want: apikey create --org SLUG --name NAME --permissions P,P")
	}
	e.args = e.args[1:]
	fs := e.flags("apikey create")
	slug := fs.String("org", "", "organization slug (required)")
	name := fs.String("name", "", "what the key is for (required)")
	perms := fs.String("permissions", "", "comma-separated permissions, e.g. listing.read (required)")
	ttl := fs.Duration("expires-in", 0, "expire after this long (default: never)")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if *slug == "" || *name == "" || *perms == "" {
		return usageErr("--org, --name and --permissions are required")
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
	in := identity.NewAPIKey{Name: *name, Permissions: splitList(*perms)}
	if *ttl > 0 {
		at := time.Now().Add(*ttl)
		in.ExpiresAt = &at
	}
	if err := checkCatalog(s, in.Permissions); err != nil {
		return err
	}
	k, key, err := s.svc.Identity.CreateAPIKey(ctx, realty.System(orgID), in, identity.Client{UserAgent: "realty cli"})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", key)
	fmt.Fprintf(e.stderr, "API key %s (%s) for %s: %v — shown only now\n", k.ID, k.Prefix, *slug, k.Permissions)
	return nil
}

// checkCatalog refuses permissions realty does not know.
func checkCatalog(s *session, perms []string) error {
	known := map[string]bool{}
	for _, p := range s.svc.Org.Permissions() {
		known[p.Name] = true
	}
	for _, p := range perms {
		if !known[p] {
			return realty.FieldError("permissions", "unknown permission "+p)
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
