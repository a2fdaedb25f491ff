package server

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"realty/internal/metrics"
	"realty/internal/postgres"
)

// Metrics is realty's Prometheus registry: request durations by route and
// status, the pool's statistics, River's job counts, the database's health
// (metrics_db.go), the newest backup's time, and the Go runtime's.
type Metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
}

// NewMetrics registers realty's collectors for the pool.
func NewMetrics(pool *postgres.Pool, log *slog.Logger) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "realty_http_request_duration_seconds",
			Help:    "HTTP request durations by route pattern, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		poolCollector{pool: pool},
		riverCollector{pool: pool, log: log},
		dbHealthCollector{pool: pool, log: log, timeout: dbHealthTimeout},
	)
	reg.MustRegister(metrics.Collectors()...)
	return m
}

// SetBuildInfo publishes realty_build_info{version,goversion,revision} 1,
// the build a scrape came from.
func (m *Metrics) SetBuildInfo(version, revision string) {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "realty_build_info",
		Help: "The running build: 1, labelled with realty's version, Go's version and the VCS revision.",
	}, []string{"version", "goversion", "revision"})
	g.WithLabelValues(version, runtime.Version(), revision).Set(1)
	m.reg.MustRegister(g)
}

func (m *Metrics) observe(route, method string, status int, took time.Duration) {
	m.duration.WithLabelValues(route, method, strconv.Itoa(status)).Observe(took.Seconds())
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// MetricsHandler serves m, to callers presenting "Authorization: Bearer
// token" when token is set (401 otherwise; compared in constant time).
func MetricsHandler(m *Metrics, token string) http.Handler {
	h := m.Handler()
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need Authorization: Bearer <REALTY_METRICS_TOKEN>", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

var (
	poolConns        = prometheus.NewDesc("realty_db_pool_connections", "Pool connections by state.", []string{"state"}, nil)
	poolMax          = prometheus.NewDesc("realty_db_pool_max_connections", "Pool size limit.", nil, nil)
	poolAcquires     = prometheus.NewDesc("realty_db_pool_acquires_total", "Connections acquired from the pool.", nil, nil)
	poolEmptyWaits   = prometheus.NewDesc("realty_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", nil, nil)
	poolAcquireTotal = prometheus.NewDesc("realty_db_pool_acquire_seconds_total", "Time spent acquiring connections.", nil, nil)
	riverJobs        = prometheus.NewDesc("realty_river_jobs", "Background jobs by state.", []string{"state"}, nil)
)

type poolCollector struct{ pool *postgres.Pool }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConns, poolMax, poolAcquires, poolEmptyWaits, poolAcquireTotal} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolEmptyWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolAcquireTotal, prometheus.CounterValue, s.AcquireDuration().Seconds())
}

// riverCollector counts River's jobs by state at scrape time.
type riverCollector struct {
	pool *postgres.Pool
	log  *slog.Logger
}

func (c riverCollector) Describe(ch chan<- *prometheus.Desc) { ch <- riverJobs }

func (c riverCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.pool.Query(ctx, "SELECT state::text, count(*) FROM river.river_job GROUP BY state")
	if err != nil {
		c.log.Warn("river job counts", "err", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			c.log.Warn("river job counts", "err", err)
			return
		}
		ch <- prometheus.MustNewConstMetric(riverJobs, prometheus.GaugeValue, float64(n), state)
	}
}
