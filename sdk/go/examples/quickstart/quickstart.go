// Package quickstart is the SDK's worked example: sign in, page through the
// organization's listings by cursor, add a property, and read a refused
// request as a typed problem. cmd/quickstart runs it against a server; the
// main module's tests run it against one they start.
package quickstart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	openapi_types "github.com/oapi-codegen/runtime/types"

	realty "realty/sdk/go"
)

// Config says which server to use and who signs in.
type Config struct {
	URL          string // e.g. http://127.0.0.1:8080
	Email        string
	Password     string
	Organization string // slug; empty: the user's first
	PageSize     int64  // listings per page
	MaxPages     int    // pages to read at most
}

// Run walks through the SDK, writing what it does to w.
func Run(ctx context.Context, c Config, w io.Writer) error {
	anon, err := realty.NewClientWithResponses(c.URL)
	if err != nil {
		return err
	}
	login := realty.LoginInputBody{Email: openapi_types.Email(c.Email), Password: c.Password}
	if c.Organization != "" {
		login.Organization = &c.Organization
	}
	session, err := anon.LoginWithResponse(ctx, login)
	if err := realty.Check(session, err); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	if session.JSON200.Token == nil {
		return errors.New("sign in: two-factor authentication is on; this example does not answer it")
	}
	fmt.Fprintf(w, "signed in as %s\n", c.Email)

	client, err := realty.NewClientWithResponses(c.URL, realty.WithBearer(*session.JSON200.Token))
	if err != nil {
		return err
	}
	if err := pageListings(ctx, client, c, w); err != nil {
		return err
	}

	city := "Springfield"
	created, err := client.CreatePropertyWithResponse(ctx, realty.PropertyBody{
		AddressLine1: "742 Evergreen Terrace", City: city, Name: ptr("Quickstart house")})
	if err := realty.Check(created, err); err != nil {
		return fmt.Errorf("create property: %w", err)
	}
	fmt.Fprintf(w, "created property %q in %s (HTTP %d)\n", created.JSON201.Name, created.JSON201.City, created.StatusCode())

	// A page larger than the API allows is refused: a typed problem naming
	// the parameter.
	tooMany := int64(1000)
	refused, err := client.SearchListingsWithResponse(ctx, &realty.SearchListingsParams{Limit: &tooMany})
	err = realty.Check(refused, err)
	var p *realty.Problem
	if !errors.As(err, &p) {
		return fmt.Errorf("limit=1000: want a problem, got %v", err)
	}
	fmt.Fprintf(w, "limit=1000 refused: HTTP %d, type %s, fields:", p.StatusCode(), p.TypeURI())
	fields := p.Fields()
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, " %s (%s)", name, fields[name])
	}
	fmt.Fprintln(w)
	if p.TypeURI() != realty.ProblemInvalid {
		return fmt.Errorf("limit=1000: problem type %s, want %s", p.TypeURI(), realty.ProblemInvalid)
	}
	return nil
}

// pageListings reads the organization's listings a page at a time,
// following next_cursor.
func pageListings(ctx context.Context, client *realty.ClientWithResponses, c Config, w io.Writer) error {
	params := &realty.SearchListingsParams{Limit: &c.PageSize}
	for page := 1; page <= c.MaxPages; page++ {
		res, err := client.SearchListingsWithResponse(ctx, params)
		if err := realty.Check(res, err); err != nil {
			return fmt.Errorf("search listings: %w", err)
		}
		fmt.Fprintf(w, "listings page %d:", page)
		for _, l := range *res.JSON200.Items {
			fmt.Fprintf(w, " %s (%s)", l.ListingKey, l.ListPrice)
		}
		fmt.Fprintln(w)
		if res.JSON200.NextCursor == nil {
			fmt.Fprintln(w, "no more listings")
			return nil
		}
		params.Cursor = res.JSON200.NextCursor
	}
	fmt.Fprintf(w, "stopped after %d pages\n", c.MaxPages)
	return nil
}

func ptr[T any](v T) *T { return &v }
