package api

import (
	"fmt"
	"net/http"

	"realty/internal/problem"
)

// docsPage renders the OpenAPI document with swagger-ui, served from the
// dashboard's vendored static files: nothing loads from a CDN.
const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>realty API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
`

func handleDocs(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(docsPage))
}

// handleProblemType describes the problem type a problem+json "type" names
// (a relative reference, so it resolves to this server): its status and
// when realty answers it.
func handleProblemType(w http.ResponseWriter, r *http.Request) {
	for _, t := range problem.Types {
		if t.URI == "/problems/"+r.PathValue("name") {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = fmt.Fprintf(w, "%s\n\nHTTP %d %s: %s.\n", t.URI, t.Status, http.StatusText(t.Status), t.When)
			return
		}
	}
	http.NotFound(w, r)
}
