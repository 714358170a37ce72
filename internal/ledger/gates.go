package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// gateKind names the kind of result in cache keys; a change to atCommit's
// shape changes it, though a new build of the program already misses.
const gateKind = "ledger-gates/1"

// orgResult is one organisation's status and gate at one commit.
type orgResult struct {
	Status string `json:"status"`
	Gate   Gate   `json:"gate"`
}

// atCommit is the gate's result for every organisation at one commit.
type atCommit struct {
	// Error says why the check could not run there.
	Error string `json:"error,omitempty"`
	// Orgs is keyed "2019/20 RTK".
	Orgs map[string]orgResult `json:"orgs"`
}

func (a *atCommit) org(year, org string) orgResult {
	if r, ok := a.Orgs[year+" "+org]; ok {
		return r
	}
	msg := cmp.Or(a.Error, "the plan could not be read at this commit")
	return orgResult{Gate: Gate{Error: msg}}
}

// gates computes and caches gate results by commit.
type gates struct {
	cache    *cache.Cache // nil: every result is computed
	checks   *cache.Cache // the check's own cache; nil: none
	version  []byte
	maxSize  int64
	computed int
	cached   int
}

func newGates(opts Options) *gates {
	g := &gates{maxSize: cmp.Or(opts.MaxFileSize, plan.DefaultMaxFileSize), cache: opts.Cache, checks: opts.CheckCache, version: []byte(opts.Version)}
	if opts.Version == "" {
		prog, err := cache.Program()
		if err != nil {
			// Results that cannot be tied to the code computing them
			// are not kept.
			g.cache = nil
		}
		g.version = prog
	}
	return g
}

func (g *gates) key(c gitrepo.Commit) cache.Key {
	return cache.NewKey(g.version, []byte(gateKind), []byte(c.Hash))
}

func (g *gates) at(ctx context.Context, c gitrepo.Commit) (*atCommit, error) {
	var r atCommit
	if g.cache.GetJSON(g.key(c), &r) && r.Orgs != nil {
		g.cached++
		return &r, nil
	}
	res, err := g.compute(ctx, c)
	if err != nil {
		return nil, err
	}
	g.computed++
	_ = g.cache.PutJSON(g.key(c), res) // a cache that cannot be written costs time, not correctness
	return res, nil
}

// compute runs the check on the commit's tree with the commit's own rules,
// as the gate judged it when it landed: waivers in date on the day it was
// committed.
func (g *gates) compute(ctx context.Context, c gitrepo.Commit) (*atCommit, error) {
	r := &atCommit{Orgs: map[string]orgResult{}}
	fail := func(err error) (*atCommit, error) {
		if ctx.Err() != nil {
			return nil, ctx.Err() // an interrupted run is not a result to keep
		}
		r.Error = err.Error()
		return r, nil
	}
	fsys, err := c.FS()
	if err != nil {
		return fail(err)
	}
	opts := check.Options{MaxFileSize: g.maxSize, Today: c.When, Cache: g.checks}
	rules, err := check.LoadRules(ctx, fsys, opts)
	if err != nil {
		return fail(fmt.Errorf("load rules: %w", err))
	}
	res, err := check.Run(ctx, rules, fsys, opts)
	if err != nil {
		if errors.Is(err, plan.ErrNoPlans) {
			return fail(errors.New("no plans/ folder"))
		}
		return fail(err)
	}
	type oy struct{ year, org string }
	orgs := map[oy]string{}
	for _, d := range res.Set.Documents {
		if d.Org == "" || d.Year == "" || (d.Kind != "provider" && d.Kind != "commissioner") {
			continue
		}
		status, _ := d.Data["status"].(string)
		if !d.Valid {
			status = ""
		}
		orgs[oy{d.Year, d.Org}] = status
	}
	for _, y := range res.Set.Years() {
		for org := range res.Set.Invalid(y) {
			if _, ok := orgs[oy{y, org}]; !ok {
				orgs[oy{y, org}] = ""
			}
		}
	}
	for k, status := range orgs {
		gt := Gate{Rules: []string{}}
		for _, f := range res.Findings {
			if !f.Blocking() || !involves(f, k.org) {
				continue
			}
			if y := findingYear(f); y != "" && y != k.year {
				continue
			}
			gt.Blocking++
			if !slices.Contains(gt.Rules, f.Rule) {
				gt.Rules = append(gt.Rules, f.Rule)
			}
		}
		slices.Sort(gt.Rules)
		if len(gt.Rules) == 0 {
			gt.Rules = nil
		}
		gt.Submittable = gt.Blocking == 0
		r.Orgs[k.year+" "+k.org] = orgResult{Status: status, Gate: gt}
	}
	return r, nil
}

func involves(f finding.Finding, org string) bool {
	return f.Org == org || slices.Contains(f.Orgs, org)
}

// findingYear is the year of the file a finding (or one of its sides) sits
// in, or "" for a finding about no year's file (the reference list).
func findingYear(f finding.Finding) string {
	for _, l := range append([]finding.Location{f.Location}, f.Related...) {
		if y := plan.FileYear(l.File); y != "" {
			return y
		}
	}
	return ""
}
