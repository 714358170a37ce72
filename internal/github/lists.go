package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

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
