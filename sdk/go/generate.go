// Package realty is a Go client for realty's JSON API at /api/v1, generated
// by oapi-codegen from openapi.json (which `realty openapi` writes from the
// server's code), plus Problem, the typed form of the API's problem+json
// errors.
//
// Regenerate both files after changing the API:
//
//	cd sdk/go && go generate
//
// The main module's TestSDKIsCurrent fails while either is stale.
package realty

//go:generate go run -C ../.. ./cmd/realty openapi -o sdk/go/openapi.json
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config oapi-codegen.yaml openapi.json
