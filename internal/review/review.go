// Package review judges a change to the plans the way a regulator would:
// the whole plan set is checked at the pull request's base and at its head,
// always with the base's schema, policies and waivers, so a change can never
// weaken the rules it is judged by. It classifies findings as new, fixed or
// still present, decides the merge gate, measures what proposed rule changes
// would do, and renders the review for GitHub or for a terminal.
package review

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/codeowners"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// Options tune a review.
type Options struct {
	Check check.Options
	// ProposedRulesTimeout bounds compiling and evaluating the rules a pull
	// request proposes (they come from the change, so they get a budget).
	ProposedRulesTimeout time.Duration
}

// rulePrefixes are the folders that judge plans rather than hold them.
var rulePrefixes = []string{"schema/", "policy/", "cue.mod/"}

// Review is the outcome of judging one change.
type Review struct {
	BaseSHA, HeadSHA string
	// Changes are the files the change touches, against the merge base.
	Changes []gitrepo.FileChange
	// RulesChanged lists changed files under schema/, policy/ or cue.mod/.
	RulesChanged []string
	// ChangedOrgs are the organisations whose plan files the change touches.
	ChangedOrgs []string
	// Base and Head are the full checks, both under the base's rules.
	Base, Head *check.Result
	// New, Fixed and Still classify findings by fingerprint.
	New, Fixed, Still []finding.Finding
	// Blocking are the head's blocking findings that are new, involve a
	// changed organisation or sit in a changed file: these decide the gate.
	Blocking []finding.Finding
	// Impact is set when the change proposes new rules.
	Impact *Impact
	// Catalogue is the base's rule catalogue.
	Catalogue []finding.Rule
	// Owners are the base's CODEOWNERS.
	Owners *codeowners.Owners
}

// Impact is what the proposed rules would change, judged on the head's plans.
type Impact struct {
	// Err is set when the proposed rules do not compile or evaluate.
	Err error
	// NewlyFailing and NewlyPassing list organisations whose submission
	// verdict the proposed rules would flip, with the rules responsible.
	NewlyFailing, NewlyPassing []OrgRules
}

// OrgRules names an organisation and rule ids.
type OrgRules struct {
	Org   string
	Rules []string
}

// Pass reports whether the gate lets the change merge.
func (r *Review) Pass() bool { return len(r.Blocking) == 0 }

// ErrBaseRules is returned when the base's own rules cannot be loaded:
// nothing can be judged until main is fixed.
var ErrBaseRules = errors.New("rules at the base do not load")

// Run reviews head against base in repo.
func Run(ctx context.Context, repo *gitrepo.Repo, baseRef, headRef string, opts Options) (*Review, error) {
	baseC, err := repo.Commit(baseRef)
	if err != nil {
		return nil, err
	}
	headC, err := repo.Commit(headRef)
	if err != nil {
		return nil, err
	}
	mb, err := repo.MergeBase(baseC, headC)
	if err != nil {
		return nil, err
	}
	baseFS, err := treeFS(mb)
	if err != nil {
		return nil, err
	}
	headFS, err := treeFS(headC)
	if err != nil {
		return nil, err
	}
	rules, err := check.LoadRules(ctx, baseFS, opts.Check)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBaseRules, err)
	}
	r := &Review{BaseSHA: mb.Hash.String(), HeadSHA: headC.Hash.String(), Catalogue: rules.Catalogue()}
	if r.Owners, err = codeowners.Load(baseFS); err != nil {
		return nil, fmt.Errorf("read CODEOWNERS at base: %w", err)
	}
	r.Base, err = check.Run(ctx, rules, baseFS, opts.Check)
	if errors.Is(err, plan.ErrNoPlans) {
		// The first pull request of a repository brings the first plans.
		r.Base, err = &check.Result{Set: &plan.Set{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("check base %s: %w", short(r.BaseSHA), err)
	}
	if r.Head, err = check.Run(ctx, rules, headFS, opts.Check); err != nil {
		return nil, fmt.Errorf("check head %s: %w", short(r.HeadSHA), err)
	}
	if r.Changes, err = repo.Diff(ctx, mb, headC); err != nil {
		return nil, err
	}
	r.classify()
	if len(r.RulesChanged) > 0 {
		r.Impact = proposedImpact(ctx, r, headFS, opts)
	}
	return r, nil
}

func treeFS(c *object.Commit) (fs.FS, error) {
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", short(c.Hash.String()), err)
	}
	return gitrepo.TreeFS(t, c.Committer.When), nil
}

func short(sha string) string { return sha[:min(12, len(sha))] }

// classify fills RulesChanged, ChangedOrgs, New/Fixed/Still and Blocking.
func (r *Review) classify() {
	changedFiles := map[string]bool{}
	orgs := map[string]bool{}
	for _, c := range r.Changes {
		for _, p := range []string{c.From, c.To} {
			if p == "" {
				continue
			}
			changedFiles[p] = true
			if slices.ContainsFunc(rulePrefixes, func(pre string) bool { return strings.HasPrefix(p, pre) }) && !slices.Contains(r.RulesChanged, p) {
				r.RulesChanged = append(r.RulesChanged, p)
			}
		}
		if d := docByFile(r.Head.Set, c.To); d != nil && d.Org != "" {
			orgs[d.Org] = true
		}
		if d := docByFile(r.Base.Set, c.From); d != nil && d.Org != "" {
			orgs[d.Org] = true
		}
	}
	for o := range orgs {
		r.ChangedOrgs = append(r.ChangedOrgs, o)
	}
	sort.Strings(r.ChangedOrgs)

	before := fingerprints(r.Base.Findings)
	after := fingerprints(r.Head.Findings)
	for _, f := range r.Head.Findings {
		if before[f.Fingerprint()] {
			r.Still = append(r.Still, f)
		} else {
			r.New = append(r.New, f)
		}
		// A blocking finding counts against the change when it involves a
		// plan the change touches, sits in a changed file, or is new: a
		// change to the reference list can break plans it does not touch.
		if f.Blocking() && (!before[f.Fingerprint()] || changedFiles[f.File] || slices.ContainsFunc(f.Orgs, func(o string) bool { return orgs[o] })) {
			r.Blocking = append(r.Blocking, f)
		}
	}
	for _, f := range r.Base.Findings {
		if !after[f.Fingerprint()] {
			r.Fixed = append(r.Fixed, f)
		}
	}
}

func fingerprints(fs []finding.Finding) map[string]bool {
	m := make(map[string]bool, len(fs))
	for _, f := range fs {
		m[f.Fingerprint()] = true
	}
	return m
}

func docByFile(s *plan.Set, file string) *plan.Document {
	if s == nil || file == "" {
		return nil
	}
	for _, d := range s.Documents {
		if d.File == file {
			return d
		}
	}
	return nil
}
