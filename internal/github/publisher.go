// Package github publishes what a pull request changes in the plans to the
// pull request itself: one review with a line comment for each new finding on
// a line the diff touches, one summary comment regulators read, updated in
// place, and a commit status that gates the merge.
//
// Publishing is idempotent. Every comment carries a hidden fingerprint, so a
// re-run on the same head posts nothing new, and a push that fixes a finding
// removes the comment about it. GitHub's size limits are met by truncating
// with a visible note rather than by failing, and what GitHub refuses is
// reported to the caller rather than dropped.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
// outside the diff. The rest of the publication still goes ahead.
var ErrRejected = errors.New("github rejected the review")

// PR identifies the pull request and the head commit being reviewed.
type PR struct {
	Owner, Repo string
	Number      int
	HeadSHA     string
}

// Comment is a finding placed on a line of the pull request's new version
// (the RIGHT side of the diff).
type Comment struct {
	Path string
	Line int
	Body string
	// Fingerprint identifies the finding across runs and pushes; see
	// finding.Finding.Fingerprint.
	Fingerprint string
}

// Gate is the commit status that decides whether the pull request may merge.
type Gate struct {
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
	// Body is the review body: findings not on lines the diff touches.
	Body string
	// Comments are the findings on lines the diff touches.
	Comments []Comment
	// Keep lists fingerprints of findings that still stand although they are
	// not in Comments (for instance on a line this push did not touch);
	// earlier comments carrying them are left alone.
	Keep []string
	Gate Gate
}

// Outcome says what a publication did.
type Outcome struct {
	Posted  int // line comments created
	Skipped int // line comments already on the pull request
	Deleted int // outdated line comments removed
	// Listed counts new findings listed in the review body instead of as
	// line comments: over the per-review cap, or rejected by GitHub.
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

	target := pub.Gate.TargetURL
	if target == "" {
		target = out.SummaryURL
	}
	status := &gh.RepoStatus{
		State:       gh.String(pub.Gate.State),
		Description: gh.String(shortDescription(pub.Gate.Description)),
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
	switch pub.Gate.State {
	case StateSuccess, StateFailure, StateError, StatePending:
		return nil
	default:
		return fmt.Errorf("invalid gate state %q", pub.Gate.State)
	}
}

// commentPlan is what to do with line comments, decided before any write.
type commentPlan struct {
	post     []Comment                // new, within the per-review cap
	listed   []Comment                // new, over the cap: listed in the body
	obsolete []*gh.PullRequestComment // ours, no longer wanted
	skipped  int
	// bodyPosted is set when a review already carries this body.
	bodyPosted bool
	warnings   []string
}

func planComments(pub Publication, existing []*gh.PullRequestComment, reviews []*gh.PullRequestReview, maxComments int) commentPlan {
	var plan commentPlan
	wanted := map[string]bool{}
	for _, fp := range pub.Keep {
		wanted[safeFingerprint(fp)] = true
	}
	hash := bodyHash(pub.Body)
	already := map[string]bool{} // fingerprints posted earlier, as comments or listed
	for _, r := range reviews {
		for _, fp := range listedIn(r.GetBody()) {
			already[fp] = true
		}
		if m := reviewRe.FindStringSubmatch(r.GetBody()); m != nil && m[1] == hash {
			plan.bodyPosted = true
		}
	}
	obsolete := map[int64]bool{}
	commented := map[string]bool{}
	for _, c := range existing {
		fp, _ := fingerprintOf(c.GetBody())
		if commented[fp] {
			// A second comment with the same fingerprint: a retried write
			// that GitHub had completed after all. Keep the oldest only.
			obsolete[c.GetID()] = true
			plan.obsolete = append(plan.obsolete, c)
			continue
		}
		commented[fp] = true
		already[fp] = true
	}
	seen := map[string]bool{}
	for _, c := range pub.Comments {
		c.Fingerprint = safeFingerprint(c.Fingerprint)
		if c.Fingerprint == "" {
			c.Fingerprint = bodyHash(c.Path + "\x00" + c.Body)
		}
		if seen[c.Fingerprint] {
			continue
		}
		seen[c.Fingerprint] = true
		wanted[c.Fingerprint] = true
		switch {
		case already[c.Fingerprint]:
			plan.skipped++
		case c.Path == "" || c.Line < 1:
			plan.warnings = append(plan.warnings, fmt.Sprintf("comment %s has no file line; listed in the review body", c.Fingerprint))
			plan.listed = append(plan.listed, c)
		case len(plan.post) >= maxComments:
			plan.listed = append(plan.listed, c)
		default:
			plan.post = append(plan.post, c)
		}
	}
	for _, c := range existing {
		fp, _ := fingerprintOf(c.GetBody())
		if !wanted[fp] && !obsolete[c.GetID()] {
			plan.obsolete = append(plan.obsolete, c)
		}
	}
	return plan
}

// buildReview returns the review to create, or nil when there is nothing new
// to say: no new line comments and a body already posted (or empty).
func (p *Publisher) buildReview(pub Publication, plan commentPlan, out *Outcome) *gh.PullRequestReviewRequest {
	body := ""
	if !plan.bodyPosted {
		body = strings.TrimSpace(pub.Body)
	}
	if len(plan.post) == 0 && len(plan.listed) == 0 && body == "" {
		return nil
	}
	if body == "" {
		// GitHub requires a body on a COMMENT review.
		body = fmt.Sprintf("Triangulate: %s on lines this pull request changes.",
			plural(len(plan.post)+len(plan.listed), "new finding", "new findings"))
	}

	// The listed section and the markers go in the suffix, which is kept
	// whole, so that the caller's body is what gets truncated when space
	// runs out; the listed section takes at most half the room.
	var listedSection strings.Builder
	var listedFPs []string
	if len(plan.listed) > 0 {
		fmt.Fprintf(&listedSection, "\n\n---\n**%s, not shown as line comments** (one review carries at most %d):\n",
			plural(len(plan.listed), "further finding on changed lines", "further findings on changed lines"), p.maxComments)
		markerBytes := 0
		for i, c := range plan.listed {
			line := fmt.Sprintf("\n- `%s:%d` %s", c.Path, c.Line, firstLine(c.Body, 200))
			if listedSection.Len()+len(line)+markerBytes+len(c.Fingerprint)+1 > maxBodyBytes/2 {
				fmt.Fprintf(&listedSection, "\n- … and %d more, shown when this review is run again.", len(plan.listed)-i)
				break
			}
			listedSection.WriteString(line)
			listedFPs = append(listedFPs, c.Fingerprint)
			markerBytes += len(c.Fingerprint) + 1
		}
	}
	suffix := listedSection.String() + "\n\n" + reviewMarker(bodyHash(pub.Body))
	if len(listedFPs) > 0 {
		suffix += "\n" + listedMarker(listedFPs)
	}
	text, cut := withSuffix(body, suffix, maxBodyBytes)
	if cut {
		out.Warnings = append(out.Warnings, "review body truncated to GitHub's size limit")
	}
	out.Listed = len(listedFPs)

	req := &gh.PullRequestReviewRequest{
		CommitID: gh.String(pub.PR.HeadSHA),
		Body:     gh.String(text),
		Event:    gh.String("COMMENT"),
	}
	for _, c := range plan.post {
		cbody, cut := withSuffix(c.Body, "\n\n"+fingerprintMarker(c.Fingerprint), maxBodyBytes)
		if cut {
			out.Warnings = append(out.Warnings, fmt.Sprintf("comment on %s:%d truncated to GitHub's size limit", c.Path, c.Line))
		}
		req.Comments = append(req.Comments, &gh.DraftReviewComment{
			Path: gh.String(c.Path),
			Line: gh.Int(c.Line),
			Side: gh.String("RIGHT"),
			Body: gh.String(cbody),
		})
	}
	return req
}

// publishReview creates the review, if there is anything new to say. When
// GitHub rejects the line comments (422, usually a line outside the diff, and
// GitHub does not say which), the review is created again with every comment
// listed in its body, so the findings still reach the pull request; the
// rejection is returned all the same.
func (p *Publisher) publishReview(ctx context.Context, pub Publication, plan commentPlan, out *Outcome) error {
	req := p.buildReview(pub, plan, out)
	if req == nil {
		return nil
	}
	review, _, err := p.client.PullRequests.CreateReview(ctx, pub.PR.Owner, pub.PR.Repo, pub.PR.Number, req)
	if err == nil {
		out.Posted = len(req.Comments)
		out.ReviewURL = review.GetHTMLURL()
		return nil
	}
	if isReadOnly(err) {
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	if !isStatus(err, http.StatusUnprocessableEntity) || len(plan.post) == 0 {
		out.Failed += len(req.Comments) + out.Listed
		out.Listed = 0
		return err
	}
	rejected := fmt.Errorf("%w (%s): %w", ErrRejected,
		plural(len(req.Comments), "line comment", "line comments"), err)
	out.Failed += len(plan.post)
	out.Warnings = append(out.Warnings, fmt.Sprintf("GitHub rejected %s; listed in the review body instead",
		plural(len(plan.post), "line comment", "line comments")))
	plan.listed = append(slices.Clone(plan.post), plan.listed...)
	plan.post = nil
	req = p.buildReview(pub, plan, out)
	review, _, err = p.client.PullRequests.CreateReview(ctx, pub.PR.Owner, pub.PR.Repo, pub.PR.Number, req)
	if err != nil {
		out.Failed += out.Listed
		out.Listed = 0
		if isReadOnly(err) {
			return fmt.Errorf("%w: %w", ErrReadOnly, err)
		}
		return errors.Join(rejected, fmt.Errorf("create review without line comments: %w", err))
	}
	out.ReviewURL = review.GetHTMLURL()
	return rejected
}

// ownReviewComments lists the pull request's line comments that this tool
// posted, oldest first.
func (p *Publisher) ownReviewComments(ctx context.Context, pr PR) ([]*gh.PullRequestComment, error) {
	var own []*gh.PullRequestComment
	opts := &gh.PullRequestListCommentsOptions{
		Sort: "created", Direction: "asc",
		ListOptions: gh.ListOptions{PerPage: 100},
	}
	for {
		page, resp, err := p.client.PullRequests.ListComments(ctx, pr.Owner, pr.Repo, pr.Number, opts)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			if _, ok := fingerprintOf(c.GetBody()); ok && p.isOurs(c.GetUser()) {
				own = append(own, c)
			}
		}
		if resp.NextPage == 0 {
			return own, nil
		}
		opts.Page = resp.NextPage
	}
}

// ownReviews lists the reviews this tool created.
func (p *Publisher) ownReviews(ctx context.Context, pr PR) ([]*gh.PullRequestReview, error) {
	var own []*gh.PullRequestReview
	opts := &gh.ListOptions{PerPage: 100}
	for {
		page, resp, err := p.client.PullRequests.ListReviews(ctx, pr.Owner, pr.Repo, pr.Number, opts)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			if reviewRe.MatchString(r.GetBody()) && p.isOurs(r.GetUser()) {
				own = append(own, r)
			}
		}
		if resp.NextPage == 0 {
			return own, nil
		}
		opts.Page = resp.NextPage
	}
}

// upsertSummary edits the summary comment in place, or creates it the first
// time, and returns its URL.
func (p *Publisher) upsertSummary(ctx context.Context, pr PR, summary string, out *Outcome) (string, error) {
	body, cut := withSuffix(summary, "\n\n"+summaryMarker, maxBodyBytes)
	if cut {
		out.Warnings = append(out.Warnings, "summary truncated to GitHub's size limit")
	}
	var found *gh.IssueComment
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for found == nil {
		page, resp, err := p.client.Issues.ListComments(ctx, pr.Owner, pr.Repo, pr.Number, opts)
		if err != nil {
			return "", fmt.Errorf("list comments: %w", err)
		}
		for _, c := range page {
			if strings.Contains(c.GetBody(), summaryMarker) && p.isOurs(c.GetUser()) {
				found = c
				break
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	comment := &gh.IssueComment{Body: gh.String(body)}
	if found != nil {
		edited, _, err := p.client.Issues.EditComment(ctx, pr.Owner, pr.Repo, found.GetID(), comment)
		if err != nil {
			return found.GetHTMLURL(), fmt.Errorf("edit comment %d: %w", found.GetID(), err)
		}
		return edited.GetHTMLURL(), nil
	}
	created, _, err := p.client.Issues.CreateComment(ctx, pr.Owner, pr.Repo, pr.Number, comment)
	if err != nil {
		return "", fmt.Errorf("create comment: %w", err)
	}
	return created.GetHTMLURL(), nil
}

func (p *Publisher) isOurs(u *gh.User) bool {
	return p.author == "" || strings.EqualFold(u.GetLogin(), p.author)
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

// PRInfo is what a review needs to know about a pull request: the commits and
// branches it compares, and where each lives (the head may be a fork).
type PRInfo struct {
	Number           int
	BaseSHA, HeadSHA string
	BaseRef, HeadRef string
	// HeadRepoFullName is empty when the fork the head came from has been
	// deleted.
	HeadRepoFullName string
	BaseRepoFullName string
}

// PullRequest returns the base and head of a pull request.
func (p *Publisher) PullRequest(ctx context.Context, owner, repo string, number int) (PRInfo, error) {
	where := fmt.Sprintf("%s/%s#%d", owner, repo, number)
	switch {
	case owner == "" || repo == "":
		return PRInfo{}, fmt.Errorf("get pull request %s: missing repository owner or name", where)
	case number <= 0:
		return PRInfo{}, fmt.Errorf("get pull request %s: invalid pull request number %d", where, number)
	}
	pr, _, err := p.client.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return PRInfo{}, fmt.Errorf("get pull request %s: %w", where, err)
	}
	info := PRInfo{
		Number:           pr.GetNumber(),
		BaseSHA:          pr.GetBase().GetSHA(),
		HeadSHA:          pr.GetHead().GetSHA(),
		BaseRef:          pr.GetBase().GetRef(),
		HeadRef:          pr.GetHead().GetRef(),
		HeadRepoFullName: pr.GetHead().GetRepo().GetFullName(),
		BaseRepoFullName: pr.GetBase().GetRepo().GetFullName(),
	}
	// Reviewing against an empty commit would compare the wrong trees
	// without any error to show for it.
	if info.BaseSHA == "" || info.HeadSHA == "" {
		return PRInfo{}, fmt.Errorf("get pull request %s: answer lacks the base or head commit", where)
	}
	return info, nil
}
