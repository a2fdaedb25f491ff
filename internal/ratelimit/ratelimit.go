// Package ratelimit is a token bucket per credential, in memory: each key
// holds Limit requests, refilled evenly over Window (Limit per Window on
// average, bursts up to Limit). It is the generic cell rate algorithm: a
// bucket is one instant (when it will be full again), so a decision is a
// few integer operations under a sharded lock and allocates nothing once the
// key's bucket exists.
//
// A Limiter lives in one process: behind N replicas a credential gets N
// times its limit (docs/operations.md says why that is the trade chosen).
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Key names one bucket: the organization and the credential acting in it
// (an API key's id, a user's id), so the same user acting in two
// organizations, or two credentials of one organization, never share one.
type Key struct {
	Org        [16]byte
	Credential [16]byte
}

// Decision is the outcome of one Take, with what the RateLimit headers say.
type Decision struct {
	// Allowed is false when the bucket was empty: the request is refused
	// and took nothing.
	Allowed bool
	// Limit is the bucket's size: requests per Window.
	Limit int
	// Window is the time the bucket takes to refill from empty.
	Window time.Duration
	// Remaining is how many requests the bucket holds after this one.
	Remaining int
	// Reset is how long until the bucket is full again.
	Reset time.Duration
	// RetryAfter is, for a refused request, how long until one token is
	// back; zero for an allowed one.
	RetryAfter time.Duration
}

const shards = 64

// Limiter keeps the buckets. The zero value is not ready: use New.
type Limiter struct {
	now    func() time.Time
	shards [shards]shard
}

type shard struct {
	mu      sync.Mutex
	buckets map[Key]int64 // when the bucket is full again, in ns since the Unix epoch
	swept   int64
	_       [40]byte // keep shards on their own cache lines
}

// New returns a limiter on the clock now (time.Now when nil).
func New(now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	l := &Limiter{now: now}
	for i := range l.shards {
		l.shards[i].buckets = map[Key]int64{}
	}
	return l
}

// Take spends one request from key's bucket of limit requests per window
// and says whether it was there. A limit below 1 or a window below 1 ns
// allows everything (Limit 0 in the decision).
func (l *Limiter) Take(key Key, limit int, window time.Duration) Decision {
	if limit < 1 || window <= 0 {
		return Decision{Allowed: true}
	}
	now := l.now().UnixNano()
	interval := int64(window) / int64(limit) // one request's share of the window
	s := &l.shards[shardOf(key)]
	s.mu.Lock()
	full, ok := s.buckets[key]
	if !ok || full < now {
		full = now
	}
	next := full + interval
	d := Decision{Limit: limit, Window: window, Allowed: next-now <= int64(window)}
	if d.Allowed {
		s.buckets[key] = next
		full = next
	} else {
		d.RetryAfter = time.Duration(next - now - int64(window))
	}
	if now-s.swept > int64(window) {
		s.sweep(now)
	}
	s.mu.Unlock()
	d.Reset = time.Duration(full - now)
	d.Remaining = int((int64(window) - (full - now)) / max(interval, 1))
	d.Remaining = min(max(d.Remaining, 0), limit)
	return d
}

// sweep forgets buckets that are full (unused for their whole window):
// forgetting them changes nothing, and keeps memory proportional to the
// credentials active in the last window.
func (s *shard) sweep(now int64) {
	for k, full := range s.buckets {
		if full <= now {
			delete(s.buckets, k)
		}
	}
	s.swept = now
}

// Len returns how many buckets are kept (for tests and metrics).
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// shardOf spreads keys over the shards by a few bytes of each id (UUID v7
// ids are random in their last bytes).
func shardOf(k Key) int {
	return int(k.Credential[15]^k.Org[15]^k.Credential[9]) % shards
}

// Seconds rounds d up to whole seconds, as the headers carry it.
func Seconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}
