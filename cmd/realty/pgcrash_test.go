package main

import (
	"flag"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

var (
	pgcrashRounds  = flag.Int("pgcrash.rounds", 1, "TestPostgresCrash: rounds of each crash mode")
	pgcrashWriters = flag.Int("pgcrash.writers", 8, "TestPostgresCrash: concurrent clients posting payments")
)

// Bounds the crash test holds realty to.
const (
	redWithin   = 5 * time.Second  // /readyz fails after the database goes
	fastWithin  = 2 * time.Second  // an API request answers while it is down
	greenWithin = 10 * time.Second // full service after it returns
	// ackedBefore and ackedAfter are the acknowledged payments the load
	// must reach before the crash and again after recovery.
	ackedBefore, ackedAfter = 25, 25
)

// crashMode is one way of crashing PostgreSQL; restarts tells whether the
// test must start it again (a crashed backend makes the postmaster reset
// and recover by itself).
type crashMode struct {
	name     string
	restarts bool
	crash    func(*crashDB) (string, error)
}

var crashModes = []crashMode{
	{"immediate-stop", true, func(db *crashDB) (string, error) { return "pg_ctl stop -m immediate", db.stopImmediate() }},
	{"kill-postmaster", true, func(db *crashDB) (string, error) {
		pid := db.cluster.PID()
		return fmt.Sprintf("SIGKILL to the postmaster (pid %d)", pid), db.killPostmaster()
	}},
	{"kill-backend", false, func(db *crashDB) (string, error) {
		pid, err := db.killBackend()
		return fmt.Sprintf("SIGKILL to backend %d", pid), err
	}},
}

// TestPostgresCrash runs realty as a subprocess on a PostgreSQL cluster of
// its own and crashes PostgreSQL under a load of concurrent payments, each
// under its own Idempotency-Key, three ways: pg_ctl stop -m immediate,
// SIGKILL of the postmaster, SIGKILL of one backend serving realty. The
// first two are restarted (crash recovery), the third recovers by itself.
// Each crash is held to: /readyz red within 5 s; while the database is
// down an API write answers 503 problem+json with Retry-After within 2 s
// (stop and postmaster kill); full service (/readyz 200 and a payment
// acknowledged) within 10 s after PostgreSQL is back; realty never exits.
// Then the books are counted: every acknowledged payment is there once,
// no failed request left a row, and every ambiguous request (no answer,
// 5xx) settled by retrying its key is there exactly once — 0 duplicates.
// -pgcrash.rounds repeats the three crashes.
func TestPostgresCrash(t *testing.T) {
	t.Parallel()
	db := startCrashDB(t, 10)
	srv := startRealty(t, db.env.DB.AppURL)
	var total crashCounts
	for round := range *pgcrashRounds {
		for _, mode := range crashModes {
			prefix := fmt.Sprintf("pgc-%02d-%s", round+1, mode.name)
			c := crashRound(t, db, srv, mode, prefix)
			total.add(c)
			t.Logf("%s round %d: %s", mode.name, round+1, c)
			select {
			case <-srv.waitExit:
				t.Fatalf("realty exited during the outage: %v", srv.cmd.ProcessState)
			default:
			}
			if t.Failed() {
				t.FailNow()
			}
		}
	}
	t.Logf("total: %d rounds × %d crash modes: %s", *pgcrashRounds, len(crashModes), total)
}

// crashRound runs the load, crashes PostgreSQL once with mode, restarts
// it when needed, measures realty's way through the outage, and counts.
func crashRound(t *testing.T, db *crashDB, srv *realtyProc, mode crashMode, prefix string) crashCounts {
	t.Helper()
	load := newCrashLoad(srv, db.apiKey, prefix, db.tenants)
	load.run(*pgcrashWriters)
	var c crashCounts
	if !waitFor(30*time.Second, func() bool { return load.acked.Load() >= ackedBefore }) {
		load.finish()
		t.Fatalf("%s: only %d payments acknowledged before the crash", mode.name, load.acked.Load())
	}
	crashedAt := time.Now()
	how, err := mode.crash(db)
	if err != nil {
		load.finish()
		t.Fatalf("%s: %v", mode.name, err)
	}
	c.how = how
	c.red = untilStatus(srv.url, func(st int) bool { return st != http.StatusOK }, crashedAt, redWithin)
	back := crashedAt
	if mode.restarts {
		checkFastUnavailable(t, load, &c)
		time.Sleep(time.Until(crashedAt.Add(1500 * time.Millisecond))) // the writers wait through the outage
		begin := time.Now()
		if err := db.start(); err != nil {
			load.finish()
			t.Fatalf("%s: restart PostgreSQL: %v", mode.name, err)
		}
		back, c.restart = time.Now(), time.Since(begin)
		if c.red < 0 {
			t.Errorf("%s: /readyz still 200 %s after the crash", mode.name, redWithin)
		}
	}
	c.green = untilGreen(load, back, 30*time.Second)
	if c.green < 0 || c.green > greenWithin {
		t.Errorf("%s: full service %s after PostgreSQL returned, want within %s", mode.name, c.green, greenWithin)
	}
	after := load.acked.Load()
	if !waitFor(30*time.Second, func() bool { return load.acked.Load() >= after+ackedAfter }) {
		t.Errorf("%s: only %d payments acknowledged after recovery", mode.name, load.acked.Load()-after)
	}
	c.count(t, db, prefix, load.finish(), crashedAt)
	c.unavailable, c.internal = int(load.unavailable.Load()), int(load.internal.Load())
	if c.internal > 0 {
		t.Errorf("%s: %d answers 5xx other than 503 through the outage, one: %v", mode.name, c.internal, load.lastInternal.Load())
	}
	return c
}

// checkFastUnavailable sends one payment while the database is down: it
// must answer 503 problem+json with Retry-After, fast.
func checkFastUnavailable(t *testing.T, load *crashLoad, c *crashCounts) {
	t.Helper()
	k, h, took := load.probe()
	c.fast = took
	if k.first != http.StatusServiceUnavailable || !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") ||
		h.Get("Retry-After") == "" || took > fastWithin {
		t.Errorf("a payment while PostgreSQL is down: %d (Content-Type %q, Retry-After %q) after %s, want 503 problem+json "+
			"with Retry-After within %s: %s", k.first, h.Get("Content-Type"), h.Get("Retry-After"), took, fastWithin, k.answer)
	}
}

// untilStatus polls /readyz every 25 ms until ok(status) holds, and
// returns how long after since that was (-1 when not within limit).
func untilStatus(url string, ok func(int) bool, since time.Time, limit time.Duration) time.Duration {
	client := &http.Client{Timeout: time.Second}
	defer client.CloseIdleConnections()
	for time.Since(since) < limit {
		status := 0
		if res, err := client.Get(url + "/readyz"); err == nil {
			res.Body.Close()
			status = res.StatusCode
		}
		if ok(status) {
			return time.Since(since)
		}
		time.Sleep(25 * time.Millisecond)
	}
	return -1
}

// untilGreen returns how long after since realty gave full service:
// /readyz 200 and a new payment acknowledged on its first attempt (-1
// when not within limit).
func untilGreen(load *crashLoad, since time.Time, limit time.Duration) time.Duration {
	for time.Since(since) < limit {
		left := limit - time.Since(since)
		if untilStatus(load.url, func(st int) bool { return st == http.StatusOK }, time.Now(), left) < 0 {
			return -1
		}
		if k, _, _ := load.probe(); k.first == http.StatusCreated {
			return time.Since(since)
		}
		time.Sleep(25 * time.Millisecond)
	}
	return -1
}

func waitFor(limit time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
