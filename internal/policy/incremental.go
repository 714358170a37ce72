package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/register"
)

// Reach says which plans a rule's finding depends on, as the rule declares
// in its METADATA (custom.reads). It is a promise the incremental
// evaluation relies on, held to by TestIncrementalEqualsFull
// (internal/check) over randomised changes; a rule that declares nothing
// reads everything.
type Reach string

const (
	// ReadsPlan: a finding depends on the plan of the one organisation it
	// is about, and on the rules' own data (register, reference list,
	// thresholds); it names that organisation.
	ReadsPlan Reach = "plan"
	// ReadsPair: a finding depends on the plans of the organisations it
	// names (the two sides of a contract).
	ReadsPair Reach = "pair"
	// ReadsSystem: a finding is about one system and depends on the plans
	// of the members the reference list places in it; it names the system.
	ReadsSystem Reach = "system"
	// ReadsAll: a finding may depend on any plan (the national asks).
	ReadsAll Reach = "all"
)

// reachOf reads custom.reads of a rule package's METADATA.
func reachOf(m *ast.Module) (Reach, error) {
	for _, a := range m.Annotations {
		if a.Scope != "package" {
			continue
		}
		v, ok := a.Custom["reads"]
		if !ok {
			return ReadsAll, nil
		}
		s, _ := v.(string)
		switch r := Reach(s); r {
		case ReadsPlan, ReadsPair, ReadsSystem, ReadsAll:
			return r, nil
		}
		return "", fmt.Errorf("custom.reads %v is not plan, pair, system or all", v)
	}
	return ReadsAll, nil
}

// planFieldsOf reads custom.plan_fields of a rule package's METADATA: the
// paths (dotted, from a plan's root) of what its rule reads from each plan,
// besides kind. Only a rule that reads all plans may declare them; nil when
// it declares none.
func planFieldsOf(m *ast.Module, reach Reach) ([][]string, error) {
	for _, a := range m.Annotations {
		if a.Scope != "package" {
			continue
		}
		v, ok := a.Custom["plan_fields"]
		if !ok {
			return nil, nil
		}
		if reach != ReadsAll {
			return nil, fmt.Errorf("custom.plan_fields is only for a rule that reads all plans (custom.reads: all)")
		}
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			return nil, fmt.Errorf("custom.plan_fields %v is not a list of paths", v)
		}
		var out [][]string
		for _, x := range list {
			p, _ := x.(string)
			segs := strings.Split(p, ".")
			if p == "" || slices.Contains(segs, "") {
				return nil, fmt.Errorf("custom.plan_fields: %v is not a dotted path such as finance.surplus", x)
			}
			out = append(out, segs)
		}
		return out, nil
	}
	return nil, nil
}

// projection is a plan's data cut down to kind and the paths fields
// name, each with all it holds, for rules that read no more (plan_fields).
func projection(data map[string]any, fields [][]string) map[string]any {
	out := map[string]any{"kind": data["kind"]}
	for _, path := range fields {
		var v any = data
		for _, seg := range path {
			m, _ := v.(map[string]any)
			if v = m[seg]; v == nil {
				break
			}
		}
		if v == nil {
			continue
		}
		into := out
		for _, seg := range path[:len(path)-1] {
			next, _ := into[seg].(map[string]any)
			if next == nil {
				next = map[string]any{}
				into[seg] = next
			}
			into = next
		}
		into[path[len(path)-1]] = v
	}
	return out
}

// Incremental reports whether EvaluateChange can judge a change by parts:
// the entrypoint is the plain union of the rules (see unionSource), so each
// rule can be evaluated on its own, and each rule package has one reach.
func (e *Engine) Incremental() bool { return e.groups != nil }

// reachGroups sorts perRule's indexes by the reach of their packages; nil
// when the rules are evaluated in one query or a package declares no rule,
// or several with different reaches.
func (e *Engine) reachGroups() map[Reach][]int {
	if len(e.perRule) == 0 {
		return nil
	}
	groups := map[Reach][]int{}
	for i, id := range e.ids {
		r, ok := e.packageReach(id)
		if !ok {
			return nil
		}
		groups[r] = append(groups[r], i)
	}
	return groups
}

// EvaluateChange returns what Evaluate would return for set, given that prev
// is an earlier load of the same repository under the same rules, prevFindings
// are Evaluate's findings for prev, and changed lists the plan files that
// differ between them (plan.ChangedFiles). Only what the change can affect
// is evaluated again: for each rule, by its Reach, the findings involving a
// changed organisation (plan, pair), or a system one of them belongs to
// (system), each over just the plans those findings read; the findings
// it cannot affect are kept from prevFindings; a rule that reads everything
// is evaluated over the whole set. A change to the reference list, or to a
// file that stands for no organisation the policies read, is evaluated in
// full.
func (e *Engine) EvaluateChange(ctx context.Context, prev *plan.Set, prevFindings []finding.Finding, set *plan.Set, regs register.Registers, changed []string) ([]finding.Finding, error) {
	if len(changed) == 0 {
		return slices.Clone(prevFindings), nil
	}
	k, ok := changedOrgs(prev, set, changed)
	if !ok || !e.Incremental() || !slices.Equal(prev.Years(), set.Years()) {
		return e.Evaluate(ctx, set, regs)
	}
	scope := reachOfChange(k, prev, set)
	// Rules are evaluated in groups by reach, each group over the plans
	// its findings read, one input per group and year.
	var out []finding.Finding
	for _, year := range set.Years() {
		docs := yearDocs(set, year)
		invalid := set.Invalid(year)
		for _, reach := range []Reach{ReadsPlan, ReadsPair, ReadsSystem, ReadsAll} {
			idx := e.groups[reach]
			if len(idx) == 0 {
				continue
			}
			var fields [][]string
			if reach == ReadsAll {
				// The rules that read every plan read only these
				// parts of each, when they all say which.
				fields = e.allFields
			}
			in, err := inputValue(input(set, scope.docs(reach, docs), regs.Data(year), year), docs, fields)
			if err != nil {
				return nil, fmt.Errorf("build policy input for %s: %w", year, err)
			}
			results, err := e.evalRules(ctx, in, idx)
			if err != nil {
				return nil, fmt.Errorf("evaluate policies for %s: %w", year, err)
			}
			affected := scope.affects(reach)
			for i, items := range results {
				for _, it := range items {
					f, err := e.toFinding(it, docs, regs[year])
					if err != nil {
						return nil, fmt.Errorf("evaluate policies for %s: %w", year, err)
					}
					// A package raising another package's rule would
					// break the grouping: judge the set whole.
					if e.pkgOf[f.Rule] != e.ids[idx[i]] {
						return e.Evaluate(ctx, set, regs)
					}
					if affected(f) && !involvesAny(f, invalid) {
						out = append(out, f)
					}
				}
			}
		}
	}
	for _, f := range prevFindings {
		reach, known := e.reach[f.Rule]
		if !known {
			return nil, fmt.Errorf("finding for rule %q, which the policies do not have", f.Rule)
		}
		if !scope.affects(reach)(f) {
			out = append(out, f)
		}
	}
	finding.Sort(out)
	return out, nil
}

// packageReach is the reach of the rule package id: that of the rule it
// declares; ok is false for a package declaring no rule or several with
// different reaches.
func (e *Engine) packageReach(id string) (Reach, bool) {
	var r Reach
	for rule, pkg := range e.pkgOf {
		if pkg != id {
			continue
		}
		if r != "" && r != e.reach[rule] {
			return "", false
		}
		r = e.reach[rule]
	}
	return r, r != ""
}

// changedOrgs names the organisations whose plans the changed files hold,
// before or after; ok is false when a change cannot be put down to
// organisations (the reference list, a file of another kind).
func changedOrgs(prev, set *plan.Set, changed []string) (map[string]bool, bool) {
	k := map[string]bool{}
	for _, file := range changed {
		if file == plan.ReferenceListFile {
			return nil, false
		}
		docs := slices.Concat(prev.DocsOf(file), set.DocsOf(file))
		for _, d := range docs {
			switch d.Kind {
			case "provider", "commissioner", "system":
			default:
				return nil, false
			}
			if d.Org == "" {
				return nil, false
			}
			k[d.Org] = true
		}
		// A file refused before its code was read stands for the
		// organisation its path names (plan.Set.Invalid).
		if _, code, _, ok := plan.FiledAs(file); ok {
			k[code] = true
		}
	}
	return k, true
}

// changeScope is what one year of a change can affect.
type changeScope struct {
	// changed are the organisations whose plans changed; near are they
	// and every organisation a plan of theirs names or that names them,
	// before or after; systems are the systems among those and those the
	// changed organisations belong to; members are the organisations the
	// reference list or their own plans place in those systems.
	changed, near, systems, members map[string]bool
}

// reachOfChange works out what a change of the plans of k can affect, in
// any year: a superset in one year only widens what is evaluated.
func reachOfChange(k map[string]bool, prev, set *plan.Set) changeScope {
	s := changeScope{changed: k, near: map[string]bool{}, systems: map[string]bool{}, members: map[string]bool{}}
	ref := referenceSystems(set)
	for code := range k {
		s.near[code] = true
	}
	kinds := map[string]string{}
	for _, docs := range [][]*plan.Document{prev.Documents, set.Documents} {
		for _, d := range docs {
			code := d.Org
			if code == "" {
				continue
			}
			kinds[code] = d.Kind
			m := d.Mentions()
			if k[code] {
				for _, x := range m {
					s.near[x] = true
				}
				continue
			}
			if slices.ContainsFunc(m, func(x string) bool { return k[x] }) {
				s.near[code] = true
			}
		}
	}
	isSystem := func(code string) bool {
		if t, ok := ref.types[code]; ok {
			return t == "system"
		}
		return kinds[code] == "system"
	}
	for code := range s.near {
		if isSystem(code) {
			s.systems[code] = true
		}
	}
	for code := range k {
		if sys := ref.system[code]; sys != "" {
			s.systems[sys] = true
		}
	}
	for code, sys := range ref.system {
		if s.systems[sys] {
			s.members[code] = true
		}
	}
	for _, docs := range [][]*plan.Document{prev.Documents, set.Documents} {
		for _, d := range docs {
			if d.Org != "" && (s.systems[d.Org] || slices.ContainsFunc(d.Mentions(), func(x string) bool { return s.systems[x] })) {
				s.members[d.Org] = true
			}
		}
	}
	return s
}

// docs picks the plans a rule of reach reads for the findings the change
// can affect.
func (s changeScope) docs(reach Reach, all map[string]*plan.Document) map[string]*plan.Document {
	var want map[string]bool
	switch reach {
	case ReadsPlan:
		want = s.changed
	case ReadsPair:
		want = s.near
	case ReadsSystem:
		want = s.members
	default:
		return all
	}
	out := map[string]*plan.Document{}
	for code, d := range all {
		if want[code] || d.Kind == "system" {
			out[code] = d
		}
	}
	return out
}

// affects reports which findings of a rule of reach the change can alter:
// those are evaluated again, the rest kept.
func (s changeScope) affects(reach Reach) func(finding.Finding) bool {
	switch reach {
	case ReadsPlan, ReadsPair:
		return func(f finding.Finding) bool { return involvesAny(f, s.changed) }
	case ReadsSystem:
		return func(f finding.Finding) bool { return involvesAny(f, s.systems) || involvesAny(f, s.changed) }
	default:
		return func(finding.Finding) bool { return true }
	}
}

// refSystems are the reference list's type and system of each
// organisation.
type refSystems struct{ types, system map[string]string }

func referenceSystems(set *plan.Set) refSystems {
	r := refSystems{types: map[string]string{}, system: map[string]string{}}
	for code, v := range referenceOrgs(set) {
		m, _ := v.(map[string]any)
		r.types[code], _ = m["type"].(string)
		r.system[code], _ = m["system"].(string)
	}
	return r
}

// evalRules evaluates the rules at idx (indexes into perRule) side by side
// and returns each one's findings.
func (e *Engine) evalRules(ctx context.Context, in ast.Value, idx []int) ([][]any, error) {
	results := make([][]any, len(idx))
	err := each(len(idx), func(i int) error {
		rs, err := e.perRule[idx[i]].Eval(ctx, rego.EvalParsedInput(in))
		if err == nil {
			results[i], err = findingsOf(rs)
		}
		return err
	})
	return results, err
}
