package cli

import (
	"context"
	"net/http"
	"os"

	"realty/internal/api"
)

// runOpenAPI writes the API's OpenAPI document, byte for byte what
// /api/openapi.json serves, without a database or a server: for linters and
// SDK generators. -o names a file to write instead of standard output.
func runOpenAPI(_ context.Context, e env) error {
	fs := e.flags("openapi")
	out := fs.String("o", "", "write the document to this file instead of standard output")
	if err := fs.Parse(e.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("openapi takes no arguments")
	}
	doc, err := api.Document(api.Mount(http.NewServeMux(), api.Deps{Version: Version()}))
	if err != nil {
		return err
	}
	if *out != "" {
		return os.WriteFile(*out, doc, 0o644)
	}
	_, err = e.stdout.Write(doc)
	return err
}
