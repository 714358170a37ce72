// Package app is the Triangulate GitHub App's backend: it gives the webhook
// server (internal/server) its Reviewer and Lister by joining the pieces the
// review command uses one at a time. For each job it fetches the repository
// (internal/gitrepo), judges the pull request as merged into the current
// submission branch or judges the merge group's commit (internal/review),
// renders the result (internal/report) and publishes it as the App's check
// run, with the review and line comments on a pull request
// (internal/github). It decides nothing itself.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/cache"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/panics"
	"github.com/triangulate-nhs/triangulate/internal/report"
	"github.com/triangulate-nhs/triangulate/internal/review"
	"github.com/triangulate-nhs/triangulate/internal/server"
)

// GitHub is what the backend needs from GitHub: a publisher and git
// credentials per installation (installation 0 in token mode), and the
// repositories to reconcile. A Publisher holds one run's request budget, so
// the backend asks for a new one for every job.
type GitHub interface {
	Publisher(ctx context.Context, installation int64) (*github.Publisher, error)
	GitAuth(ctx context.Context, installation int64) (gitrepo.Auth, error)
	Repositories(ctx context.Context) ([]server.Repository, error)
}

// Backend implements server.Reviewer and server.Lister.
type Backend struct {
	GitHub GitHub
	Cache  *gitrepo.Cache
	// Results keeps check results between reviews (nil: none). Only the
	// submission branch's rules use it; proposed rules run in the sandbox.
	Results *cache.Cache
	// Memo keeps the submission branch's compiled rules and its tip's
	// check in memory between reviews (nil: none).
	Memo *check.Memo
	// Branch is the submission branch ("" for review.DefaultSubmissionBranch).
	Branch string
	// Now decides which waivers are in date (nil: time.Now).
	Now func() time.Time
	// Logger takes what the backend notes but does not fail a review
	// for (nil: slog.Default()).
	Logger *slog.Logger
}

func (b *Backend) logger() *slog.Logger {
	if b.Logger == nil {
		return slog.Default()
	}
	return b.Logger
}

var (
	_ server.Reviewer = (*Backend)(nil)
	_ server.Lister   = (*Backend)(nil)
)

func (b *Backend) branch() string {
	if b.Branch == "" {
		return review.DefaultSubmissionBranch
	}
	return b.Branch
}

// Review judges one job and publishes its check. A superseded or shut-down
// review (ctx done) publishes nothing; a review that fails on the server's
// last attempt publishes a failed check saying why, so no failure is silent.
func (b *Backend) Review(ctx context.Context, j server.Job) error {
	// Each review writes the head's new results: the cache on disk is
	// kept near its bound for as long as the server runs.
	defer func() {
		if err := b.Results.MaybeTrim(); err != nil {
			b.logger().Warn("trim result cache", "err", err)
		}
	}()
	p, err := b.GitHub.Publisher(ctx, j.Installation)
	if err != nil {
		return fmt.Errorf("authenticate for %s/%s: %w", j.Owner, j.Repo, err)
	}
	pr := github.PR{Owner: j.Owner, Repo: j.Repo, Number: j.PR, HeadSHA: j.HeadSHA}
	if err := p.Start(ctx, pr); err != nil {
		return fmt.Errorf("start check on %s: %w", short(j.HeadSHA), err)
	}
	// A panic while judging is a failure like any other: on the last
	// attempt the check says so, rather than staying in progress.
	var rv *review.Review
	err = panics.Call(func() (err error) {
		rv, err = b.judge(ctx, j)
		return err
	})
	if err != nil {
		if ctx.Err() == nil && server.LastAttempt(ctx) {
			if ferr := p.Fail(ctx, pr, err); ferr != nil {
				err = errors.Join(err, fmt.Errorf("report the failure: %w", ferr))
			}
		}
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err() // superseded while judging: a newer head speaks
	}
	if _, err := p.Publish(ctx, Publication(pr, report.RenderReview(rv))); err != nil {
		return fmt.Errorf("publish review of %s: %w", short(j.HeadSHA), err)
	}
	return nil
}

// judge fetches what the job needs and judges it.
func (b *Backend) judge(ctx context.Context, j server.Job) (*review.Review, error) {
	auth, err := b.GitHub.GitAuth(ctx, j.Installation)
	if err != nil {
		return nil, fmt.Errorf("get git credentials: %w", err)
	}
	wants := []string{"refs/heads/" + b.branch()}
	switch {
	case j.Kind == server.KindMergeGroup && j.HeadRef != "":
		wants = append(wants, j.HeadRef)
	case j.PR > 0:
		wants = append(wants, fmt.Sprintf("refs/pull/%d/head", j.PR))
	}
	wants = append(wants, j.HeadSHA)
	repo, err := b.Cache.Fetch(ctx, j.CloneURL, auth, wants...)
	if err != nil {
		return nil, fmt.Errorf("fetch %s/%s: %w", j.Owner, j.Repo, err)
	}
	defer repo.Close()
	opts := review.Options{SubmissionBranch: b.branch(), Check: check.Options{Today: b.now(), Cache: b.Results, Memo: b.Memo}}
	if j.Kind == server.KindMergeGroup {
		return review.RunGroup(ctx, repo, review.MergeGroup{Base: j.BaseRef, BaseSHA: j.BaseSHA, HeadSHA: j.HeadSHA}, opts)
	}
	return review.RunMerged(ctx, repo, review.PullRequest{Base: j.BaseRef, Head: j.HeadSHA}, opts)
}

func (b *Backend) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}

// Pending lists the open pull requests whose head has no finished check of
// ours: after a restart they are judged again, the others are not.
func (b *Backend) Pending(ctx context.Context, installation int64, owner, repo string) ([]server.Job, error) {
	p, open, err := b.openPullRequests(ctx, installation, owner, repo)
	if err != nil {
		return nil, err
	}
	var out []server.Job
	for _, pr := range open {
		done, err := p.HeadHasFinishedCheck(ctx, owner, repo, pr.HeadSHA, github.CheckName)
		if err != nil {
			return out, err
		}
		if !done {
			out = append(out, job(server.KindReconcile, installation, owner, repo, pr))
		}
	}
	return out, nil
}

// Open lists every open pull request, for judging them again after the
// submission branch moves.
func (b *Backend) Open(ctx context.Context, installation int64, owner, repo string) ([]server.Job, error) {
	_, open, err := b.openPullRequests(ctx, installation, owner, repo)
	if err != nil {
		return nil, err
	}
	out := make([]server.Job, 0, len(open))
	for _, pr := range open {
		out = append(out, job(server.KindMainMoved, installation, owner, repo, pr))
	}
	return out, nil
}

// openPullRequests lists a repository's open pull requests, with the
// publisher that listed them.
func (b *Backend) openPullRequests(ctx context.Context, installation int64, owner, repo string) (*github.Publisher, []github.PRInfo, error) {
	p, err := b.GitHub.Publisher(ctx, installation)
	if err != nil {
		return nil, nil, fmt.Errorf("authenticate for %s/%s: %w", owner, repo, err)
	}
	open, err := p.ListOpenPullRequests(ctx, owner, repo)
	return p, open, err
}

// Repositories lists what to reconcile.
func (b *Backend) Repositories(ctx context.Context) ([]server.Repository, error) {
	return b.GitHub.Repositories(ctx)
}

func job(kind string, installation int64, owner, repo string, pr github.PRInfo) server.Job {
	return server.Job{Kind: kind, Installation: installation, Owner: owner, Repo: repo, CloneURL: pr.CloneURL,
		PR: pr.Number, HeadSHA: pr.HeadSHA, BaseRef: pr.BaseRef, BaseSHA: pr.BaseSHA}
}

// Publication turns the rendered review into what GitHub is sent. A merge
// group (PR 0) gets the verdict only, its explanation in the check's text.
func Publication(pr github.PR, out report.ReviewOutput) github.Publication {
	pub := github.Publication{PR: pr, Summary: out.Summary, Keep: out.Keep,
		Status: github.Status{State: out.State, Description: out.Description}}
	if pr.Number == 0 {
		pub.Details = out.Body
		return pub
	}
	pub.Body = out.Body
	for _, c := range out.Comments {
		pub.Comments = append(pub.Comments, github.Comment{
			Path: c.Path, Line: c.Line, Side: c.Side, Body: c.Body, Brief: c.Brief, Fingerprint: c.Fingerprint,
		})
	}
	return pub
}

func short(sha string) string { return sha[:min(12, len(sha))] }
