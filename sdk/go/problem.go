package realty

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// The problem types realty answers: the "type" member of its problem+json
// errors, one per kind of failure. They are relative references, compared
// as they are (docs/api.md has the table).
const (
	ProblemInvalid              = "/problems/invalid"                // 422: a field is refused; Fields names it
	ProblemNotFound             = "/problems/not-found"              // 404
	ProblemConflict             = "/problems/conflict"               // 409
	ProblemUnauthenticated      = "/problems/unauthenticated"        // 401
	ProblemForbidden            = "/problems/forbidden"              // 403
	ProblemRateLimited          = "/problems/rate-limited"           // 429
	ProblemUnavailable          = "/problems/unavailable"            // 503: retry after Retry-After
	ProblemInternal             = "/problems/internal"               // 500
	ProblemMalformed            = "/problems/malformed"              // 400
	ProblemMethodNotAllowed     = "/problems/method-not-allowed"     // 405
	ProblemTooLarge             = "/problems/too-large"              // 413
	ProblemUnsupportedMediaType = "/problems/unsupported-media-type" // 415
)

// Error makes a *Problem an error: its status, title and detail.
func (p *Problem) Error() string {
	msg := fmt.Sprintf("realty: %d %s", p.StatusCode(), deref(p.Title))
	if d := deref(p.Detail); d != "" {
		msg += ": " + d
	}
	return msg
}

// StatusCode is the problem's HTTP status (0 when absent).
func (p *Problem) StatusCode() int {
	if p.Status == nil {
		return 0
	}
	return int(*p.Status)
}

// TypeURI is the problem's type ("about:blank" when absent, as RFC 9457
// says).
func (p *Problem) TypeURI() string {
	if p.Type == nil || *p.Type == "" {
		return "about:blank"
	}
	return *p.Type
}

// Fields maps each field the problem names (e.g. "body.list_price",
// "query.limit", or a domain field such as "list_price") to why it was
// refused.
func (p *Problem) Fields() map[string]string {
	fields := map[string]string{}
	if p.Errors != nil {
		for _, f := range *p.Errors {
			fields[deref(f.Location)] = deref(f.Message)
		}
	}
	return fields
}

// Response is what every generated XxxResponse has: the raw answer.
type Response interface {
	StatusCode() int
}

// Check returns nil for a successful answer (status below 400) and the
// answer's problem otherwise, as a *Problem: decoded from its
// application/problem+json body, or made of its status alone when the body
// is something else. err is passed through, so a call reads
//
//	res, err := client.GetListingWithResponse(ctx, id)
//	if err := realty.Check(res, err); err != nil { … }
func Check[R Response](res R, err error) error {
	if err != nil {
		return err
	}
	hr, body := rawOf(res)
	if hr == nil || hr.StatusCode < 400 {
		return nil
	}
	return ProblemOf(hr, body)
}

// ProblemOf decodes an error answer's problem+json body.
func ProblemOf(res *http.Response, body []byte) *Problem {
	p := &Problem{}
	if ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); ct == "application/problem+json" {
		_ = json.Unmarshal(body, p)
	}
	if p.Status == nil {
		status := int64(res.StatusCode)
		p.Status = &status
	}
	if p.Title == nil {
		title := http.StatusText(res.StatusCode)
		p.Title = &title
	}
	return p
}

// WithBearer is a client option that sends token (a session token from
// Login, or an API key) with every request.
func WithBearer(token string) ClientOption {
	return WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		return nil
	})
}

// rawOf reads the HTTPResponse and Body fields every generated response
// struct has.
func rawOf(res any) (*http.Response, []byte) {
	v := reflect.ValueOf(res)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, nil
	}
	hf, bf := v.Elem().FieldByName("HTTPResponse"), v.Elem().FieldByName("Body")
	if !hf.IsValid() || !bf.IsValid() {
		return nil, nil
	}
	hr, _ := hf.Interface().(*http.Response)
	body, _ := bf.Interface().([]byte)
	return hr, body
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
