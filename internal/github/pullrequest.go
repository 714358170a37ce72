package github

import (
	"context"
	"errors"
	"fmt"

	gh "github.com/google/go-github/v60/github"
)

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
	// CloneURL is the base repository's clone URL, where the server
	// fetches both commits from (a fork's head is there as
	// refs/pull/N/head).
	CloneURL string
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
	info, err := prInfo(pr)
	if err != nil {
		return PRInfo{}, fmt.Errorf("get pull request %s: %w", where, err)
	}
	return info, nil
}

// ListOpenPullRequests returns the open pull requests of owner/repo, newest
// first, for a restarted server to find those still to review.
func (p *Publisher) ListOpenPullRequests(ctx context.Context, owner, repo string) ([]PRInfo, error) {
	if owner == "" || repo == "" {
		return nil, errors.New("list pull requests: missing repository owner or name")
	}
	var out []PRInfo
	opts := &gh.PullRequestListOptions{State: "open", ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		page, resp, err := p.client.PullRequests.List(ctx, owner, repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list pull requests of %s/%s: %w", owner, repo, err)
		}
		for _, pr := range page {
			info, err := prInfo(pr)
			if err != nil {
				return nil, fmt.Errorf("list pull requests of %s/%s: #%d: %w", owner, repo, pr.GetNumber(), err)
			}
			out = append(out, info)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

func prInfo(pr *gh.PullRequest) (PRInfo, error) {
	info := PRInfo{
		Number:           pr.GetNumber(),
		BaseSHA:          pr.GetBase().GetSHA(),
		HeadSHA:          pr.GetHead().GetSHA(),
		BaseRef:          pr.GetBase().GetRef(),
		HeadRef:          pr.GetHead().GetRef(),
		HeadRepoFullName: pr.GetHead().GetRepo().GetFullName(),
		BaseRepoFullName: pr.GetBase().GetRepo().GetFullName(),
		CloneURL:         pr.GetBase().GetRepo().GetCloneURL(),
	}
	// Reviewing against an empty commit would compare the wrong trees
	// without any error to show for it.
	if info.BaseSHA == "" || info.HeadSHA == "" {
		return PRInfo{}, errors.New("answer lacks the base or head commit")
	}
	return info, nil
}

// Repository is a repository an installation of the App can reach.
type Repository struct {
	Owner, Name string
	CloneURL    string
}

// InstallationRepositories lists the repositories this Publisher's
// installation can reach (App publishers only: GitHub answers 403 to any
// other token), for reconciling each of them.
func (p *Publisher) InstallationRepositories(ctx context.Context) ([]Repository, error) {
	var out []Repository
	opts := &gh.ListOptions{PerPage: 100}
	for {
		page, resp, err := p.client.Apps.ListRepos(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list the installation's repositories: %w", err)
		}
		for _, r := range page.Repositories {
			out = append(out, Repository{Owner: r.GetOwner().GetLogin(), Name: r.GetName(), CloneURL: r.GetCloneURL()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}
