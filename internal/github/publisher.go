// Package github posts a rendered review to a pull request: one review with
// its line comments, one summary comment updated in place, and a commit
// status that gates the merge. It takes text already rendered and escaped
// (package report renders it) and knows nothing of plans or findings.
//
// Publishing is idempotent. Every line comment carries a hidden fingerprint,
// so a re-run on the same head posts nothing new, and a comment whose
// fingerprint is no longer wanted is removed. GitHub's size limits are met by
// truncating with a visible note rather than by failing, and what GitHub
// refuses is reported to the caller and listed in the review rather than
// dropped.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// StatusContext names the commit status branch protection requires.
const StatusContext = "triangulate"

// Commit status states GitHub accepts.
const (
	StateSuccess = "success"
	StateFailure = "failure"
	StateError   = "error"
	StatePending = "pending"
)

// ErrReadOnly is returned when GitHub refuses a write with 403 and no sign of
// a rate limit: the token cannot write, as with a pull request from a fork.
// Callers fall back to Actions annotations and the job summary.
var ErrReadOnly = errors.New("github token cannot write to this pull request")

// ErrRejected marks line comments GitHub refused with 422, typically a line
// outside the diff. They are listed in the review body instead, and the rest
// of the publication still goes ahead.
var ErrRejected = errors.New("github rejected the review")

// PR identifies the pull request and the head commit being reviewed.
type PR struct {
	Owner, Repo string
	Number      int
	HeadSHA     string
}

// Comment is a line comment: markdown for one line of one side of the diff.
type Comment struct {
	Path string
	Line int
	// Side is the side of the diff, "RIGHT" (the head, and the default) or
	// "LEFT".
	Side string
	Body string
	// Brief is the comment in one line of markdown, naming its place, listed
	// in the review body when the comment cannot be posted (over the cap,
	// or rejected by GitHub); the body's first line stands in when empty.
	Brief string
	// Fingerprint identifies what the comment is about across runs and
	// pushes: a comment is posted once per fingerprint, and removed once
	// its fingerprint is neither in Comments nor in Keep.
	Fingerprint string
}

// Status is the commit status that decides whether the pull request may
// merge.
type Status struct {
	State       string // StateSuccess, StateFailure, StateError or StatePending
	Description string // cut to GitHub's 140 characters
	// TargetURL is where the status links; the summary comment when empty.
	TargetURL string
}

// Publication is everything one run publishes to a pull request.
type Publication struct {
	PR PR
	// Summary is the markdown of the summary comment.
	Summary string
	// Body is the markdown of the review body.
	Body string
	// Comments are the line comments.
	Comments []Comment
	// Keep lists fingerprints that still stand although they are not in
	// Comments (for instance on a line this push did not touch); earlier
	// comments carrying them are left alone.
	Keep   []string
	Status Status
}

// Outcome says what a publication did.
type Outcome struct {
	Posted  int // line comments created
	Skipped int // line comments already on the pull request
	Deleted int // outdated line comments removed
	// Listed counts line comments listed in the review body instead: over
	// the per-review cap, or rejected by GitHub.
	Listed int
	// Failed counts line comments GitHub rejected (422) or that could not be
	// posted at all; rejected ones are then listed, and counted there too.
	Failed int
	// ReviewURL is empty when nothing new needed a review.
	ReviewURL  string
	SummaryURL string
	Warnings   []string
}

// Option configures a Publisher.
type Option func(*Publisher)

// WithMaxComments caps the line comments in one review; the rest are listed
// in the review body. GitHub rejects or silently drops very large reviews.
func WithMaxComments(n int) Option {
	return func(p *Publisher) {
		if n > 0 {
			p.maxComments = n
		}
	}
}

// WithAuthor restricts the comments treated as this tool's own to those by
// login (for example "github-actions[bot]"), so a marker pasted by a person
// never gets their comment deleted or edited.
func WithAuthor(login string) Option {
	return func(p *Publisher) { p.author = login }
}

// WithSleep replaces how the retrying transport waits; tests pass a function
// that records the wait and returns at once.
func WithSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(p *Publisher) { p.retry.sleep = sleep }
}

// WithClock replaces the clock used to turn rate-limit reset times into waits.
func WithClock(now func() time.Time) Option {
	return func(p *Publisher) { p.retry.now = now }
}

// WithRetries sets how many times a request is tried in all (at least one)
// and the longest single wait worth making.
func WithRetries(attempts int, maxWait time.Duration) Option {
	return func(p *Publisher) {
		p.retry.maxAttempts = max(attempts, 1)
		p.retry.maxWait = maxWait
	}
}

// Publisher publishes to one GitHub instance with one token.
type Publisher struct {
	client      *gh.Client
	retry       *retryTransport
	maxComments int
	author      string
}

// New returns a Publisher for the REST API at baseURL (GITHUB_API_URL, e.g.
// https://api.github.com or https://ghe.example.com/api/v3). httpClient may be
// nil; its transport, if any, is wrapped with authentication and retries.
func New(httpClient *http.Client, baseURL, token string, opts ...Option) (*Publisher, error) {
	if token == "" {
		return nil, errors.New("create github publisher: empty token")
	}
	if baseURL == "" {
		baseURL = "https://api.github.com/"
	}
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	base, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("parse github api url: %w", err)
	}
	if base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("parse github api url: %q is not an http(s) url", baseURL)
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if httpClient != nil {
		c := *httpClient
		hc = &c
	}
	p := &Publisher{retry: newRetryTransport(hc.Transport), maxComments: defaultMaxComments}
	for _, opt := range opts {
		opt(p)
	}
	hc.Transport = p.retry
	// Setting BaseURL directly rather than WithEnterpriseURLs, which would
	// append api/v3/ to a URL that GITHUB_API_URL already gives in full.
	p.client = gh.NewClient(hc).WithAuthToken(token)
	p.client.BaseURL = base
	return p, nil
}

// Publish brings the pull request in line with pub. It carries on past
// failures that leave the rest meaningful (a rejected review still gets its
// summary and status), collecting them in the returned error; it stops at
// once on ErrReadOnly, since every later write would be refused too.
func (p *Publisher) Publish(ctx context.Context, pub Publication) (Outcome, error) {
	var out Outcome
	if err := validate(pub); err != nil {
		return out, fmt.Errorf("publish review: %w", err)
	}
	pr := pub.PR
	where := fmt.Sprintf("%s/%s#%d", pr.Owner, pr.Repo, pr.Number)

	existing, err := p.ownReviewComments(ctx, pr)
	if err != nil {
		return out, fmt.Errorf("list review comments on %s: %w", where, err)
	}
	reviews, err := p.ownReviews(ctx, pr)
	if err != nil {
		return out, fmt.Errorf("list reviews on %s: %w", where, err)
	}
	plan := planComments(pub, existing, reviews, p.maxComments)
	out.Skipped = plan.skipped
	out.Warnings = append(out.Warnings, plan.warnings...)

	var errs []error
	if err := p.publishReview(ctx, pub, plan, &out); err != nil {
		if errors.Is(err, ErrReadOnly) {
			return out, fmt.Errorf("create review on %s: %w", where, err)
		}
		errs = append(errs, fmt.Errorf("create review on %s: %w", where, err))
	}

	for _, c := range plan.obsolete {
		_, err := p.client.PullRequests.DeleteComment(ctx, pr.Owner, pr.Repo, c.GetID())
		switch {
		case err == nil:
			out.Deleted++
		case isStatus(err, http.StatusNotFound):
			// Already gone: someone resolved it by hand, or a parallel run won.
			out.Deleted++
		case isReadOnly(err):
			return out, fmt.Errorf("delete outdated comment %d on %s: %w: %w", c.GetID(), where, ErrReadOnly, err)
		default:
			errs = append(errs, fmt.Errorf("delete outdated comment %d on %s: %w", c.GetID(), where, err))
		}
	}

	if pub.Summary != "" {
		u, err := p.upsertSummary(ctx, pr, pub.Summary, &out)
		if isReadOnly(err) {
			return out, fmt.Errorf("publish summary on %s: %w: %w", where, ErrReadOnly, err)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("publish summary on %s: %w", where, err))
		}
		out.SummaryURL = u
	}

	target := pub.Status.TargetURL
	if target == "" {
		target = out.SummaryURL
	}
	status := &gh.RepoStatus{
		State:       gh.String(pub.Status.State),
		Description: gh.String(shortDescription(pub.Status.Description)),
		Context:     gh.String(StatusContext),
	}
	if target != "" {
		status.TargetURL = gh.String(target)
	}
	if _, _, err := p.client.Repositories.CreateStatus(ctx, pr.Owner, pr.Repo, pr.HeadSHA, status); err != nil {
		if isReadOnly(err) {
			return out, fmt.Errorf("set commit status on %s: %w: %w", pr.HeadSHA, ErrReadOnly, err)
		}
		errs = append(errs, fmt.Errorf("set commit status on %s: %w", pr.HeadSHA, err))
	}
	return out, errors.Join(errs...)
}

func validate(pub Publication) error {
	pr := pub.PR
	switch {
	case pr.Owner == "" || pr.Repo == "":
		return errors.New("missing repository owner or name")
	case pr.Number <= 0:
		return fmt.Errorf("invalid pull request number %d", pr.Number)
	case pr.HeadSHA == "":
		return errors.New("missing head commit")
	}
	switch pub.Status.State {
	case StateSuccess, StateFailure, StateError, StatePending:
	default:
		return fmt.Errorf("invalid status state %q", pub.Status.State)
	}
	for _, c := range pub.Comments {
		if c.Side != "" && c.Side != sideRight && c.Side != sideLeft {
			return fmt.Errorf("invalid side %q of comment on %s:%d", c.Side, c.Path, c.Line)
		}
	}
	return nil
}

// isReadOnly reports a 403 that is a refusal to write rather than a rate
// limit (go-github gives rate limits their own error types, and the headers
// are checked too in case the retrying transport gave up on one).
func isReadOnly(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusForbidden {
		return false
	}
	return !rateLimited(er.Response.Header)
}

func isStatus(err error, code int) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == code
}
