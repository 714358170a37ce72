package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

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
			plural(len(plan.post)+len(plan.listed), "new comment", "new comments"))
	}

	// The listed section and the markers go in the suffix, which is kept
	// whole, so that the caller's body is what gets truncated when space
	// runs out; the listed section takes at most half the room.
	var listedSection strings.Builder
	var listedFPs []string
	if len(plan.listed) > 0 {
		listedSection.WriteString("\n\n---\n" + listedHeading(plan, p.maxComments) + "\n")
		markerBytes := 0
		for i, c := range plan.listed {
			line := "\n- " + brief(c)
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
		side := c.Side
		if side == "" {
			side = sideRight
		}
		req.Comments = append(req.Comments, &gh.DraftReviewComment{
			Path: gh.String(c.Path),
			Line: gh.Int(c.Line),
			Side: gh.String(side),
			Body: gh.String(cbody),
		})
	}
	return req
}

// listedHeading says why comments are listed in the body rather than
// posted on their lines: GitHub rejected them (in GitHub's words), or they
// are over the per-review cap, or both.
func listedHeading(plan commentPlan, maxComments int) string {
	var why []string
	if plan.rejected != "" {
		why = append(why, fmt.Sprintf("GitHub rejected this review's line comments with HTTP 422 (%q)", plan.rejected))
	}
	if plan.rejected == "" || len(plan.listed) > maxComments {
		why = append(why, fmt.Sprintf("one review carries at most %d line comments", maxComments))
	}
	return fmt.Sprintf("**%s listed here instead of on their lines:** %s.",
		plural(len(plan.listed), "comment", "comments"), strings.Join(why, "; "))
}

// brief is the one line a listed comment takes.
func brief(c Comment) string {
	b := c.Brief
	if b == "" {
		b = c.Body
	}
	return firstLine(b, maxBriefRunes)
}

// publishReview creates the review, if there is anything new to say. When
// GitHub rejects the line comments (422, usually a line outside the diff, and
// GitHub does not say which), the review is created again with every comment
// listed in its body, under GitHub's reason, so the comments still reach the
// pull request: that is a warning, and an error (ErrRejected) only when the
// second review fails too.
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
	plan.rejected = rejectionReason(err)
	rejected := fmt.Errorf("%w (%s): %w", ErrRejected,
		plural(len(req.Comments), "line comment", "line comments"), err)
	out.Failed += len(plan.post)
	out.Warnings = append(out.Warnings, fmt.Sprintf("GitHub rejected %s (%s); listed in the review body instead",
		plural(len(plan.post), "line comment", "line comments"), plan.rejected))
	counted := len(plan.post)
	plan.listed = append(slices.Clone(plan.post), plan.listed...)
	plan.post = nil
	req = p.buildReview(pub, plan, out)
	review, _, err = p.client.PullRequests.CreateReview(ctx, pub.PR.Owner, pub.PR.Repo, pub.PR.Number, req)
	if err != nil {
		// The rejected comments head the list and are counted as failed
		// already; only those listed for another reason are added.
		out.Failed += max(out.Listed-counted, 0)
		out.Listed = 0
		if isReadOnly(err) {
			return fmt.Errorf("%w: %w", ErrReadOnly, err)
		}
		return errors.Join(rejected, fmt.Errorf("create review without line comments: %w", err))
	}
	out.ReviewURL = review.GetHTMLURL()
	return nil
}
