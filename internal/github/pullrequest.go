package github

import (
	"context"
	"fmt"
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
