// Package github posts a rendered review to a pull request: one review with
// its line comments, one summary comment updated in place, and the verdict
// that gates the merge, as a commit status (a workflow's token) or as a
// check run owned by the Triangulate GitHub App (app.go), which no workflow
// can forge. It takes text already rendered and escaped (package report
// renders it) and knows nothing of plans or findings.
//
// Publishing is idempotent. Every line comment carries a hidden fingerprint,
// so a re-run on the same head posts nothing new, and a comment whose
// fingerprint is no longer wanted is removed. GitHub's size limits are met by
// truncating with a visible note rather than by failing, and what GitHub
// refuses is reported to the caller and listed in the review rather than
// dropped. Publish returns an error whenever part of a publication did not
// reach GitHub, so that no failure passes silently; as a check run, the
// verdict then becomes a failure that names what went wrong.
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

// CheckName names the check run branch protection requires, from the App.
const CheckName = "triangulate"

// The verdict's states: those of a commit status, plus neutral, which only
// a check run can show (a commit status has no such state).
const (
	StateSuccess = "success"
	StateFailure = "failure"
	StateError   = "error"
	StatePending = "pending"
	StateNeutral = "neutral"
)

// ReportAs says how the verdict reaches GitHub.
type ReportAs int

const (
	// ReportStatus sets the commit status StatusContext: what a
	// workflow's GITHUB_TOKEN can write, and so what any workflow in the
	// repository can overwrite.
	ReportStatus ReportAs = iota
	// ReportCheck completes a check run named CheckName owned by the App,
	// which branch protection can require from that App alone. It needs an
	// installation token: publishers from App.Publisher report this way.
	ReportCheck
)

// ErrReadOnly is returned when GitHub refuses a write with 403 and no sign of
// a rate limit: the token cannot write, as with a pull request from a fork.
// Callers fall back to Actions annotations and the job summary.
var ErrReadOnly = errors.New("github token cannot write to this pull request")

// ErrRejected marks line comments GitHub refused with 422 (typically a line
// outside the diff) when listing them in the review body instead failed as
// well. A rejection the review body makes up for is no error: the
// comments reach the pull request, and Outcome.Warnings says why they are
// listed.
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

// Status is the verdict that decides whether the pull request may merge:
// the commit status (ReportStatus), or the check run's conclusion and title
// (ReportCheck), where error counts as failure and pending leaves the check
// in progress.
type Status struct {
	// State is StateSuccess, StateFailure, StateError or StatePending, or
	// StateNeutral when reporting as a check run.
	State       string
	Description string // cut to GitHub's 140 characters in a status
	// TargetURL is where the status or check links; the summary comment
	// when empty.
	TargetURL string
}

// Publication is everything one run publishes to a pull request.
type Publication struct {
	// PR is the pull request and the commit the verdict is on. Number 0
	// (a merge group) publishes the verdict on HeadSHA only: no review,
	// summary comment or line comment.
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
	// Details is markdown a check run shows under its summary (its
	// output text); unused by a commit status.
	Details string
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
	// CheckURL is the check run's page, when reporting as a check run.
	CheckURL string
	Warnings []string
}

// Publisher publishes to one GitHub instance with one identity, for one run:
// its limits (limits.go) and the check run it started count for that run.
// It is not for use by several goroutines at once.
type Publisher struct {
	client      *gh.Client
	retry       *retryTransport
	maxComments int
	author      string
	reportAs    ReportAs
	// appID is the App whose check runs are this tool's, 0 with a token.
	appID int64
	// checkID is the check run Start opened, or the last one written.
	checkID int64
}

// New returns a Publisher for the REST API at baseURL (GITHUB_API_URL, e.g.
// https://api.github.com or https://ghe.example.com/api/v3). httpClient may be
// nil; its transport, if any, is wrapped with authentication and retries.
func New(httpClient *http.Client, baseURL, token string, opts ...Option) (*Publisher, error) {
	if token == "" {
		return nil, errors.New("create github publisher: empty token")
	}
	p, err := newPublisher(httpClient, baseURL, opts)
	if err != nil {
		return nil, err
	}
	p.client = p.client.WithAuthToken(token)
	return p, nil
}

// newPublisher returns a Publisher whose requests all go through the
// retrying, bounded transport, and carry no credentials of their own.
func newPublisher(httpClient *http.Client, baseURL string, opts []Option) (*Publisher, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: defaultTimeout}
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
	p.client = gh.NewClient(hc)
	p.client.BaseURL = base
	return p, nil
}

// defaultTimeout bounds one request, every retry included, when the caller
// gives no client: a GitHub answer takes well under a second, and a
// minute leaves room for the retries' waits.
const defaultTimeout = 60 * time.Second

// parseBaseURL reads GITHUB_API_URL (https://api.github.com when empty).
func parseBaseURL(baseURL string) (*url.URL, error) {
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
	return base, nil
}

// Publish brings the pull request in line with pub and reports the verdict.
// It carries on past failures that leave the rest meaningful (a failed
// review still gets its summary and verdict), collecting them in the
// returned error, which is nil only when everything reached GitHub.
// Reporting as a commit status it stops at once on ErrReadOnly, since every
// later write would be refused too. Reporting as a check run it always goes
// on to the check run, which then fails and names what did not reach
// GitHub: the App's right to write checks is separate from its right to
// comment.
func (p *Publisher) Publish(ctx context.Context, pub Publication) (Outcome, error) {
	var out Outcome
	if err := p.validate(pub); err != nil {
		return out, fmt.Errorf("publish review: %w", err)
	}
	var failed []error
	if pub.PR.Number > 0 {
		if err := p.publishConversation(ctx, pub, &out); err != nil {
			if errors.Is(err, ErrReadOnly) && p.reportAs == ReportStatus {
				return out, err
			}
			failed = append(failed, err)
		}
	}
	if p.reportAs == ReportCheck {
		return out, errors.Join(append(failed, p.completeCheck(ctx, pub, failed, &out))...)
	}
	if err := p.setStatus(ctx, pub.PR, pub.Status, out.SummaryURL); err != nil {
		if errors.Is(err, ErrReadOnly) {
			return out, err
		}
		failed = append(failed, err)
	}
	return out, errors.Join(failed...)
}

// publishConversation posts the review with its line comments, removes
// outdated ones and updates the summary comment.
func (p *Publisher) publishConversation(ctx context.Context, pub Publication, out *Outcome) error {
	pr := pub.PR
	where := fmt.Sprintf("%s/%s#%d", pr.Owner, pr.Repo, pr.Number)

	existing, err := p.ownReviewComments(ctx, pr)
	if err != nil {
		return readOnlyOr(fmt.Sprintf("list review comments on %s", where), err)
	}
	reviews, err := p.ownReviews(ctx, pr)
	if err != nil {
		return readOnlyOr(fmt.Sprintf("list reviews on %s", where), err)
	}
	plan := planComments(pub, existing, reviews, p.maxComments)
	out.Skipped = plan.skipped
	out.Warnings = append(out.Warnings, plan.warnings...)

	var errs []error
	if err := p.publishReview(ctx, pub, plan, out); err != nil {
		if errors.Is(err, ErrReadOnly) {
			return fmt.Errorf("create review on %s: %w", where, err)
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
			return fmt.Errorf("delete outdated comment %d on %s: %w: %w", c.GetID(), where, ErrReadOnly, err)
		default:
			errs = append(errs, fmt.Errorf("delete outdated comment %d on %s: %w", c.GetID(), where, err))
		}
	}

	if pub.Summary != "" {
		u, err := p.upsertSummary(ctx, pr, pub.Summary, out)
		if isReadOnly(err) {
			return fmt.Errorf("publish summary on %s: %w: %w", where, ErrReadOnly, err)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("publish summary on %s: %w", where, err))
		}
		out.SummaryURL = u
	}
	return errors.Join(errs...)
}

// setStatus sets the commit status, linking to target unless the status
// names its own.
func (p *Publisher) setStatus(ctx context.Context, pr PR, st Status, target string) error {
	if st.TargetURL != "" {
		target = st.TargetURL
	}
	status := &gh.RepoStatus{
		State:       gh.String(st.State),
		Description: gh.String(shortDescription(st.Description)),
		Context:     gh.String(StatusContext),
	}
	if target != "" {
		status.TargetURL = gh.String(target)
	}
	if _, _, err := p.client.Repositories.CreateStatus(ctx, pr.Owner, pr.Repo, pr.HeadSHA, status); err != nil {
		return readOnlyOr("set commit status on "+pr.HeadSHA, err)
	}
	return nil
}

// readOnlyOr wraps err with what failed, marking a refusal to write as
// ErrReadOnly.
func readOnlyOr(what string, err error) error {
	if isReadOnly(err) {
		return fmt.Errorf("%s: %w: %w", what, ErrReadOnly, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (p *Publisher) validate(pub Publication) error {
	pr := pub.PR
	switch {
	case pr.Owner == "" || pr.Repo == "":
		return errors.New("missing repository owner or name")
	case pr.Number < 0:
		return fmt.Errorf("invalid pull request number %d", pr.Number)
	case pr.HeadSHA == "":
		return errors.New("missing head commit")
	case pr.Number == 0 && (len(pub.Comments) > 0 || pub.Body != ""):
		// Said rather than dropped: a merge group's verdict shows its
		// findings in the check run's Summary and Details.
		return errors.New("line comments and a review body need a pull request")
	}
	switch pub.Status.State {
	case StateSuccess, StateFailure, StateError, StatePending:
	case StateNeutral:
		if p.reportAs != ReportCheck {
			return errors.New("state neutral is for check runs only: a commit status has none")
		}
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
