package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// run is one timed run of a workload.
type run struct {
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"throughput"`
	P50        float64 `json:"p50_ms"`
	P95        float64 `json:"p95_ms"`
	P99        float64 `json:"p99_ms"`
	// CPU-milliseconds per request of the server process, of PostgreSQL
	// (all its processes) and of the load generator itself.
	ServerCPU    float64 `json:"server_cpu_ms_per_req"`
	DatabaseCPU  float64 `json:"database_cpu_ms_per_req"`
	GeneratorCPU float64 `json:"generator_cpu_ms_per_req"`
	FirstError   string  `json:"first_error,omitempty"`
}

// request performs request number i of a client; it returns an error
// unless the answer was complete and successful.
type request func(ctx context.Context, client, i int) error

// closedLoop runs clients goroutines, each sending its next request as soon
// as the last one answered, for warmup (not measured) and then duration.
// server and database name the processes whose CPU time is charged.
func closedLoop(ctx context.Context, clients int, warmup, duration time.Duration, do request, server, database func() []int) run {
	return loop(ctx, clients, 0, warmup, duration, do, server, database)
}

// pacedLoop offers rate requests a second in all, spread evenly over
// clients goroutines (connections), for warmup and then duration. Each
// request's latency runs from the moment it was due, not from when it was
// sent whenever the client was still busy with the last one, so a slow
// answer is charged to the requests queued behind it (no coordinated
// omission); the sleep of a client that is early is not charged.
func pacedLoop(ctx context.Context, clients int, rate float64, warmup, duration time.Duration, do request, server, database func() []int) run {
	return loop(ctx, clients, time.Duration(float64(clients)*float64(time.Second)/rate), warmup, duration, do, server, database)
}

// loop is closedLoop when interval is 0, else pacedLoop with each client
// due every interval.
func loop(ctx context.Context, clients int, interval, warmup, duration time.Duration, do request, server, database func() []int) run {
	var wg sync.WaitGroup
	var mu sync.Mutex
	lat := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var firstErr string
	begin := time.Now()
	measureFrom := begin.Add(warmup)
	end := measureFrom.Add(duration)
	var cpuServer0, cpuDB0, cpuGen0 float64
	var once sync.Once
	mark := func() {
		cpuServer0, cpuDB0, cpuGen0 = cpuSeconds(server()), cpuSeconds(database()), selfCPU()
	}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			due := begin.Add(interval * time.Duration(c) / time.Duration(clients))
			for i := 0; ; i++ {
				start := time.Now()
				if interval > 0 {
					// Late because the last answer was slow: the wait counts.
					// Early: sleep, and the timer's overshoot does not.
					if wait := due.Sub(start); wait > 0 {
						time.Sleep(wait)
						start = time.Now()
					} else {
						start = due
					}
					due = due.Add(interval)
				}
				if start.After(end) || ctx.Err() != nil {
					return
				}
				if !start.Before(measureFrom) {
					once.Do(mark)
				}
				err := do(ctx, c, i)
				if start.Before(measureFrom) {
					continue
				}
				if err != nil {
					errs[c]++
					mu.Lock()
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
					continue
				}
				lat[c] = append(lat[c], time.Since(start))
			}
		}()
	}
	wg.Wait()
	once.Do(mark)
	elapsed := time.Since(measureFrom).Seconds()
	r := run{Seconds: elapsed, FirstError: firstErr}
	all := slices.Concat(lat...)
	for _, e := range errs {
		r.Errors += e
	}
	r.Requests = len(all)
	if r.Requests == 0 {
		return r
	}
	slices.Sort(all)
	ms := func(q float64) float64 {
		return float64(all[min(len(all)-1, int(math.Ceil(q*float64(len(all))))-1)].Microseconds()) / 1000
	}
	r.Throughput = float64(r.Requests) / elapsed
	r.P50, r.P95, r.P99 = ms(0.50), ms(0.95), ms(0.99)
	per := func(before, after float64) float64 { return (after - before) * 1000 / float64(r.Requests) }
	r.ServerCPU = per(cpuServer0, cpuSeconds(server()))
	r.DatabaseCPU = per(cpuDB0, cpuSeconds(database()))
	r.GeneratorCPU = per(cpuGen0, selfCPU())
	return r
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times (100 on Linux).
const clockTicks = 100

// cpuSeconds is the user+system CPU time the processes have used.
func cpuSeconds(pids []int) float64 {
	var total float64
	for _, pid := range pids {
		f := statFields(pid)
		if len(f) < 15 {
			continue
		}
		u, _ := strconv.ParseFloat(f[13], 64)
		s, _ := strconv.ParseFloat(f[14], 64)
		total += (u + s) / clockTicks
	}
	return total
}

// statFields are the fields of /proc/<pid>/stat (the command name, which
// may hold spaces, as one field).
func statFields(pid int) []string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil
	}
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return nil
	}
	return append([]string{s[:i-1], s[i+1 : j]}, strings.Fields(s[j+1:])...)
}

// selfCPU is the harness's own CPU time (the load generator's).
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// processTree is pid and every process whose parent is pid (PostgreSQL's
// postmaster and its backends).
func processTree(pid int) []int {
	out := []int{pid}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(child); len(f) > 3 && f[3] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// rssKiB is the resident memory of the processes now, in KiB; peakKiB is
// the highest resident memory each reached (VmHWM), summed.
func rssKiB(pids []int, field string) int {
	total := 0
	for _, pid := range pids {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, field+":"); ok {
				n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
				total += n
			}
		}
	}
	return total
}

// pssKiB is the proportional set size of the processes, summed: shared
// memory (PostgreSQL's shared buffers) counts once in all, not once per
// process as a sum of RSS would.
func pssKiB(pids []int) int {
	total := 0
	for _, pid := range pids {
		total += rssLine(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"), "Pss")
	}
	return total
}

// median is the run with the median throughput.
func median(runs []run) run {
	if len(runs) == 0 {
		return run{}
	}
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b run) int {
		switch {
		case a.Throughput < b.Throughput:
			return -1
		case a.Throughput > b.Throughput:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}
