package ratelimit

import (
	"net/http"
	"strconv"
)

// SetHeaders writes the decision as the fields of the IETF draft
// draft-ietf-httpapi-ratelimit-headers-06: RateLimit-Limit (the bucket's
// size), RateLimit-Remaining, RateLimit-Reset (seconds until the bucket is
// full again) and RateLimit-Policy ("<limit>;w=<window seconds>"), plus
// Retry-After (RFC 9110, seconds) on a refusal. A decision without limit
// writes nothing.
func (d Decision) SetHeaders(h http.Header) {
	if d.Limit == 0 {
		return
	}
	limit := strconv.Itoa(d.Limit)
	h["Ratelimit-Limit"] = []string{limit}
	h["Ratelimit-Remaining"] = []string{strconv.Itoa(d.Remaining)}
	h["Ratelimit-Reset"] = []string{strconv.Itoa(Seconds(d.Reset))}
	h["Ratelimit-Policy"] = []string{limit + ";w=" + strconv.Itoa(Seconds(d.Window))}
	if !d.Allowed {
		h["Retry-After"] = []string{strconv.Itoa(max(Seconds(d.RetryAfter), 1))}
	}
}
