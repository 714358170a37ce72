package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/review"
)

// Commit status states, as GitHub names them.
const (
	StateSuccess = "success"
	StateFailure = "failure"
)

// RightSide is the side of a pull request's diff that shows the head: every
// line comment of a review sits there, since findings are about the head.
const RightSide = "RIGHT"

// ReviewOutput is a judged change rendered for a pull request: everything a
// publisher posts, already in words and already escaped, so the publisher
// needs to know nothing of plans or findings.
type ReviewOutput struct {
	// Summary is the comment regulators read, updated in place.
	Summary string
	// Body is the review's body: the verdict, and the new findings no line
	// comment can carry.
	Body string
	// Comments are the line comments: one for each side of a new finding
	// that the diff shows.
	Comments []LineComment
	// Keep lists the fingerprints of every side of every new finding, shown
	// or not: an earlier comment carrying one still stands.
	Keep []string
	// State and Description are the commit status: StateSuccess or
	// StateFailure, and one line of plain text saying why.
	State, Description string
}

// LineComment is a comment on one line of the head's side of the diff.
type LineComment struct {
	Path string
	Line int
	Side string // RightSide
	Body string
	// Brief is the comment in one line of markdown, with its place, for a
	// list in the review body when GitHub cannot take the comment itself.
	Brief string
	// Fingerprint identifies the finding's side across runs, so a re-run
	// recognises what it already posted.
	Fingerprint string
}

// RenderReview renders a judged change for its pull request.
func RenderReview(rv *review.Review) ReviewOutput {
	out := ReviewOutput{Summary: reviewSummary(rv), State: StateFailure, Description: gateDescription(rv.Gate)}
	if rv.Gate.Pass {
		out.State = StateSuccess
	}
	var unshown []review.Placed
	for _, p := range rv.New {
		fp := p.Fingerprint()
		for i, s := range p.Sides {
			sfp := sideFingerprint(fp, i)
			out.Keep = append(out.Keep, sfp)
			if !s.Shown() {
				continue
			}
			out.Comments = append(out.Comments, LineComment{
				Path: s.File, Line: s.DiffLine, Side: RightSide, Fingerprint: sfp,
				Body:  commentBody(rv, p, i),
				Brief: commentBrief(rv, p, s),
			})
		}
		if !p.Shown() {
			unshown = append(unshown, p)
		}
	}
	out.Body = reviewBody(rv, unshown)
	return out
}

// sideFingerprint tells the sides of one finding apart: the finding's own
// fingerprint for its location, a numbered one for each related location.
func sideFingerprint(fp string, side int) string {
	if side == 0 {
		return fp
	}
	return fmt.Sprintf("%s-%d", fp, side)
}

// gateDescription is the commit status line: plain text (GitHub shows a
// status description as it is), under GitHub's 140 characters for any
// ordinary change; the publisher cuts a longer one.
func gateDescription(g review.Gate) string {
	if g.Pass {
		what := "this change"
		if len(g.Changed) > 0 {
			what = strings.Join(g.Changed, ", ")
		}
		return "Submittable: nothing blocks " + what
	}
	s := "Not submittable: " + plural(g.Blocking, "blocking finding", "blocking findings")
	if len(g.Orgs) > 0 {
		s += " " + agree(g.Blocking, "involves", "involve") + " " + strings.Join(g.Orgs, ", ")
	}
	if len(g.Rules) > 0 {
		s += " (" + strings.Join(g.Rules, ", ") + ")"
	}
	return s
}

// agree picks the verb form that agrees with a count.
func agree(n int, singular, pluralForm string) string {
	if n == 1 {
		return singular
	}
	return pluralForm
}

// WriteReview writes the review as it would be posted, for a terminal: the
// summary, then each line comment under its place, then the review body.
func WriteReview(w io.Writer, rv *review.Review) error {
	_, err := io.WriteString(w, reviewMarkdown(RenderReview(rv), true))
	return err
}

func reviewMarkdown(out ReviewOutput, withComments bool) string {
	var b strings.Builder
	b.WriteString(out.Summary)
	if withComments && len(out.Comments) > 0 {
		comments := slices.Clone(out.Comments)
		slices.SortStableFunc(comments, func(a, b LineComment) int {
			return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
		})
		fmt.Fprintf(&b, "### Line comments (%d)\n\n", len(comments))
		for _, c := range comments {
			fmt.Fprintf(&b, "#### %s\n\n%s\n", mdCode(fmt.Sprintf("%s:%d", c.Path, c.Line)), c.Body)
		}
	}
	fmt.Fprintf(&b, "### Review body\n\n%s", out.Body)
	return b.String()
}

// WriteReviewJobSummary writes the review for $GITHUB_STEP_SUMMARY, within
// GitHub's limit (jobSummaryLimit): the line comments go first when it is
// too long (the summary lists every blocking finding), then the text is cut
// at a line with a note saying so.
func WriteReviewJobSummary(w io.Writer, rv *review.Review) error {
	if err := writeReviewJobSummary(w, rv, jobSummaryLimit); err != nil {
		return fmt.Errorf("write job summary: %w", err)
	}
	return nil
}

func writeReviewJobSummary(w io.Writer, rv *review.Review, limit int) error {
	out := RenderReview(rv)
	text := reviewMarkdown(out, true)
	if len(text) > limit {
		text = reviewMarkdown(out, false)
	}
	if len(text) > limit {
		text = cutAtLine(text, limit-len(cutNote)) + cutNote
	}
	_, err := io.WriteString(w, text)
	return err
}

const cutNote = "\n\n_… cut to fit GitHub's job summary limit; the annotations list every new finding._\n"

// cutAtLine returns the longest prefix of s within n bytes that ends at a
// line break, so no table row or escape is left half written.
func cutAtLine(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexByte(s[:max(n, 0)], '\n'); i >= 0 {
		return s[:i+1]
	}
	return ""
}

// WriteReviewAnnotations writes the new findings as GitHub Actions
// annotations, each on the side of it the diff shows (a misalignment whose
// provider line did not change lands on the commissioner's line that did),
// since the runner shows annotations inline only on changed lines.
func WriteReviewAnnotations(w io.Writer, rv *review.Review) error {
	res := Result{Rules: rv.Catalogue, PlansRead: rv.PlansRead}
	for _, p := range rv.New {
		res.Findings = append(res.Findings, onShownSide(p))
	}
	return Write(w, "github", res)
}

// onShownSide moves a finding to its first side the diff shows, keeping its
// other sides as related; unchanged when no side is shown.
func onShownSide(p review.Placed) finding.Finding {
	f := p.Finding
	i := slices.IndexFunc(p.Sides, review.Side.Shown)
	if i <= 0 {
		return f
	}
	f.Related = nil
	for j, s := range p.Sides {
		if j != i {
			f.Related = append(f.Related, s.Location)
		}
	}
	f.Location = p.Sides[i].Location
	return f
}
