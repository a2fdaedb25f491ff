package pgtest

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

func TestNew(t *testing.T) {
	t.Parallel()
	a, b := New(t), New(t)
	if a.Name == b.Name {
		t.Fatal("two tests share a database")
	}
	var user string
	if err := a.Pool.QueryRow(context.Background(), "SELECT current_user").Scan(&user); err != nil {
		t.Fatal(err)
	}
	if user != "realty_app" {
		t.Fatalf("tests connect as %q, want realty_app", user)
	}
}

// BenchmarkNew measures what a test pays for its own database: cloning the
// migrated template and connecting. It reports the median beside the mean.
func BenchmarkNew(b *testing.B) {
	New(b) // the template is built once per binary; keep it out of the figures
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		New(b)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-median")
}
