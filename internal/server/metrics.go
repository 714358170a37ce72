package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Delivery outcomes, the values of the deliveries metric's outcome label
// and of the "outcome" log attribute.
const (
	outAccepted     = "accepted"      // queued (202)
	outIgnored      = "ignored"       // verified, but not an event or action we act on (202)
	outPing         = "ping"          // GitHub's hello when the hook is created (200)
	outDuplicate    = "duplicate"     // this X-GitHub-Delivery was accepted before (200)
	outUnauthorized = "unauthorized"  // signature missing or wrong (401)
	outTooLarge     = "too_large"     // body over maxBodyBytes (413)
	outMalformed    = "malformed"     // verified but not valid JSON or missing fields we need (400)
	outQueueFull    = "queue_full"    // no room: 503, to be redelivered (see README)
	outShuttingDown = "shutting_down" // 503 while the server stops
)

// Review outcomes.
const (
	reviewOK         = "ok"
	reviewError      = "error"
	reviewSuperseded = "superseded"
	reviewCancelled  = "cancelled"
)

// handledEvents bounds the event label: the header is read before it is
// known to come from GitHub, so anything else is "other".
var handledEvents = []string{"pull_request", "merge_group", "check_run", "check_suite", "push", "ping"}

func eventLabel(event string) string {
	for _, e := range handledEvents {
		if e == event {
			return e
		}
	}
	return "other"
}

type metrics struct {
	deliveries *prometheus.CounterVec // event, outcome
	ack        prometheus.Histogram
	depth      prometheus.Gauge
	running    prometheus.Gauge
	duration   *prometheus.HistogramVec // kind
	reviews    *prometheus.CounterVec   // outcome
	duplicates *prometheus.CounterVec   // what: delivery (same X-GitHub-Delivery) or work (same head and base)
	superseded *prometheus.CounterVec   // where: queued, running, stale
	reconciles *prometheus.CounterVec   // outcome
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "triangulate_webhook_deliveries_total",
			Help: "Webhook deliveries by event and outcome.",
		}, []string{"event", "outcome"}),
		ack: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "triangulate_webhook_ack_seconds",
			Help: "Time from receiving a delivery to answering it.",
			// GitHub gives up after 10 s; the target is well under 0.1 s.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, 1, 10},
		}),
		depth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "triangulate_queue_depth",
			Help: "Reviews and fan-outs waiting for a worker.",
		}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "triangulate_reviews_running",
			Help: "Reviews and fan-outs a worker is running.",
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "triangulate_review_duration_seconds",
			Help: "Time a worker spent on one review, by job kind.",
			// A review loads the whole plan set: seconds, up to the sandbox's 90 s.
			Buckets: []float64{.1, .5, 1, 2, 5, 10, 20, 45, 90, 180, 600},
		}, []string{"kind"}),
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "triangulate_reviews_total",
			Help: "Reviews by outcome: ok, error, superseded (a newer head arrived), cancelled (shutdown).",
		}, []string{"outcome"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "triangulate_duplicates_total",
			Help: "Work not done twice: a delivery id seen before, or the same head and base already queued, running or done.",
		}, []string{"what"}),
		superseded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "triangulate_superseded_total",
			Help: "Older work for a pull request dropped for newer: queued, running (cancelled), or stale (arrived after newer work).",
		}, []string{"where"}),
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "triangulate_reconcile_total",
			Help: "Reconcile passes over a repository by outcome, and reviews they queued.",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.deliveries, m.ack, m.depth, m.running, m.duration, m.reviews, m.duplicates, m.superseded, m.reconciles,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Known series start at zero, so a dashboard sees "none yet" rather than "no data".
	for _, e := range append(handledEvents, "other") {
		for _, o := range []string{outAccepted, outIgnored, outDuplicate, outUnauthorized, outTooLarge, outMalformed, outQueueFull, outShuttingDown} {
			m.deliveries.WithLabelValues(e, o)
		}
	}
	for _, o := range []string{reviewOK, reviewError, reviewSuperseded, reviewCancelled} {
		m.reviews.WithLabelValues(o)
	}
	for _, w := range []string{"delivery", "work"} {
		m.duplicates.WithLabelValues(w)
	}
	for _, w := range []string{"queued", "running", "stale"} {
		m.superseded.WithLabelValues(w)
	}
	for _, o := range []string{"ok", "error", "queued"} {
		m.reconciles.WithLabelValues(o)
	}
	return m
}

// count records what submit did with a batch of tasks.
func (m *metrics) count(vs []verdict) {
	for _, v := range vs {
		switch v {
		case replaced:
			m.superseded.WithLabelValues("queued").Inc()
		case duplicate:
			m.duplicates.WithLabelValues("work").Inc()
		case stale:
			m.superseded.WithLabelValues("stale").Inc()
		}
	}
}
