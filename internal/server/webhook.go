package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// maxBodyBytes bounds a delivery's body, read in full before its signature
// can be checked, so it is what an unauthenticated sender can make the
// server hold per connection. GitHub caps payloads at 25 MB, but the
// events handled here are small: a pull_request payload is about 30 KiB
// (its body at most 64 KiB more), merge_group and check_run less. The
// largest is a push listing up to 2,048 commits, about 1 KiB each plus
// their changed paths: a push to a protected submission branch is a merge
// of one pull request. A delivery over the bound is refused with 413, which
// GitHub's delivery log shows; a push refused so only delays re-judging
// open pull requests until the next push, and the merge queue judges
// against the current tip regardless.
const maxBodyBytes = 5 << 20

// maxDeliveryID bounds the X-GitHub-Delivery header kept in memory: GitHub
// sends a 36-character GUID.
const maxDeliveryID = 100

const sha256Prefix = "sha256="

// webhook answers one delivery. Order matters: nothing about the request
// is acted on before its signature is verified, and nothing is queued
// before the delivery id is known to be new.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	event := r.Header.Get("X-GitHub-Event")
	label := eventLabel(event)
	delivery := r.Header.Get("X-GitHub-Delivery")
	log := s.log.With("delivery", truncate(delivery, maxDeliveryID), "event", label)
	answer := func(code int, outcome, msg string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(code)
		fmt.Fprintln(w, msg)
		s.m.deliveries.WithLabelValues(label, outcome).Inc()
		s.m.ack.Observe(time.Since(start).Seconds())
	}

	// Only X-Hub-Signature-256: go-github would fall back to the SHA-1
	// header, which this server does not accept.
	if !strings.HasPrefix(r.Header.Get(github.SHA256SignatureHeader), sha256Prefix) {
		log.Warn("delivery refused: no X-Hub-Signature-256")
		answer(http.StatusUnauthorized, outUnauthorized, "missing X-Hub-Signature-256")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	payload, err := github.ValidatePayload(r, s.cfg.Secret)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			log.Warn("delivery refused: body too large", "limit", maxBodyBytes)
			answer(http.StatusRequestEntityTooLarge, outTooLarge, fmt.Sprintf("body over %d bytes", maxBodyBytes))
			return
		}
		// The reason (bad signature, unsupported content type, unreadable
		// body) goes to the log only: a sender without the secret learns
		// nothing from the answer.
		log.Warn("delivery refused: signature not verified", "err", err)
		answer(http.StatusUnauthorized, outUnauthorized, "signature not verified")
		return
	}
	// From here the delivery is GitHub's.
	if delivery == "" || len(delivery) > maxDeliveryID {
		log.Warn("delivery refused: bad X-GitHub-Delivery")
		answer(http.StatusBadRequest, outMalformed, "missing or overlong X-GitHub-Delivery")
		return
	}
	ts, ignored, err := s.tasks(event, delivery, payload)
	if err != nil {
		log.Warn("delivery refused: malformed payload", "err", err)
		answer(http.StatusBadRequest, outMalformed, err.Error())
		return
	}
	if event == "ping" {
		answer(http.StatusOK, outPing, "pong")
		return
	}
	if len(ts) == 0 {
		log.Debug("delivery ignored", "why", ignored)
		answer(http.StatusAccepted, outIgnored, "ignored: "+ignored)
		return
	}
	log = log.With(jobAttrs(ts[0].job)...)
	if !s.deliveries.add(delivery, struct{}{}) {
		s.m.duplicates.WithLabelValues("delivery").Inc()
		log.Info("delivery ignored: already accepted")
		answer(http.StatusOK, outDuplicate, "duplicate delivery: already accepted")
		return
	}
	vs, err := s.q.submit(ts, true)
	if err != nil {
		// Forget the id, so a redelivery of this very delivery is taken.
		s.deliveries.remove(delivery)
		outcome := outQueueFull
		if errors.Is(err, errClosed) {
			outcome = outShuttingDown
		}
		log.Warn("delivery refused", "outcome", outcome, "err", err)
		// GitHub does not redeliver on its own: the 503 shows in the
		// App's delivery log, to be redelivered by hand or script. A
		// pull request whose head lacks a finished check is picked up by
		// reconcile within ReconcileInterval regardless; a refused push
		// leaves open pull requests judged against the previous tip
		// until the next push (the merge queue judges the current one).
		answer(http.StatusServiceUnavailable, outcome, err.Error())
		return
	}
	s.m.count(vs)
	s.remember(ts[0].job)
	log.Info("delivery accepted", "tasks", len(ts))
	answer(http.StatusAccepted, outAccepted, "queued")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
