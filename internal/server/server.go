// Package server is the Triangulate GitHub App's HTTP side: it verifies and
// acknowledges webhook deliveries, turns the ones that matter into review
// jobs, and runs them on a bounded pool of workers, one at a time per pull
// request, the newest head first. What a review does is the Reviewer's
// business; this package decides only what to review and when, so that no
// event is lost and none is reviewed twice.
//
// Delivery to review, in order: the signature is checked before anything
// else; the event becomes zero or more tasks; the delivery id is
// remembered; the tasks are queued and the delivery acknowledged (202).
// Workers take tasks from the queue; a newer head for a pull request
// replaces its queued task and cancels its running one. A reconcile pass at
// start and every ReconcileInterval asks the Reviewer which open pull
// requests lack a finished check, which covers deliveries lost while the
// server was down or refused while it was full.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Paths served. WebhookPath is the App's "Webhook URL" path.
const (
	WebhookPath = "/webhook"
	HealthPath  = "/healthz"
	ReadyPath   = "/readyz"
	MetricsPath = "/metrics"
)

// Defaults and bounds.
const (
	// DefaultWorkers: a review loads the whole plan set into CUE and OPA
	// (seconds of CPU, and a sandbox child of up to 1 GiB for proposed
	// rules), so two at a time suit a 2-core, 4 GB host.
	DefaultWorkers = 2
	// DefaultQueueSize bounds what deliveries can queue (about 1 KiB a
	// task): every open pull request of a large plans repository (a few
	// hundred) twice over, so a burst never meets a full queue while the
	// memory stays small. A newer head for a queued pull request replaces
	// it and needs no room.
	DefaultQueueSize = 1000
	// DefaultReconcileInterval: how long a pull request whose delivery was
	// lost (refused with 503 and not redelivered, or sent while the server
	// was down) waits at most for its review. GitHub allows 5,000 API
	// requests an hour per installation; one pass costs a few per repository.
	DefaultReconcileInterval = 10 * time.Minute
	// DefaultGrace is how long running reviews may take to finish after
	// shutdown starts: a little under Kubernetes' default 30 s
	// termination grace, so the process returns before it is killed.
	DefaultGrace = 25 * time.Second
	// DefaultRetryBackoff is the wait before the second try of a failed
	// review, doubled before each later one: long enough for a GitHub
	// blip or a rate limit to pass.
	DefaultRetryBackoff = 30 * time.Second
	// MaxAttempts bounds tries of one job; after the last the Reviewer
	// has published a failed check (see LastAttempt) and reconcile will
	// not pick a finished check up again.
	MaxAttempts = 3

	// reviewTimeout bounds one review: fetching the repository and
	// judging it take seconds, the proposed-rules sandbox at most 90 s.
	reviewTimeout = 10 * time.Minute
	// listTimeout bounds one listing (Pending, Open, Repositories): a few
	// paginated API calls.
	listTimeout = time.Minute
	// abandonAfter is how long shutdown waits, after cancelling running
	// reviews, for a Reviewer that ignores its context.
	abandonAfter = 5 * time.Second
	// deliveryMemory: delivery ids remembered for de-duplication, about
	// 100 bytes each. Days of a busy repository's deliveries; an id older
	// than that is caught by the same-work check instead.
	deliveryMemory = 50_000
	// doneMemory: pull requests whose last finished review is remembered.
	doneMemory = 10_000
	// repoMemory: repositories named by deliveries, reconciled too.
	repoMemory = 10_000
)

// Config is what a Server needs. Secret, Reviewer and Lister are required.
type Config struct {
	Secret           []byte // the App's webhook secret
	SubmissionBranch string // pushes to it re-judge every open pull request; default "main"
	CheckName        string // check_run rerequested is handled for this name only; default "triangulate"
	AppID            int64  // App mode: check_suite and check_run re-runs must be this App's; 0 in token mode

	Reviewer Reviewer
	Lister   Lister

	Workers           int           // default DefaultWorkers
	QueueSize         int           // default DefaultQueueSize
	ReconcileInterval time.Duration // default DefaultReconcileInterval
	Grace             time.Duration // default DefaultGrace; negative: cancel running reviews at once
	RetryBackoff      time.Duration // default DefaultRetryBackoff

	Logger   *slog.Logger         // default: discard
	Registry *prometheus.Registry // default: a new one, served on MetricsPath
}

// Server receives webhooks and runs reviews. Create it with New, serve it
// with Run.
type Server struct {
	cfg        Config
	log        *slog.Logger
	m          *metrics
	reg        *prometheus.Registry
	q          *queue
	deliveries *lru[string, struct{}]
	repos      *lru[string, Repository]
	reconciled atomic.Bool

	retryMu sync.Mutex
	retries map[*time.Timer]struct{} // waiting retries, stopped at shutdown
}

// New checks cfg and builds a Server; nothing runs until Run.
func New(cfg Config) (*Server, error) {
	switch {
	case len(cfg.Secret) == 0:
		return nil, errors.New("create server: a webhook secret is required: without one any sender could queue reviews")
	case cfg.Reviewer == nil:
		return nil, errors.New("create server: a Reviewer is required")
	case cfg.Lister == nil:
		return nil, errors.New("create server: a Lister is required")
	}
	if cfg.SubmissionBranch == "" {
		cfg.SubmissionBranch = "main"
	}
	if cfg.CheckName == "" {
		cfg.CheckName = "triangulate"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.ReconcileInterval <= 0 {
		cfg.ReconcileInterval = DefaultReconcileInterval
	}
	if cfg.Grace == 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		cfg:        cfg,
		log:        cfg.Logger,
		m:          newMetrics(cfg.Registry),
		reg:        cfg.Registry,
		deliveries: newLRU[string, struct{}](deliveryMemory),
		repos:      newLRU[string, Repository](repoMemory),
		retries:    map[*time.Timer]struct{}{},
	}
	s.q = newQueue(cfg.QueueSize, doneMemory, func(depth, running int) {
		s.m.depth.Set(float64(depth))
		s.m.running.Set(float64(running))
	})
	return s, nil
}

// Handler serves the webhook, health, readiness and metrics endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+WebhookPath, s.webhook)
	mux.HandleFunc("GET "+HealthPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET "+ReadyPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
		case !s.q.accepting():
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "shutting down")
		case !s.reconciled.Load():
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "first reconcile not finished")
		default:
			fmt.Fprintln(w, "ready")
		}
	})
	mux.Handle("GET "+MetricsPath, promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	return mux
}

// HTTP bounds. GitHub waits 10 s for an answer and sends small requests,
// so nothing legitimate needs longer; the bounds stop slow clients from
// holding connections.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 10 * time.Second
	idleTimeout       = 2 * time.Minute // GitHub and scrapers reuse connections
	maxHeaderBytes    = 64 << 10        // GitHub's headers are about 1 KiB
	// httpShutdownTimeout bounds waiting for in-flight deliveries, which
	// take milliseconds, once the listener is closed.
	httpShutdownTimeout = 5 * time.Second
)

// Run serves on ln until ctx is cancelled, then shuts down: it stops
// accepting deliveries (503), lets running reviews finish within Grace,
// cancels the rest without publishing, and returns. Queued work that never
// started is dropped; the next start's reconcile picks up each pull request
// whose head still lacks a finished check.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	// Reviews outlive the request that queued them and the ctx that
	// stops the server: they end on their own, when superseded, or when
	// the grace period is over.
	work, stopWork := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopWork(errShutdown)
	var workers sync.WaitGroup
	for range s.cfg.Workers {
		workers.Go(func() { s.work(work) })
	}
	loopCtx, stopLoop := context.WithCancel(work)
	defer stopLoop()
	var loop sync.WaitGroup
	loop.Go(func() { s.reconcileLoop(loopCtx) })

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String(), "workers", s.cfg.Workers, "queue", s.cfg.QueueSize,
		"submission_branch", s.cfg.SubmissionBranch)

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		err = fmt.Errorf("serve webhooks: %w", err)
	}
	dropped := s.q.close()
	s.stopRetries()
	stopLoop()
	s.log.Info("shutting down", "queued_dropped", dropped, "grace", s.cfg.Grace.String())
	httpCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), httpShutdownTimeout)
	defer cancel()
	if serr := hs.Shutdown(httpCtx); serr != nil {
		s.log.Warn("close connections", "err", serr)
	}
	if !waitFor(&workers, max(s.cfg.Grace, 0)) {
		s.log.Warn("grace period over: cancelling running reviews")
		stopWork(errShutdown)
		if !waitFor(&workers, abandonAfter) {
			err = errors.Join(err, errors.New("shut down: a review ignored cancellation; abandoning it"))
		}
	}
	loop.Wait()
	s.log.Info("stopped")
	return err
}

// waitFor waits for wg up to d and reports whether it finished.
func waitFor(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
