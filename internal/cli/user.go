package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"realty"
	"realty/internal/identity"
)

// runUser administers users: `realty user create` and `realty user
// reset-password`.
func runUser(ctx context.Context, e env) error {
	if len(e.args) == 0 {
		return usageErr("want: user create | user reset-password")
	}
	action := e.args[0]
	e.args = e.args[1:]
	switch action {
	case "create":
		return userCreate(ctx, e)
	case "reset-password":
		return userResetPassword(ctx, e)
	}
	return usageErr("unknown action %q: want create or reset-password", action)
}

// userCreate creates a user (or takes the existing one with that email) and
// makes them a member of the organization with the role. The password comes
// from stdin with --password-stdin, else is generated and printed.
func userCreate(ctx context.Context, e env) error {
	fs := e.flags("user create")
	email := fs.String("email", "", "email address (required)")
	slug := fs.String("org", "", "organization slug (required)")
	role := fs.String("role", "", "role key, e.g. owner, agent (required)")
	first := fs.String("first-name", "", "first name")
	last := fs.String("last-name", "", "last name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if *email == "" || *slug == "" || *role == "" {
		return usageErr("--email, --org and --role are required")
	}
	password, generated, err := e.password(*fromStdin)
	if err != nil {
		return err
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
	u, err := s.svc.Identity.CreateUser(ctx, identity.NewUser{Email: *email, Password: password, FirstName: *first, LastName: *last})
	existing := realty.KindOf(err) == realty.Conflict
	if existing {
		u, err = s.svc.Identity.UserByEmail(ctx, *email)
	}
	if err != nil {
		return err
	}
	if _, err := s.svc.Org.AddMember(ctx, realty.System(orgID), u.ID, *role, ""); err != nil {
		return err
	}
	switch {
	case existing:
		fmt.Fprintf(e.stdout, "existing user %s (%s) is now %s of %s; their password is unchanged\n", u.Email, u.ID, *role, *slug)
	case generated:
		fmt.Fprintf(e.stdout, "user %s (%s) is %s of %s\npassword: %s\n", u.Email, u.ID, *role, *slug, password)
	default:
		fmt.Fprintf(e.stdout, "user %s (%s) is %s of %s\n", u.Email, u.ID, *role, *slug)
	}
	return nil
}

// userResetPassword sets a new password (from stdin, or generated and
// printed) and signs the user out everywhere.
func userResetPassword(ctx context.Context, e env) error {
	fs := e.flags("user reset-password")
	email := fs.String("email", "", "email address (required)")
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of stdin")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if *email == "" {
		return usageErr("--email is required")
	}
	password, generated, err := e.password(*fromStdin)
	if err != nil {
		return err
	}
	s, err := openSession(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer s.close()
	if _, err := s.svc.Identity.ResetPassword(ctx, *email, password); err != nil {
		return err
	}
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n", password)
	}
	fmt.Fprintf(e.stdout, "password of %s reset; every session signed out\n", *email)
	return nil
}

// password reads one from stdin, or generates one (generated = true).
func (e env) password(fromStdin bool) (string, bool, error) {
	if !fromStdin {
		return identity.GeneratePassword(), true, nil
	}
	in := e.stdin
	if in == nil {
		in = os.Stdin
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	p := strings.TrimRight(line, "\r\n")
	if err := identity.CheckPassword("password", p); err != nil {
		return "", false, err
	}
	return p, false, nil
}
