package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/panics"
)

// work runs tasks until the queue closes.
func (s *Server) work(base context.Context) {
	for {
		t, ctx, ok := s.q.take(base)
		if !ok {
			return
		}
		err := s.runTask(ctx, t)
		s.q.finish(t, err == nil)
	}
}

// runTask runs one task and accounts for it: metrics, a log line, and a
// retry when it failed for a reason of its own.
func (s *Server) runTask(ctx context.Context, t *task) error {
	log := s.log.With(jobAttrs(t.job)...)
	if t.fan != nil {
		log = log.With("fanout", t.fan.kind)
	}
	start := time.Now()
	var err error
	if t.fan != nil {
		err = panics.Call(func() error { return s.fanOut(ctx, t) })
	} else {
		rctx, cancel := context.WithTimeout(withAttempt(ctx, t.attempt, MaxAttempts), reviewTimeout)
		err = panics.Call(func() error { return s.cfg.Reviewer.Review(rctx, t.job) })
		cancel()
	}
	took := time.Since(start)
	cause := context.Cause(ctx)
	outcome := reviewOK
	switch {
	case err == nil:
	case errors.Is(cause, errSuperseded):
		outcome = reviewSuperseded
		s.m.superseded.WithLabelValues("running").Inc()
	case errors.Is(cause, errShutdown):
		outcome = reviewCancelled
	default:
		outcome = reviewError
	}
	if t.fan == nil {
		s.m.reviews.WithLabelValues(outcome).Inc()
		s.m.duration.WithLabelValues(t.job.Kind).Observe(took.Seconds())
	}
	switch outcome {
	case reviewOK:
		log.Info("review done", "took", took.String())
	case reviewError:
		attrs := []any{"attempt", t.attempt, "of", MaxAttempts, "err", err}
		if pe := (*panics.Error)(nil); errors.As(err, &pe) {
			attrs = append(attrs, "stack", string(pe.Stack))
		}
		log.Error("review failed", attrs...)
		s.retry(t)
	default:
		log.Info("review stopped", "outcome", outcome, "why", cause.Error())
	}
	return err
}

// retry queues a failed task again after a backoff unless it was the last
// attempt; newer work for the key in the meantime wins.
func (s *Server) retry(t *task) {
	if t.attempt >= MaxAttempts {
		return
	}
	next := *t
	next.attempt++
	next.mode = passive
	wait := s.cfg.RetryBackoff << (t.attempt - 1)
	s.retryMu.Lock()
	defer s.retryMu.Unlock()
	if s.retries == nil { // shutting down
		return
	}
	var timer *time.Timer
	timer = time.AfterFunc(wait, func() {
		s.retryMu.Lock()
		delete(s.retries, timer)
		s.retryMu.Unlock()
		vs, err := s.q.submit([]*task{&next}, false)
		if err != nil {
			s.log.Warn("retry not queued", append(jobAttrs(next.job), "err", err)...)
			return
		}
		s.m.count(vs)
	})
	s.retries[timer] = struct{}{}
}

func (s *Server) stopRetries() {
	s.retryMu.Lock()
	defer s.retryMu.Unlock()
	for t := range s.retries {
		t.Stop()
	}
	s.retries = nil
}

// fanOut lists the repository's open pull requests and queues a review of
// each one the fan-out selects. Queuing is unbounded: these are known,
// bounded by GitHub's listing, and refusing them would lose them.
func (s *Server) fanOut(ctx context.Context, t *task) error {
	lctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	open, err := s.cfg.Lister.Open(lctx, t.job.Installation, t.job.Owner, t.job.Repo)
	if err != nil {
		return fmt.Errorf("list open pull requests of %s/%s: %w", t.job.Owner, t.job.Repo, err)
	}
	var ts []*task
	for _, j := range open {
		if (t.fan.baseRef != "" && j.BaseRef != t.fan.baseRef) || (t.fan.headSHA != "" && !strings.EqualFold(j.HeadSHA, t.fan.headSHA)) {
			continue
		}
		j.Kind, j.Delivery = t.fan.kind, t.job.Delivery
		j.Installation, j.Owner, j.Repo = t.job.Installation, t.job.Owner, t.job.Repo
		if j.CloneURL == "" {
			j.CloneURL = t.job.CloneURL
		}
		m := active
		if t.fan.kind == KindMainMoved {
			j.BaseSHA = t.job.BaseSHA // judged against the tip the push made
			m = refresh
		}
		ts = append(ts, &task{key: prKey(j.Owner, j.Repo, j.PR), job: j, attempt: 1, mode: m})
	}
	if len(ts) == 0 {
		s.log.Info("fan-out found nothing to review", jobAttrs(t.job)...)
		return nil
	}
	vs, err := s.q.submit(ts, false)
	if err != nil {
		return fmt.Errorf("queue reviews of %s/%s: %w", t.job.Owner, t.job.Repo, err)
	}
	s.m.count(vs)
	s.log.Info("fan-out queued reviews", append(jobAttrs(t.job), "pull_requests", len(ts))...)
	return nil
}

// Keys serialise work: one pull request, one merge-group commit, or one
// repository's fan-out. GitHub names are case-insensitive.
func prKey(owner, repo string, pr int) string {
	return fmt.Sprintf("%s/%s#%d", strings.ToLower(owner), strings.ToLower(repo), pr)
}

func commitKey(owner, repo, sha string) string {
	return fmt.Sprintf("%s/%s@%s", strings.ToLower(owner), strings.ToLower(repo), strings.ToLower(sha))
}

func fanoutKey(owner, repo string, f *fanout) string {
	if f.headSHA != "" {
		return fmt.Sprintf("%s/%s!rerun@%s", strings.ToLower(owner), strings.ToLower(repo), strings.ToLower(f.headSHA))
	}
	return fmt.Sprintf("%s/%s!%s", strings.ToLower(owner), strings.ToLower(repo), f.kind)
}

func jobAttrs(j Job) []any {
	attrs := []any{slog.String("kind", j.Kind), slog.String("repo", j.Owner+"/"+j.Repo)}
	if j.Delivery != "" {
		attrs = append(attrs, slog.String("delivery", j.Delivery))
	}
	if j.PR != 0 {
		attrs = append(attrs, slog.Int("pr", j.PR))
	}
	if j.HeadSHA != "" {
		attrs = append(attrs, slog.String("head", j.HeadSHA))
	}
	return attrs
}
