package api

import "net/http"

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
