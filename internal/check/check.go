// Package check is the pipeline shared by every command: load and validate
// the plans, evaluate the policies, apply explanations and waivers. check,
// review and serve differ only in where the trees come from and how the
// result is reported.
package check

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gate"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/policy"
	"github.com/triangulate-nhs/triangulate/internal/register"
)

// Options tune a run.
type Options struct {
	// MaxFileSize bounds one plan file (0: plan.DefaultMaxFileSize).
	MaxFileSize int64
	// Today decides which waivers are in date (zero: now).
	Today time.Time
	// Progress is told how many plan files are checked of how many (see
	// plan.Options.Progress); not sent to the sandbox.
	Progress func(done, total int) `json:"-"`
}

// Rules are the trees that judge: schema/, policy/, policy/register/ and
// policy/waivers/. In a review they come from the base branch, never from
// the change.
type Rules struct {
	Schema    *plan.Schema
	Engine    *policy.Engine
	Registers register.Registers
	Waivers   []gate.Waiver
	// Findings about the rules' own files (malformed registers, malformed or
	// expired waivers).
	Findings []finding.Finding
}

// LoadRules compiles the schema and policies in fsys and reads its waivers.
func LoadRules(ctx context.Context, fsys fs.FS, opts Options) (*Rules, error) {
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		return nil, err
	}
	e, err := policy.Load(ctx, fsys)
	if err != nil {
		return nil, err
	}
	today := opts.Today
	if today.IsZero() {
		today = time.Now()
	}
	regs, rf := register.Load(fsys, s)
	w, wf := gate.LoadWaivers(fsys, s, today)
	return &Rules{Schema: s, Engine: e, Registers: regs, Waivers: w, Findings: slices.Concat(rf, wf)}, nil
}

// Catalogue lists every rule: schema, policy and gate, ordered by id.
func (r *Rules) Catalogue() []finding.Rule {
	all := slices.Concat(plan.Rules, r.Engine.Rules(), gate.Rules)
	slices.SortFunc(all, func(a, b finding.Rule) int { return strings.Compare(a.ID, b.ID) })
	return all
}

// describe sets every finding's title and category from the catalogue: the
// one place they are set, so a rule reads the same in every stage and
// format.
func (r *Rules) describe(fs []finding.Finding) {
	byID := map[string]finding.Rule{}
	for _, rule := range r.Catalogue() {
		byID[rule.ID] = rule
	}
	for i := range fs {
		if rule, ok := byID[fs[i].Rule]; ok {
			fs[i].Title, fs[i].Category = rule.Title, rule.Category
		}
	}
}

// Result is what one run found.
type Result struct {
	Set      *plan.Set
	Findings []finding.Finding
	// PlansRead counts the plan documents read (providers, commissioners and
	// systems).
	PlansRead int
}

// Blocking reports whether anything blocks submission.
func (r *Result) Blocking() bool {
	return slices.ContainsFunc(r.Findings, finding.Finding.Blocking)
}

// Run checks the plans in plansFS against the rules.
func Run(ctx context.Context, rules *Rules, plansFS fs.FS, opts Options) (*Result, error) {
	set, err := rules.Schema.LoadContext(ctx, plansFS, plan.Options{MaxFileSize: opts.MaxFileSize, Progress: opts.Progress})
	if err != nil {
		return nil, fmt.Errorf("load plans: %w", err)
	}
	pf, err := rules.Engine.Evaluate(ctx, set, rules.Registers)
	if err != nil {
		return nil, err
	}
	all := slices.Concat(set.Findings, pf, rules.Findings)
	rules.describe(all)
	all = gate.Apply(all, set, rules.Waivers)
	finding.Sort(all)
	n := 0
	for _, d := range set.Documents {
		if d.Kind != "organisations" && d.Kind != "waivers" {
			n++
		}
	}
	return &Result{Set: set, Findings: all, PlansRead: n}, nil
}
