package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty/internal/identity"
)

// APIKeyInput creates an API key.
type APIKeyInput struct {
	Body struct {
		Name        string     `json:"name" maxLength:"100"`
		Permissions []string   `json:"permissions" doc:"what the key may do; no wider than your own permissions" maxItems:"200" maxLength:"100"`
		ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	}
}

// APIKeyOutput is an API key, with its secret when just created.
type APIKeyOutput struct {
	Body struct {
		identity.APIKey
		Key string `json:"key,omitempty" doc:"the key to send as Authorization: Bearer; shown only now"`
	}
}

// APIKeysOutput lists API keys.
type APIKeysOutput struct {
	Body struct {
		Items []identity.APIKey `json:"items"`
	}
}

func routeAPIKeys(a huma.API, d Deps) {
	tags := []string{"API keys"}
	Register(a, huma.Operation{OperationID: "list-api-keys", Method: http.MethodGet, Path: Prefix + "/api-keys", Tags: tags,
		Summary: "The organization's API keys"}, Access{Permission: "apikey.read"}, func(ctx context.Context, _ *struct{}) (*APIKeysOutput, error) {
		list, err := d.Identity.APIKeys(ctx, actor(ctx))
		out := &APIKeysOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-api-key", Method: http.MethodPost, Path: Prefix + "/api-keys", Tags: tags,
		Summary: "Create an API key", DefaultStatus: http.StatusCreated}, Access{Permission: "apikey.write"},
		func(ctx context.Context, in *APIKeyInput) (*APIKeyOutput, error) {
			k, secret, err := d.Identity.CreateAPIKey(ctx, actor(ctx), identity.NewAPIKey{Name: in.Body.Name,
				Permissions: in.Body.Permissions, ExpiresAt: in.Body.ExpiresAt}, client(ctx))
			out := &APIKeyOutput{}
			out.Body.APIKey, out.Body.Key = k, secret
			return out, err
		})
	Register(a, huma.Operation{OperationID: "revoke-api-key", Method: http.MethodDelete, Path: Prefix + "/api-keys/{id}", Tags: tags,
		Summary: "Revoke an API key at once", DefaultStatus: http.StatusNoContent}, Access{Permission: "apikey.write"},
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Identity.RevokeAPIKey(ctx, actor(ctx), in.ID, client(ctx))
		})
}
