package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"realty"
)

// crashKey is one intended payment and what its client ended with.
type crashKey struct {
	key  string
	body []byte
	// bad payments name a tenant that does not exist: they must fail
	// definitively and leave no row.
	bad bool
	// first is the first attempt's status (0: a connection error or a
	// timeout); status and answer the definitive one (0 if none came).
	first, status int
	answer        []byte
}

// ambiguous reports whether the first attempt left the outcome unknown.
func (k *crashKey) ambiguous() bool { return !definitive(k.first) }

// definitive reports whether a status settles a key: a success, or a
// refusal that is not "busy" (409 in flight, 429) — a 5xx, a 409 and no
// answer at all are retried with the same key.
func definitive(status int) bool {
	return status >= 200 && status < 300 ||
		status >= 400 && status < 500 && status != http.StatusConflict && status != http.StatusTooManyRequests
}

// crashLoad is a load of concurrent payments through realty's API, each
// under its own Idempotency-Key and retried with it until definitive.
type crashLoad struct {
	url, apiKey, prefix string
	tenants             []realty.ID
	client              *http.Client

	mu    sync.Mutex
	keys  []*crashKey
	acked atomic.Int64 // keys whose first attempt was a 2xx
	// unavailable counts 503 answers; internal other 5xx, which an outage
	// must not cause (lastInternal is the body of one).
	unavailable, internal atomic.Int64
	lastInternal          atomic.Value
	stop                  chan struct{}
	wg                    sync.WaitGroup
}

func newCrashLoad(srv *realtyProc, apiKey, prefix string, tenants []realty.ID) *crashLoad {
	return &crashLoad{url: srv.url, apiKey: apiKey, prefix: prefix, tenants: tenants, stop: make(chan struct{}),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// run starts n writers, each posting new keys one after the other until
// stopped, every key to its definitive answer.
func (l *crashLoad) run(n int) {
	for range n {
		l.wg.Go(func() {
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				k := l.newKey()
				k.first, k.answer = l.post(k)
				l.settle(k)
			}
		})
	}
}

// finish stops the writers and waits until every key is settled.
func (l *crashLoad) finish() []*crashKey {
	close(l.stop)
	l.wg.Wait()
	l.client.CloseIdleConnections()
	return l.keys
}

// newKey adds the next key: every eighth names an unknown tenant.
func (l *crashLoad) newKey() *crashKey {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := len(l.keys)
	k := &crashKey{key: fmt.Sprintf("%s-%05d", l.prefix, i), bad: i%8 == 7}
	tenant := l.tenants[i%len(l.tenants)]
	if k.bad {
		tenant = realty.NewID()
	}
	k.body, _ = json.Marshal(map[string]any{"tenant_id": tenant, "method": "ach", "reference": k.key,
		"amount": fmt.Sprintf("%d.%02d", 5+i%20, i%100), "auto_allocate": true})
	l.keys = append(l.keys, k)
	return k
}

// probe sends one new key once and returns the answer, its headers and
// how long it took; the key is then settled in the background.
func (l *crashLoad) probe() (k *crashKey, h http.Header, took time.Duration) {
	k = l.newKey()
	begin := time.Now()
	k.first, k.answer, h = l.send(k)
	took = time.Since(begin)
	l.wg.Go(func() { l.settle(k) })
	return k, h, took
}

// settle retries k with its key and body until definitive (pauses doubling
// from 25 ms to 400 ms, two minutes at most); the first definitive answer
// stays.
func (l *crashLoad) settle(k *crashKey) {
	if definitive(k.first) {
		k.status = k.first
		if k.first/100 == 2 {
			l.acked.Add(1)
		}
		return
	}
	deadline := time.Now().Add(2 * time.Minute)
	for pause := 25 * time.Millisecond; time.Now().Before(deadline); pause = min(2*pause, 400*time.Millisecond) {
		time.Sleep(pause)
		if status, answer := l.post(k); definitive(status) {
			k.status, k.answer = status, answer
			return
		}
	}
}

func (l *crashLoad) post(k *crashKey) (int, []byte) {
	status, answer, _ := l.send(k)
	return status, answer
}

// send posts k once: status 0 when the request got no complete answer.
func (l *crashLoad) send(k *crashKey) (int, []byte, http.Header) {
	req, _ := http.NewRequest(http.MethodPost, l.url+"/api/v1/payments", bytes.NewReader(k.body))
	req.Header.Set("Authorization", "Bearer "+l.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", k.key)
	res, err := l.client.Do(req)
	if err != nil {
		return 0, []byte(err.Error()), nil
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, []byte(err.Error()), nil
	}
	switch {
	case res.StatusCode == http.StatusServiceUnavailable:
		l.unavailable.Add(1)
	case res.StatusCode >= 500:
		l.internal.Add(1)
		l.lastInternal.Store(string(b))
	}
	return res.StatusCode, b, res.Header
}
