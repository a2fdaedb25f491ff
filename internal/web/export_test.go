package web

import "strings"

// PagePaths lists the path patterns of the dashboard's GET routes, in the
// order the route table has them.
func PagePaths() []string {
	var out []string
	for _, rt := range (&site{}).routes() {
		if method, path, _ := strings.Cut(rt.pattern, " "); method == "GET" {
			out = append(out, path)
		}
	}
	return out
}
