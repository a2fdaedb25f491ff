package ratelimit

import (
	"net/http"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func key(org, cred byte) Key {
	var k Key
	k.Org[0], k.Org[15] = org, org
	k.Credential[0], k.Credential[15] = cred, cred
	return k
}

func TestBurstThenRefused(t *testing.T) {
	c := newClock()
	l := New(c.now)
	for i := range 5 {
		d := l.Take(key(1, 1), 5, time.Minute)
		if !d.Allowed || d.Remaining != 4-i || d.Limit != 5 {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i, d, 4-i)
		}
	}
	d := l.Take(key(1, 1), 5, time.Minute)
	if d.Allowed || d.Remaining != 0 {
		t.Fatalf("sixth request: %+v, want refused", d)
	}
	if d.RetryAfter != 12*time.Second || d.Reset != time.Minute {
		t.Fatalf("retry after %v, reset %v; want 12s (one request's share of the minute) and 1m", d.RetryAfter, d.Reset)
	}
	h := http.Header{}
	d.SetHeaders(h)
	for name, want := range map[string]string{"RateLimit-Limit": "5", "RateLimit-Remaining": "0", "RateLimit-Reset": "60",
		"RateLimit-Policy": "5;w=60", "Retry-After": "12"} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestRefill(t *testing.T) {
	c := newClock()
	l := New(c.now)
	for range 5 {
		l.Take(key(1, 1), 5, time.Minute)
	}
	c.advance(11 * time.Second)
	if d := l.Take(key(1, 1), 5, time.Minute); d.Allowed {
		t.Fatalf("after 11 s: %+v, want still refused", d)
	}
	c.advance(time.Second)
	if d := l.Take(key(1, 1), 5, time.Minute); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after 12 s: %+v, want one request back", d)
	}
	c.advance(time.Hour)
	if d := l.Take(key(1, 1), 5, time.Minute); !d.Allowed || d.Remaining != 4 {
		t.Fatalf("after an hour: %+v, want a full bucket (never more than the limit)", d)
	}
}

func TestBucketsIndependent(t *testing.T) {
	c := newClock()
	l := New(c.now)
	for range 3 {
		l.Take(key(1, 1), 3, time.Minute)
	}
	if d := l.Take(key(1, 1), 3, time.Minute); d.Allowed {
		t.Fatal("first credential not limited")
	}
	if d := l.Take(key(1, 2), 3, time.Minute); !d.Allowed || d.Remaining != 2 {
		t.Fatalf("another credential of the organization: %+v, want its own full bucket", d)
	}
	if d := l.Take(key(2, 1), 3, time.Minute); !d.Allowed || d.Remaining != 2 {
		t.Fatalf("the same credential id in another organization: %+v, want its own full bucket", d)
	}
}

func TestUnlimitedAndHeaders(t *testing.T) {
	l := New(nil)
	d := l.Take(key(1, 1), 0, time.Minute)
	h := http.Header{}
	d.SetHeaders(h)
	if !d.Allowed || len(h) != 0 {
		t.Fatalf("limit 0: %+v, headers %v; want allowed without headers", d, h)
	}
	d = l.Take(key(1, 1), 10, time.Minute)
	d.SetHeaders(h)
	if h.Get("RateLimit-Remaining") != "9" || h.Get("Retry-After") != "" {
		t.Fatalf("allowed request headers %v", h)
	}
}

func TestSweepForgetsFullBuckets(t *testing.T) {
	c := newClock()
	l := New(c.now)
	for i := range 100 {
		l.Take(key(1, byte(i)), 10, time.Second)
	}
	if l.Len() != 100 {
		t.Fatalf("%d buckets, want 100", l.Len())
	}
	c.advance(2 * time.Second)
	for i := range shards {
		l.Take(key(9, byte(i)), 10, time.Second)
	}
	if n := l.Len(); n > shards {
		t.Fatalf("%d buckets after every old one refilled, want at most %d", n, shards)
	}
}

// BenchmarkTake is the cost on the hot path: one decision on an existing
// bucket, spread over many credentials, in parallel.
func BenchmarkTake(b *testing.B) {
	l := New(nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			l.Take(key(1, byte(i)), 1_000_000, time.Minute)
			i++
		}
	})
}

// BenchmarkTakeAndHeaders adds writing the response headers.
func BenchmarkTakeAndHeaders(b *testing.B) {
	l := New(nil)
	h := http.Header{}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Take(key(1, byte(i)), 1_000_000, time.Minute).SetHeaders(h)
	}
}
