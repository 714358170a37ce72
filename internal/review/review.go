// Package review judges a change to the plans the way a regulator would:
// the whole plan set is checked before and after the change, always with the
// base's schema, policies and waivers, so a change can never weaken the rules
// it is judged by. RunMerged judges a pull request as merged into the
// current tip of the submission branch, with that tip's rules, so neither a
// rule tightened on main after branching nor another pull request merged
// since can be missed; RunGroup judges a merge queue's commit the same way;
// Run judges a head against its merge base alone. A review classifies
// findings as new, fixed or still present, marks where each sits on the
// pull request's own diff, reads the key figures before and after, decides
// the merge gate and measures what proposed rule changes would do.
//
// A review is plain data. It renders nothing: package report turns it into
// markdown, and package github posts what report rendered.
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

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/codeowners"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gate"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// Options tune a review.
type Options struct {
	Check check.Options
	// ProposedRulesTimeout bounds compiling and evaluating the rules a pull
	// request proposes (they come from the change, so they get a budget).
	ProposedRulesTimeout time.Duration
	// SubmissionBranch is the only base RunMerged and RunGroup judge
	// against; "" means DefaultSubmissionBranch.
	SubmissionBranch string
}

// rulePrefixes are the folders that judge plans rather than hold them.
var rulePrefixes = []string{"schema/", "policy/", "cue.mod/"}

// Review is the judged change.
type Review struct {
	// BaseSHA is the commit whose rules and plans the change is judged
	// against: the merge base for Run, the base's current tip for
	// RunMerged, the merge group's base for RunGroup.
	BaseSHA string
	// HeadSHA is the commit judged: the pull request's head, or the merge
	// group's commit.
	HeadSHA string
	// MergeBaseSHA is where the diff that comments are placed on starts:
	// the pull request's own diff, as GitHub shows it.
	MergeBaseSHA string
	// Judged says what Head is the check of.
	Judged Judged
	// RulesChanged lists changed files under schema/, policy/ or cue.mod/.
	RulesChanged []string
	// ChangedOrgs are the organisations whose plan files the change touches.
	ChangedOrgs []string
	// Base and Head are the full checks, both under the base's rules; Head
	// checks the merged files for RunMerged.
	Base, Head *check.Result
	// PlansRead counts the plans read at the head.
	PlansRead int
	// New, Fixed and Still classify findings by fingerprint, each placed on
	// the diff. Fixed findings sit on the base's lines, which the head's side
	// of the diff does not show: they are always out of the diff.
	New, Fixed, Still []Placed
	// Blocking are the head's blocking findings that are new, involve a
	// changed organisation or sit in a changed file: these decide the gate.
	Blocking []finding.Finding
	// Elsewhere are the head's other blocking findings: shown, not caused
	// by this change, not held against it.
	Elsewhere []finding.Finding
	// Drafts are blocking findings that would count against the change but
	// involve only draft plans: a draft may carry findings (shown, not
	// blocking); they block once a plan is final (G03).
	Drafts []finding.Finding
	// Figures are the key figures of each plan file the change touches.
	Figures []PlanFigures
	// Undiffed are files a review reads whose lines were not diffed (too
	// large, binary, or the diff failed): no comment can sit on them, and
	// their findings are listed instead.
	Undiffed []Undiffed
	// Gate is the verdict on the change.
	Gate Gate
	// Impact is set when the change proposes new rules.
	Impact *Impact
	// Catalogue is the base's rule catalogue.
	Catalogue []finding.Rule
}

// Undiffed is a changed file whose lines the review could not place
// findings on, and why.
type Undiffed struct {
	Path string
	Err  error
}

// Gate is what decides the merge, before it is put into words.
type Gate struct {
	Pass bool
	// Blocking counts the blocking findings.
	Blocking int
	// Rules are the ids of the blocking findings, sorted, each once.
	Rules []string
	// Orgs are the changed organisations the blocking findings involve.
	Orgs []string
	// Changed are the organisations the change touches (for a pass: what
	// nothing blocks).
	Changed []string
}

// Impact is what the proposed rules would change, judged on the head's plans.
type Impact struct {
	// Err is set when the proposed rules do not compile or evaluate.
	Err error
	// Stopped reports that Err is a sandbox limit (memory, CPU, time,
	// output) or a platform without the sandbox, not a compile error.
	Stopped bool
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

// Judged says what a review's Head is the check of.
type Judged string

const (
	// HeadAlone is the pull request's head, judged against its merge base
	// (Run).
	HeadAlone Judged = "head"
	// MergedIntoBase is the head merged into the base's current tip
	// (RunMerged).
	MergedIntoBase Judged = "merged"
	// MergeGroupCommit is a merge queue's commit (RunGroup).
	MergeGroupCommit Judged = "merge-group"
)

// Run reviews head against its merge base with base in repo, by the merge
// base's rules: what the pull request changes, as if nothing had landed on
// base since it branched. RunMerged is the judgement that gates a merge.
func Run(ctx context.Context, repo *gitrepo.Repo, baseRef, headRef string, opts Options) (*Review, error) {
	base, err := repo.Resolve(baseRef)
	if err != nil {
		return nil, err
	}
	head, err := repo.Resolve(headRef)
	if err != nil {
		return nil, err
	}
	mb, err := base.MergeBase(head)
	if err != nil {
		return nil, err
	}
	baseFS, err := mb.FS()
	if err != nil {
		return nil, err
	}
	headFS, err := head.FS()
	if err != nil {
		return nil, err
	}
	changes, err := repo.Changes(ctx, mb, head)
	if err != nil {
		return nil, err
	}
	return judge(ctx, sides{
		judged: HeadAlone, baseSHA: mb.Hash, mergeBaseSHA: mb.Hash, headSHA: head.Hash,
		baseFS: baseFS, headFS: headFS, changes: changes, place: true,
	}, opts)
}

// sides are what one review compares.
type sides struct {
	judged                         Judged
	baseSHA, mergeBaseSHA, headSHA string
	// baseFS holds the rules, the code owners and the plans before; headFS
	// the plans after.
	baseFS, headFS fs.FS
	// changes are the pull request's own diff: they name the changed files
	// and organisations, and, when place is set, the lines comments go on.
	changes []gitrepo.FileChange
	place   bool
	// raise lists findings about the change as a whole (a conflict with the
	// base), raised once both sides are checked; they are new and block.
	raise func(r *Review) []finding.Finding
}

// judge checks both sides with the base's rules and classifies the findings.
func judge(ctx context.Context, s sides, opts Options) (*Review, error) {
	r := &Review{BaseSHA: s.baseSHA, HeadSHA: s.headSHA, MergeBaseSHA: s.mergeBaseSHA, Judged: s.judged}
	// The base's policies compile while its plans load.
	rules, err := check.StartRules(ctx, s.baseFS, opts.Check)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBaseRules, err)
	}
	owners, err := codeowners.Load(s.baseFS)
	if err != nil {
		return nil, fmt.Errorf("read CODEOWNERS at base: %w", err)
	}
	// The base is a commit: a process reviewing many pull requests
	// against one tip of main checks it once (check.Memo).
	key := fmt.Sprintf("%s/%d", s.baseSHA, opts.Check.MaxFileSize)
	r.Base, err = opts.Check.Memo.Result(rules, key, func() (*check.Result, error) {
		return check.Run(ctx, rules, s.baseFS, opts.Check)
	})
	if errors.Is(err, plan.ErrNoPlans) {
		// The first pull request of a repository brings the first plans.
		r.Base, err = &check.Result{Set: &plan.Set{}}, nil
	}
	if rerr := rules.Err(); rerr != nil {
		return nil, fmt.Errorf("%w: %w", ErrBaseRules, rerr)
	}
	if err != nil {
		return nil, fmt.Errorf("check base %s: %w", short(r.BaseSHA), err)
	}
	r.Catalogue = rules.Catalogue()
	// The head is checked from the base: only the files the change
	// touches are read again, and the policies judge only what those
	// files can affect; the result is a full check's.
	if r.Head, err = check.RunFrom(ctx, rules, r.Base, s.headFS, opts.Check); err != nil {
		return nil, fmt.Errorf("check head %s: %w", short(r.HeadSHA), err)
	}
	r.PlansRead = r.Head.PlansRead
	placeOn := s.changes
	if !s.place {
		placeOn = nil
	}
	place := newFilter(placeOn, owners)
	r.classify(s.changes, place)
	// A pull request that sets or keeps a final plan while that plan's
	// organisation has blocking findings is refused, whatever else it does.
	if unsub := gate.Unsubmittable(r.Head.Set, r.Head.Findings, r.ChangedOrgs); len(unsub) > 0 {
		for _, f := range unsub {
			r.New = append(r.New, place.head(f))
		}
		r.Blocking = append(r.Blocking, unsub...)
		r.Gate = gateOf(r.Blocking, r.ChangedOrgs)
	}
	if s.raise != nil {
		if raised := s.raise(r); len(raised) > 0 {
			placed := make([]Placed, len(raised))
			for i, f := range raised {
				placed[i] = place.head(f)
			}
			r.New = append(placed, r.New...)
			r.Blocking = append(raised, r.Blocking...)
			r.Gate = gateOf(r.Blocking, r.ChangedOrgs)
		}
	}
	if r.Figures, err = keyFigures(s.changes, r.Base.Set, r.Head.Set); err != nil {
		return nil, err
	}
	if len(r.RulesChanged) > 0 {
		r.Impact = proposedImpact(ctx, r, s.headFS, opts)
	}
	return r, nil
}

func short(sha string) string { return sha[:min(12, len(sha))] }

// classify fills RulesChanged, ChangedOrgs, New/Fixed/Still, Blocking,
// Elsewhere and the gate.
func (r *Review) classify(changes []gitrepo.FileChange, place *filter) {
	changedFiles := map[string]bool{}
	orgs := map[string]bool{}
	for _, c := range changes {
		if c.NotDiffed != nil && !errors.Is(c.NotDiffed, gitrepo.ErrNotReviewed) {
			r.Undiffed = append(r.Undiffed, Undiffed{Path: c.Path(), Err: c.NotDiffed})
		}
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
	r.ChangedOrgs = sortedKeys(orgs)

	before := fingerprints(r.Base.Findings)
	after := fingerprints(r.Head.Findings)
	carried := gate.CarriedByDrafts(r.Head.Set)
	for _, f := range r.Head.Findings {
		if before[f.Fingerprint()] {
			r.Still = append(r.Still, place.head(f))
		} else {
			r.New = append(r.New, place.head(f))
		}
		if !f.Blocking() {
			continue
		}
		// A blocking finding counts against the change when it involves a
		// plan the change touches, sits in a changed file, or is new: a
		// change to the reference list can break plans it does not touch.
		// One that only draft plans carry is shown, not held against it.
		counts := !before[f.Fingerprint()] || changedFiles[f.File] || slices.ContainsFunc(f.Orgs, func(o string) bool { return orgs[o] })
		switch {
		case counts && carried(f):
			r.Drafts = append(r.Drafts, f)
		case counts:
			r.Blocking = append(r.Blocking, f)
		default:
			r.Elsewhere = append(r.Elsewhere, f)
		}
	}
	for _, f := range r.Base.Findings {
		if !after[f.Fingerprint()] {
			r.Fixed = append(r.Fixed, place.base(f))
		}
	}
	r.Gate = gateOf(r.Blocking, r.ChangedOrgs)
}

// gateOf summarises the blocking findings for the commit status.
func gateOf(blocking []finding.Finding, changed []string) Gate {
	rules, orgs := map[string]bool{}, map[string]bool{}
	for _, f := range blocking {
		rules[f.Rule] = true
		for _, o := range f.Orgs {
			if slices.Contains(changed, o) {
				orgs[o] = true
			}
		}
	}
	return Gate{Pass: len(blocking) == 0, Blocking: len(blocking), Rules: sortedKeys(rules), Orgs: sortedKeys(orgs), Changed: changed}
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

// sortedKeys lists a set's members in order; nil for an empty set.
func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
