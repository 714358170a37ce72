package review

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gate"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// DefaultSubmissionBranch is the branch whose plans are organisations'
// official submissions: the only base a pull request is judged against.
const DefaultSubmissionBranch = "main"

// The rules a review raises about a pull request as a whole, not about its
// plans; their catalogue entries live with the gate's own rules.
var (
	// RuleOtherBase: a pull request is judged only against the submission
	// branch (catalogue entry in package gate).
	RuleOtherBase = gate.OtherBase
	// RuleConflict: a file both sides changed differently since branching.
	RuleConflict = gate.Conflict
)

// ErrNotOnBase is returned by RunGroup when the merge group's commit does
// not descend from its base: it is not what merging the queue would leave.
var ErrNotOnBase = errors.New("merge group commit does not descend from its base")

// PullRequest names what a pull request asks to merge.
type PullRequest struct {
	// Base is the branch it targets, as GitHub names it: "main" or
	// "refs/heads/main".
	Base string
	// BaseTip names the current tip of Base in the repository: a SHA or a
	// ref ("refs/heads/main", "origin/main"). Empty means Base itself,
	// which is right for a repository from gitrepo.Cache.Fetch.
	BaseTip string
	// Head is the pull request's head commit: a SHA or a ref.
	Head string
}

// MergeGroup names a merge queue's commit, as the merge_group event does.
type MergeGroup struct {
	// Base is merge_group.base_ref ("refs/heads/main").
	Base string
	// BaseSHA is merge_group.base_sha: the base the queue built on.
	BaseSHA string
	// HeadSHA is merge_group.head_sha: the base with the queued pull
	// requests merged.
	HeadSHA string
}

// RunMerged judges a pull request as if it merged now: its head merged, file
// by file, into the current tip of its base, checked with the tip's rules
// (never the head's), against the tip's plans. Comments are still placed on
// the pull request's own diff, from the merge base to the head, as GitHub
// shows it. A file changed differently on both sides since the merge base
// blocks (G02) until the branch is updated, and a base other than the
// submission branch fails without judging anything (G01).
func RunMerged(ctx context.Context, repo *gitrepo.Repo, pr PullRequest, opts Options) (*Review, error) {
	head, err := repo.Resolve(pr.Head)
	if err != nil {
		return nil, err
	}
	branch, sub := branchName(pr.Base), opts.submissionBranch()
	if branch != sub {
		return otherBase(head.Hash, branch, sub), nil
	}
	tipRef := pr.BaseTip
	if tipRef == "" {
		tipRef = branch
	}
	tip, err := repo.Resolve(tipRef)
	if err != nil {
		return nil, err
	}
	merged, err := repo.Merge(ctx, tip, head)
	if err != nil {
		return nil, err
	}
	tipFS, err := tip.FS()
	if err != nil {
		return nil, err
	}
	changes, err := repo.Changes(ctx, merged.MergeBase, head)
	if err != nil {
		return nil, err
	}
	return judge(ctx, sides{
		judged: MergedIntoBase, baseSHA: tip.Hash, mergeBaseSHA: merged.MergeBase.Hash, headSHA: head.Hash,
		baseFS: tipFS, headFS: merged.FS(), changes: changes, place: true,
		raise: func(r *Review) []finding.Finding { return r.conflicts(merged.Conflicts, sub) },
	}, opts)
}

// RunGroup judges a merge queue's commit: GitHub has already merged the
// queued pull requests into the base, so the commit is checked as it stands,
// with the base's rules, against the base's plans. Two pull requests that
// each fit alone but together break a rule cannot both land. Nothing is
// placed on a diff: a merge group has no pull request to comment on, only
// the gate.
func RunGroup(ctx context.Context, repo *gitrepo.Repo, g MergeGroup, opts Options) (*Review, error) {
	head, err := repo.Resolve(g.HeadSHA)
	if err != nil {
		return nil, err
	}
	branch, sub := branchName(g.Base), opts.submissionBranch()
	if branch != sub {
		return otherBase(head.Hash, branch, sub), nil
	}
	base, err := repo.Resolve(g.BaseSHA)
	if err != nil {
		return nil, err
	}
	mb, err := base.MergeBase(head)
	if err != nil {
		return nil, err
	}
	if mb.Hash != base.Hash {
		return nil, fmt.Errorf("judge merge group %s on %s: %w", short(head.Hash), short(base.Hash), ErrNotOnBase)
	}
	baseFS, err := base.FS()
	if err != nil {
		return nil, err
	}
	headFS, err := head.FS()
	if err != nil {
		return nil, err
	}
	changes, err := repo.Changes(ctx, base, head)
	if err != nil {
		return nil, err
	}
	return judge(ctx, sides{
		judged: MergeGroupCommit, baseSHA: base.Hash, mergeBaseSHA: base.Hash, headSHA: head.Hash,
		baseFS: baseFS, headFS: headFS, changes: changes,
	}, opts)
}

func (o Options) submissionBranch() string {
	if o.SubmissionBranch == "" {
		return DefaultSubmissionBranch
	}
	return branchName(o.SubmissionBranch)
}

// branchName is a branch's short name: GitHub gives a pull request's base
// as "main" and a merge group's as "refs/heads/main".
func branchName(ref string) string { return strings.TrimPrefix(ref, "refs/heads/") }

// otherBase is the failing review of a change aimed at a branch other than
// the submission branch: nothing is judged, since a pass there means
// nothing, and the gate says why.
func otherBase(headSHA, branch, sub string) *Review {
	f := raised(RuleOtherBase, fmt.Sprintf("pull requests are judged only against %s; this one targets %s", sub, branch))
	empty := func() *check.Result { return &check.Result{Set: &plan.Set{}} }
	r := &Review{HeadSHA: headSHA, Base: empty(), Head: empty(), Catalogue: []finding.Rule{RuleOtherBase}}
	r.New = []Placed{newFilter(nil, nil).head(f)}
	r.Blocking = []finding.Finding{f}
	r.Gate = gateOf(r.Blocking, nil)
	return r
}

// conflicts are the G02 findings of a merge: one per conflicting path, with
// the organisation whose plan it is, if any.
func (r *Review) conflicts(paths []string, branch string) []finding.Finding {
	if len(paths) == 0 {
		return nil
	}
	out := make([]finding.Finding, 0, len(paths))
	for _, p := range paths {
		f := raised(RuleConflict, fmt.Sprintf("%s was changed on %s since this pull request branched: update the branch", p, branch))
		f.File = p
		for _, s := range []*plan.Set{r.Head.Set, r.Base.Set} {
			if d := docByFile(s, p); d != nil && d.Org != "" {
				f.Org, f.Orgs = d.Org, []string{d.Org}
				break
			}
		}
		out = append(out, f)
	}
	return out
}

func raised(rule finding.Rule, msg string) finding.Finding {
	return finding.Finding{Rule: rule.ID, Title: rule.Title, Category: rule.Category, Severity: rule.Severity, Message: msg}
}
