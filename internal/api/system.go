package api

import (
	"context"
	"net/http"
	"runtime"

	"github.com/danielgtaylor/huma/v2"
)

// VersionOutput says which realty and which PostgreSQL answer.
type VersionOutput struct {
	Body struct {
		Version         string `json:"version" doc:"realty build version"`
		GoVersion       string `json:"go_version"`
		PostgresVersion string `json:"postgres_version" doc:"server_version of the database"`
	}
}

func routeSystem(a huma.API, d Deps) {
	Register(a, huma.Operation{
		OperationID: "get-version",
		Method:      http.MethodGet,
		Path:        Prefix + "/version",
		Summary:     "Build and database versions",
		Tags:        []string{"System"},
	}, Access{Public: true}, func(ctx context.Context, _ *struct{}) (*VersionOutput, error) {
		out := &VersionOutput{}
		out.Body.Version, out.Body.GoVersion = d.Version, runtime.Version()
		if err := d.Pool.QueryRow(ctx, "SHOW server_version").Scan(&out.Body.PostgresVersion); err != nil {
			return nil, err
		}
		return out, nil
	})
}
