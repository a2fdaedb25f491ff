package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/idempotency"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/problem"
)

// IdempotencyKey is the header every money-moving operation requires.
type IdempotencyKey struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"a unique key per intended operation (a UUID, say): a retry with the same key and body gets the first response back and changes nothing; the same key with another body is refused (422); while the first request is still running a retry gets 409 with Retry-After"`
}

// storedOutput is an idempotent operation's response: the bytes the first
// request answered, replayed as they are to every retry.
type storedOutput struct {
	Status      int
	ContentType string `header:"Content-Type"`
	Body        []byte
}

// idempotentOp is one money-moving operation: its fingerprint's body (the
// parsed input, path parameters included) and its work, run inside the
// transaction that stores the key and the response.
type idempotentOp[I, T any] struct {
	key  func(*I) string
	body func(*I) any
	work func(ctx context.Context, tx pgx.Tx, in *I) (T, error)
}

// RegisterIdempotent adds a money-moving operation: it requires an
// Idempotency-Key (400 without), runs op.work once per key and credential
// in the transaction that stores the key and the JSON of T it answered
// (status op.DefaultStatus), and replays that answer byte for byte to every
// retry. The document shows T as the response body.
func registerIdempotent[I, T any](a huma.API, d Deps, op huma.Operation, rule Access, io idempotentOp[I, T]) {
	status := op.DefaultStatus
	schema := a.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[T](), true, op.OperationID+"Response")
	op.Responses = map[string]*huma.Response{strconv.Itoa(status): {Description: http.StatusText(status),
		Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}}}
	op.Description += "\n\nRequires an `Idempotency-Key` header: the first response is stored for 24 hours and replayed, byte for byte, to a retry with the same key and body."
	Register(a, op, rule, func(ctx context.Context, in *I) (*storedOutput, error) {
		key := io.key(in)
		if key == "" {
			return nil, errNoIdempotencyKey()
		}
		req := idempotency.Request{Key: key, Principal: principalID(principal(ctx)), Method: op.Method, Route: op.Path, Body: io.body(in)}
		// A serialization failure or deadlock rolls the key back with the
		// work: the whole transaction runs again, a bounded number of times.
		var resp idempotency.Response
		err := postgres.Retry(ctx, func() error {
			var err error
			resp, _, err = d.Idempotency.Do(ctx, actor(ctx), req, func(tx pgx.Tx) (idempotency.Response, error) {
				out, err := io.work(ctx, tx, in)
				if err != nil {
					return idempotency.Response{}, err
				}
				body, err := marshalBody(out)
				return idempotency.Response{Status: status, Header: map[string]string{"Content-Type": "application/json"}, Body: body}, err
			})
			return err
		})
		if errors.Is(err, idempotency.ErrInFlight) {
			return nil, huma.ErrorWithHeaders(err, http.Header{"Retry-After": {"1"}})
		}
		if err != nil {
			return nil, err
		}
		return &storedOutput{Status: resp.Status, ContentType: resp.Header["Content-Type"], Body: resp.Body}, nil
	})
}

func errNoIdempotencyKey() error {
	return &huma.ErrorModel{Type: problem.TypeURI(http.StatusBadRequest), Status: http.StatusBadRequest,
		Title: http.StatusText(http.StatusBadRequest), Detail: "this operation moves money: send an Idempotency-Key header so it is safe to retry",
		Errors: []*huma.ErrorDetail{{Location: "header.Idempotency-Key", Message: "is required"}}}
}

// marshalBody writes v as huma's JSON format does (no HTML escaping, a
// final newline).
func marshalBody(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// principalID is the credential a key is scoped to: the API key, or the
// signed-in user.
func principalID(p org.Principal) realty.ID {
	if p.APIKey != nil {
		return p.APIKey.ID
	}
	if p.User != nil {
		return p.User.ID
	}
	return p.Actor.UserID
}
