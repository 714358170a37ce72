package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	gh "github.com/google/go-github/v60/github"
)

// Check run conclusions the verdict maps to.
const (
	conclusionSuccess = "success"
	conclusionFailure = "failure"
	conclusionNeutral = "neutral"
)

// GitHub's limits on a check run's output.
const (
	// maxCheckTextBytes caps the summary and the text: GitHub allows 65,535
	// characters each, and bytes never outnumber characters.
	maxCheckTextBytes = 65535
	// maxCheckTitleRunes caps the title. GitHub documents no limit, but the
	// title is one line beside the check in the pull request; the verdict
	// line is under 140 characters, so this only stops runaway text.
	maxCheckTitleRunes = 255
	// maxReasonBytes caps the errors quoted in a failed check run: a few
	// wrapped GitHub errors take a kilobyte, and the summary must keep
	// room for the review itself.
	maxReasonBytes = 8 << 10
)

const checkTruncatedNote = "\n\n_… truncated: this text exceeded GitHub's size limit for a check run._"

// checkOutput is one write of the check run.
type checkOutput struct {
	conclusion string // empty: still in progress
	title      string
	summary    string
	text       string
	detailsURL string
}

// Start marks pr.HeadSHA as being reviewed, so the pull request shows the
// review under way rather than a missing check: an in-progress check run
// (ReportCheck), which Publish or Fail later completes, or a pending
// commit status. An in-progress check run left by an earlier, interrupted
// attempt on the same commit is taken over rather than left spinning.
func (p *Publisher) Start(ctx context.Context, pr PR) error {
	if pr.Owner == "" || pr.Repo == "" || pr.HeadSHA == "" {
		return errors.New("start review: missing repository or head commit")
	}
	if p.reportAs == ReportStatus {
		st := Status{State: StatePending, Description: "Triangulate is reviewing this commit"}
		return p.setStatus(ctx, pr, st, "")
	}
	run := checkOutput{title: "Reviewing", summary: "Triangulate is reviewing this commit."}
	_, err := p.writeCheck(ctx, pr, run)
	return err
}

// Fail reports that the review of pr.HeadSHA could not be done, with
// reason: the check run fails (ReportCheck), or the commit status is set to
// error. The server calls it when judging fails or keeps failing, so no
// failure leaves a pull request without a verdict.
func (p *Publisher) Fail(ctx context.Context, pr PR, reason error) error {
	if pr.Owner == "" || pr.Repo == "" || pr.HeadSHA == "" {
		return errors.New("report failed review: missing repository or head commit")
	}
	if reason == nil {
		reason = errors.New("no reason given")
	}
	if p.reportAs == ReportStatus {
		st := Status{State: StateError, Description: "Triangulate could not review this commit: " + oneLine(reason.Error())}
		return p.setStatus(ctx, pr, st, "")
	}
	_, err := p.writeCheck(ctx, pr, failureOutput("Triangulate could not review this commit",
		"Triangulate could not review this commit, so this check fails until a re-run succeeds.", reason))
	return err
}

// completeCheck reports the verdict as the check run. When part of the
// publication failed, the check fails and names what; when the check run
// itself cannot be written, one more, smaller write reports that failure.
func (p *Publisher) completeCheck(ctx context.Context, pub Publication, failed []error, out *Outcome) error {
	run := checkOutput{
		conclusion: conclusionOf(pub.Status.State),
		title:      pub.Status.Description,
		summary:    pub.Summary,
		text:       pub.Details,
		detailsURL: pub.Status.TargetURL,
	}
	if run.detailsURL == "" {
		run.detailsURL = out.SummaryURL
	}
	if len(failed) > 0 {
		run.conclusion = conclusionFailure
		run.title = "Not wholly published: " + run.title
		run.summary = reasonBlock("Part of this review did not reach the pull request, so this check fails until a re-run publishes it all.",
			errors.Join(failed...)) + "\n\n---\n\n" + run.summary
	}
	u, err := p.writeCheck(ctx, pub.PR, run)
	out.CheckURL = u
	if err == nil || errors.Is(err, ErrReadOnly) {
		return err
	}
	// The full output may be what GitHub refuses, or its answer was lost;
	// a failure with the reason is small, and better than a check left in
	// progress or showing an earlier verdict.
	fallback := failureOutput("Triangulate could not report its verdict",
		"Triangulate reached a verdict but could not write it to this check run, so the check fails until a re-run succeeds.", err)
	if _, ferr := p.writeCheck(ctx, pub.PR, fallback); ferr != nil {
		return errors.Join(err, fmt.Errorf("report the failure instead: %w", ferr))
	}
	return fmt.Errorf("%w (the check run reports this failure instead)", err)
}

// writeCheck writes run to the check run of pr.HeadSHA, creating it when
// none is open, and returns its page.
func (p *Publisher) writeCheck(ctx context.Context, pr PR, run checkOutput) (string, error) {
	what := fmt.Sprintf("write check run %q on %s", CheckName, pr.HeadSHA)
	if p.checkID == 0 {
		id, err := p.openCheck(ctx, pr)
		if err != nil {
			return "", readOnlyOr(what, err)
		}
		p.checkID = id
	}
	output := &gh.CheckRunOutput{
		Title:   gh.String(firstLine(run.title, maxCheckTitleRunes)),
		Summary: gh.String(capText(run.summary, maxCheckTextBytes)),
	}
	if *output.Title == "" {
		*output.Title = CheckName
	}
	if *output.Summary == "" {
		// GitHub requires a summary with the output.
		*output.Summary = *output.Title
	}
	if run.text != "" {
		output.Text = gh.String(capText(run.text, maxCheckTextBytes))
	}
	status := "in_progress"
	var conclusion *string
	var completed *gh.Timestamp
	if run.conclusion != "" {
		status, conclusion = "completed", gh.String(run.conclusion)
		completed = &gh.Timestamp{Time: p.retry.now().UTC().Truncate(time.Second)}
	}
	var details *string
	if run.detailsURL != "" {
		details = gh.String(run.detailsURL)
	}
	var cr *gh.CheckRun
	var err error
	if p.checkID != 0 {
		cr, _, err = p.client.Checks.UpdateCheckRun(ctx, pr.Owner, pr.Repo, p.checkID, gh.UpdateCheckRunOptions{
			Name: CheckName, Status: gh.String(status), Conclusion: conclusion, CompletedAt: completed,
			Output: output, DetailsURL: details,
		})
	} else {
		cr, _, err = p.client.Checks.CreateCheckRun(ctx, pr.Owner, pr.Repo, gh.CreateCheckRunOptions{
			Name: CheckName, HeadSHA: pr.HeadSHA, Status: gh.String(status), Conclusion: conclusion,
			CompletedAt: completed, Output: output, DetailsURL: details,
		})
	}
	if err != nil {
		return "", readOnlyOr(what, err)
	}
	p.checkID = cr.GetID()
	return cr.GetHTMLURL(), nil
}

// openCheck returns the App's newest check run of CheckName on the head
// commit if it is still in progress (0 otherwise), so an interrupted
// attempt's run is completed rather than left spinning beside a new one.
func (p *Publisher) openCheck(ctx context.Context, pr PR) (int64, error) {
	latest, err := p.latestCheck(ctx, pr.Owner, pr.Repo, pr.HeadSHA, CheckName)
	if err != nil || latest == nil || latest.GetStatus() == "completed" {
		return 0, err
	}
	return latest.GetID(), nil
}

// latestCheck returns the App's newest check run named name on ref, or nil.
// Runs by any other App, such as one a workflow created to forge the
// check, are ignored.
func (p *Publisher) latestCheck(ctx context.Context, owner, repo, ref, name string) (*gh.CheckRun, error) {
	opts := &gh.ListCheckRunsOptions{CheckName: gh.String(name), Filter: gh.String("latest"), ListOptions: gh.ListOptions{PerPage: 100}}
	if p.appID != 0 {
		opts.AppID = gh.Int64(p.appID)
	}
	var latest *gh.CheckRun
	for {
		page, resp, err := p.client.Checks.ListCheckRunsForRef(ctx, owner, repo, ref, opts)
		if err != nil {
			return nil, fmt.Errorf("list check runs on %s: %w", ref, err)
		}
		for _, c := range page.CheckRuns {
			if c.GetName() == name && (p.appID == 0 || c.GetApp().GetID() == p.appID) && c.GetID() > latest.GetID() {
				latest = c
			}
		}
		if resp.NextPage == 0 {
			return latest, nil
		}
		opts.Page = resp.NextPage
	}
}

// HeadHasFinishedCheck reports whether commit sha of owner/repo already has
// this tool's finished verdict named name: the App's newest check run of
// that name is completed (ReportCheck), or the newest commit status of
// that context by this tool's author is not pending (ReportStatus). A
// restarted server reviews the pull requests whose head has none.
func (p *Publisher) HeadHasFinishedCheck(ctx context.Context, owner, repo, sha, name string) (bool, error) {
	if p.reportAs == ReportCheck {
		latest, err := p.latestCheck(ctx, owner, repo, sha, name)
		if err != nil {
			return false, err
		}
		return latest != nil && latest.GetStatus() == "completed", nil
	}
	opts := &gh.ListOptions{PerPage: 100}
	for {
		// GitHub lists a commit's statuses newest first.
		page, resp, err := p.client.Repositories.ListStatuses(ctx, owner, repo, sha, opts)
		if err != nil {
			return false, fmt.Errorf("list commit statuses on %s: %w", sha, err)
		}
		for _, st := range page {
			if st.GetContext() == name && p.isOurs(st.GetCreator()) {
				return st.GetState() != StatePending, nil
			}
		}
		if resp.NextPage == 0 {
			return false, nil
		}
		opts.Page = resp.NextPage
	}
}

func conclusionOf(state string) string {
	switch state {
	case StateSuccess:
		return conclusionSuccess
	case StateNeutral:
		return conclusionNeutral
	case StatePending:
		return ""
	default: // failure, and error: a verdict that could not be reached blocks
		return conclusionFailure
	}
}

// failureOutput is a failed check run saying why.
func failureOutput(title, lead string, reason error) checkOutput {
	return checkOutput{conclusion: conclusionFailure, title: title, summary: reasonBlock(lead, reason)}
}

// reasonBlock is lead followed by the error text in a code block. The text
// carries GitHub's answers and our own wording; in a code block none of it
// can render as a mention, link or image whatever it says.
func reasonBlock(lead string, reason error) string {
	text := "no reason given"
	if reason != nil {
		text = reason.Error()
	}
	if len(text) > maxReasonBytes {
		text = cutUTF8(text, maxReasonBytes) + " …"
	}
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return lead + "\n\n" + fence + "text\n" + text + "\n" + fence
}

func longestRun(s string, c rune) int {
	longest, n := 0, 0
	for _, r := range s {
		if r == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}

// capText fits markdown into limit bytes with a visible note when cut.
func capText(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	return cutUTF8(s, limit-len(checkTruncatedNote)) + checkTruncatedNote
}

// oneLine joins an error's lines for a one-line status description.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	return s
}
