package github

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
)

// newTestPublisher talks to f, with retries that do not wait.
func newTestPublisher(t testing.TB, f *githubtest.Server) *Publisher {
	t.Helper()
	p, err := New(f.Client(), f.URL(), githubtest.Token,
		WithSleep(func(context.Context, time.Duration) error { return nil }),
		WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEndlessPagination is the row: a server answering every
// listing with another rel="next" drew 2,265 requests in 100 s and never
// stopped. The listing now ends at the page cap, with ErrTooManyPages,
// within maxPages requests and a second.
func TestEndlessPagination(t *testing.T) {
	f := githubtest.NewServer(t)
	f.SetEndlessPages(true)
	p := newTestPublisher(t, f)
	// The deadline only keeps the code as it was from hanging the test.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := p.Publish(ctx, basePub())
	if d := time.Since(start); d > time.Second {
		t.Errorf("Publish took %v, want under 1s", d)
	}
	if !errors.Is(err, ErrTooManyPages) {
		t.Fatalf("Publish error = %v, want ErrTooManyPages", err)
	}
	// The listing's pages, then the verdict: a listing that fails no longer
	// stops the run before the commit status, since the verdict stands
	// whatever became of the comments (the error still fails the run).
	if got := len(f.Requests()); got != maxPages+1 {
		t.Errorf("%d requests, want %d (the first listing's pages, then the status)", got, maxPages+1)
	}
	if got := f.Count("pulls/list-review-comments", 200); got != maxPages {
		t.Errorf("%d pages of review comments read, want %d", got, maxPages)
	}
}

// TestLargeErrorBody is the row: a 400 MiB error body took 927 MB to
// read. Now at most maxErrorBodyBytes of it is read and the connection is
// closed, so the server manages to write under 1 MiB of it (its socket
// buffers and ours hold the rest of that), and the run allocates under 32
// MiB, retries included.
func TestLargeErrorBody(t *testing.T) {
	const size = 400 << 20
	tests := []struct {
		name     string
		op       string
		status   int
		call     func(context.Context, *Publisher) error
		wantSent int
	}{
		{name: "refusal", op: "pulls/get", status: 404, wantSent: 1, call: func(ctx context.Context, p *Publisher) error {
			_, err := p.PullRequest(ctx, "triangulate-nhs", "plans", 7)
			return err
		}},
		{name: "server error, retried", op: "pulls/list-review-comments", status: 502, wantSent: 4, call: func(ctx context.Context, p *Publisher) error {
			_, err := p.Publish(ctx, basePub())
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := githubtest.NewServer(t)
			f.FailLarge(tt.op, 4, tt.status, size)
			p := newTestPublisher(t, f)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := tt.call(t.Context(), p)
			runtime.ReadMemStats(&after)
			if !isStatus(err, tt.status) {
				t.Fatalf("error = %v, want GitHub's %d", err, tt.status)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("allocated %d MiB, want under 32", alloc>>20)
			}
			sent := f.RequestsTo(tt.op)
			if len(sent) != tt.wantSent {
				t.Errorf("%d requests to %s, want %d", len(sent), tt.op, tt.wantSent)
			}
			for i, r := range sent {
				if r.Written > 1<<20 {
					t.Errorf("request %d: the server wrote %d KiB of the body, want under 1 MiB", i+1, r.Written>>10)
				}
			}
		})
	}
}

// BenchmarkLargeErrorBody measures reading a 400 MiB error answer: memory
// per operation (B/op) and how much the server got to write.
func BenchmarkLargeErrorBody(b *testing.B) {
	f := githubtest.NewServer(b)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		f.FailLarge("pulls/get", 1, 404, 400<<20)
		// A publisher per run, as the budget and page caps are per run.
		p := newTestPublisher(b, f)
		if _, err := p.PullRequest(b.Context(), "triangulate-nhs", "plans", 7); !isStatus(err, 404) {
			b.Fatalf("error = %v, want 404", err)
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	}
	var written int64
	for _, r := range f.Requests() {
		written += r.Written
	}
	b.ReportMetric(float64(written)/float64(len(f.Requests())), "server-bytes/op")
	b.ReportMetric(float64(peak), "peak-heap-bytes")
}
