package web

import "testing"

// TestPagesParse parses every template the way Mount does at start.
func TestPagesParse(t *testing.T) {
	t.Parallel()
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"home", "notfound"} {
		if pages[name] == nil {
			t.Errorf("page %q missing", name)
		}
	}
}
