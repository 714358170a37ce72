package server

import (
	"context"
	"strings"
	"time"
)

// reconcileLoop reconciles at once, marks the server ready, and again
// every ReconcileInterval until ctx ends.
func (s *Server) reconcileLoop(ctx context.Context) {
	s.reconcile(ctx)
	s.reconciled.Store(true)
	tick := time.NewTicker(s.cfg.ReconcileInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.reconcile(ctx)
		}
	}
}

// reconcile asks the Reviewer, for every known repository, which open pull
// requests lack a finished check, and queues those not already in hand. It
// is what makes a lost delivery, a refused one or a crash mid-review cost
// time rather than a review. Failures are logged and left to the next pass:
// readiness must not depend on GitHub answering.
func (s *Server) reconcile(ctx context.Context) {
	for _, r := range s.knownRepositories(ctx) {
		if ctx.Err() != nil {
			return
		}
		log := s.log.With("repo", r.Owner+"/"+r.Repo, "installation", r.Installation)
		lctx, cancel := context.WithTimeout(ctx, listTimeout)
		jobs, err := s.cfg.Reviewer.Pending(lctx, r.Installation, r.Owner, r.Repo)
		cancel()
		if err != nil {
			s.m.reconciles.WithLabelValues("error").Inc()
			log.Error("reconcile: list pending pull requests", "err", err)
			continue
		}
		s.m.reconciles.WithLabelValues("ok").Inc()
		if len(jobs) == 0 {
			continue
		}
		ts := make([]*task, 0, len(jobs))
		for _, j := range jobs {
			j.Kind, j.Delivery = KindReconcile, ""
			j.Installation, j.Owner, j.Repo = r.Installation, r.Owner, r.Repo
			if j.CloneURL == "" {
				j.CloneURL = r.CloneURL
			}
			key := prKey(j.Owner, j.Repo, j.PR)
			if j.PR == 0 {
				key = commitKey(j.Owner, j.Repo, j.HeadSHA)
			}
			ts = append(ts, &task{key: key, job: j, attempt: 1, mode: passive})
		}
		vs, err := s.q.submit(ts, false)
		if err != nil {
			log.Warn("reconcile: queue reviews", "err", err)
			return
		}
		s.m.count(vs)
		n := 0
		for _, v := range vs {
			if v == queued {
				n++
			}
		}
		s.m.reconciles.WithLabelValues("queued").Add(float64(n))
		log.Info("reconcile", "pending", len(jobs), "queued", n)
	}
}

// knownRepositories is the Lister's repositories and those named by
// deliveries since the start, each once.
func (s *Server) knownRepositories(ctx context.Context) []Repository {
	lctx, cancel := context.WithTimeout(ctx, listTimeout)
	listed, err := s.cfg.Lister.Repositories(lctx)
	cancel()
	if err != nil {
		s.log.Error("reconcile: list repositories", "err", err)
	}
	seen := map[string]bool{}
	var out []Repository
	for _, r := range append(listed, s.repos.values()...) {
		k := repoKey(r.Owner, r.Repo)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// remember notes a repository a delivery named, for reconcile.
func (s *Server) remember(j Job) {
	s.repos.put(repoKey(j.Owner, j.Repo), Repository{Installation: j.Installation, Owner: j.Owner, Repo: j.Repo, CloneURL: j.CloneURL})
}

func repoKey(owner, repo string) string {
	return strings.ToLower(owner) + "/" + strings.ToLower(repo)
}
