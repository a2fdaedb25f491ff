package problem_test

import (
	"errors"
	"fmt"
	"net/http"
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
