package postgres

import "testing"

func TestQuoteRefusesUnsafeCharacters(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"'", `\`, "a\x00"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("quote(%q) did not panic", s)
				}
			}()
			_ = quote(s)
		}()
	}
	if got := quote("req-1"); got != "'req-1'" {
		t.Errorf("quote = %s", got)
	}
}
