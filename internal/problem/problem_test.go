package problem_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"realty"
	"realty/internal/problem"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{realty.FieldError("name", "is required"), http.StatusUnprocessableEntity},
		{&realty.Error{Kind: realty.NotFound}, http.StatusNotFound},
		{fmt.Errorf("wrapped: %w", &realty.Error{Kind: realty.Conflict}), http.StatusConflict},
		{&realty.Error{Kind: realty.Unauthenticated}, http.StatusUnauthorized},
		{&realty.Error{Kind: realty.Forbidden}, http.StatusForbidden},
		{&realty.Error{Kind: realty.RateLimited}, http.StatusTooManyRequests},
		{&realty.Error{Kind: realty.Unavailable}, http.StatusServiceUnavailable},
		{&realty.Error{Kind: realty.Internal}, http.StatusInternalServerError},
		{errors.New("pq: something broke"), http.StatusInternalServerError},
		{fmt.Errorf("read form: %w", &http.MaxBytesError{Limit: 10}), http.StatusRequestEntityTooLarge},
		{&realty.Error{Kind: "unheard_of"}, http.StatusInternalServerError},
	} {
		if got := problem.Status(tc.err); got != tc.want {
			t.Errorf("Status(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestTypes holds the problem types to one URI per status and per kind,
// every kind of realty.Error among them, each URI under /problems/.
func TestTypes(t *testing.T) {
	t.Parallel()
	uris, statuses, kinds := map[string]bool{}, map[int]bool{}, map[realty.Kind]bool{}
	for _, ty := range problem.Types {
		if uris[ty.URI] || statuses[ty.Status] || (ty.Kind != "" && kinds[ty.Kind]) {
			t.Errorf("%+v repeats a URI, status or kind", ty)
		}
		uris[ty.URI], statuses[ty.Status], kinds[ty.Kind] = true, true, true
		if !strings.HasPrefix(ty.URI, "/problems/") || ty.When == "" {
			t.Errorf("%+v: URI not under /problems/ or no description", ty)
		}
		if ty.Kind != "" && problem.Status(&realty.Error{Kind: ty.Kind}) != ty.Status {
			t.Errorf("%s: status %d, but Status says %d", ty.Kind, ty.Status, problem.Status(&realty.Error{Kind: ty.Kind}))
		}
		if problem.TypeURI(ty.Status) != ty.URI {
			t.Errorf("TypeURI(%d) = %q, want %q", ty.Status, problem.TypeURI(ty.Status), ty.URI)
		}
	}
	for _, k := range []realty.Kind{realty.Invalid, realty.NotFound, realty.Conflict, realty.Unauthenticated,
		realty.Forbidden, realty.RateLimited, realty.Unavailable, realty.Internal} {
		if !kinds[k] {
			t.Errorf("kind %s has no problem type", k)
		}
	}
	if got := problem.TypeURI(http.StatusTeapot); got != "about:blank" {
		t.Errorf("TypeURI(418) = %q", got)
	}
}
