package review

import (
	"context"
	"errors"
	"io/fs"
	"sort"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/sandbox"
)

// DefaultProposedRulesTimeout bounds the proposed rules' evaluation in real
// time: loading the schema and policies as well as evaluating them, since
// both run in the sandbox's child process.
const DefaultProposedRulesTimeout = sandbox.DefaultWall

// proposedImpact judges the head's plans with the head's own rules and
// compares each organisation's verdict with the one under the base's rules.
// It informs the regulators who own the rules; it never decides the gate.
// The proposed rules are written by the change's author, so they are
// loaded and evaluated in the sandbox, never in this process; a rule set
// that breaks a limit comes back as Err saying which.
func proposedImpact(ctx context.Context, r *Review, headFS fs.FS, opts Options) *Impact {
	lim := sandbox.Limits{Wall: opts.ProposedRulesTimeout}
	if lim.Wall <= 0 {
		lim.Wall = DefaultProposedRulesTimeout
	}
	// A shorter budget than the default shortens the CPU limit with it, so
	// the CPU limit, which names the cause, still acts before the wall.
	lim.CPU = min(sandbox.DefaultCPU, lim.Wall*2/3)
	proposed, err := sandbox.Evaluate(ctx, headFS, opts.Check, lim)
	if err != nil {
		var le *sandbox.LimitError
		return &Impact{Err: err, Stopped: errors.As(err, &le) || errors.Is(err, sandbox.ErrUnsupported)}
	}
	now, then := blockingRules(r.Head.Findings), blockingRules(proposed)
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
