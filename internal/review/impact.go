package review

import (
	"context"
	"io/fs"
	"sort"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// DefaultProposedRulesTimeout bounds the proposed rules' evaluation.
const DefaultProposedRulesTimeout = 2 * time.Minute

// proposedImpact judges the head's plans with the head's own rules and
// compares each organisation's verdict with the one under the base's rules.
// It informs the regulators who own the rules; it never decides the gate.
func proposedImpact(ctx context.Context, r *Review, headFS fs.FS, opts Options) *Impact {
	timeout := opts.ProposedRulesTimeout
	if timeout <= 0 {
		timeout = DefaultProposedRulesTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	proposed, err := check.LoadRules(ctx, headFS, opts.Check)
	if err != nil {
		return &Impact{Err: err}
	}
	res, err := check.Run(ctx, proposed, headFS, opts.Check)
	if err != nil {
		return &Impact{Err: err}
	}
	now, then := blockingRules(r.Head.Findings), blockingRules(res.Findings)
	im := &Impact{}
	for _, org := range unionKeys(now, then) {
		switch {
		case len(then[org]) > 0 && len(now[org]) == 0:
			im.NewlyFailing = append(im.NewlyFailing, OrgRules{Org: org, Rules: sortedSet(then[org])})
		case len(then[org]) == 0 && len(now[org]) > 0:
			im.NewlyPassing = append(im.NewlyPassing, OrgRules{Org: org, Rules: sortedSet(now[org])})
		}
	}
	return im
}

// blockingRules maps each organisation to the rules blocking it.
func blockingRules(fs []finding.Finding) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, f := range fs {
		if !f.Blocking() {
			continue
		}
		for _, o := range f.Orgs {
			if out[o] == nil {
				out[o] = map[string]bool{}
			}
			out[o][f.Rule] = true
		}
	}
	return out
}

func unionKeys(a, b map[string]map[string]bool) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
