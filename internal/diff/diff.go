package diff

import (
	"cmp"
	"slices"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// Side is one version of the plan set, loaded and judged.
type Side struct {
	// Label names the version for people: "main (0123456789ab)", a folder.
	Label    string
	Set      *plan.Set
	Findings []finding.Finding
}

// Plan is one organisation's plan file that changed.
type Plan struct {
	Org  string `json:"org"`
	Name string `json:"name,omitempty"`
	Year string `json:"year"`
	File string `json:"file"`
	Kind string `json:"kind"`
	// Added and Removed say the plan is new, or gone, in HEAD.
	Added   bool `json:"added,omitempty"`
	Removed bool `json:"removed,omitempty"`
	// Measures are the measures that changed.
	Measures []Measure `json:"measures"`
}

// System is a system's measures: the sum over its members (from the
// reference list) of trusts' and CCGs' measures, each kind apart so a
// contract is not counted from both sides.
type System struct {
	Code     string    `json:"code"`
	Name     string    `json:"name,omitempty"`
	Year     string    `json:"year"`
	Members  []string  `json:"members"`
	Measures []Measure `json:"measures"`
}

// Result is everything that changed between two versions.
type Result struct {
	Base, Head string
	Plans      []Plan
	Systems    []System
	// New are HEAD's findings BASE did not have; Fixed are BASE's that HEAD
	// no longer has, matched by fingerprint.
	New, Fixed []finding.Finding
}

// Filter narrows a comparison to some organisations or one system; zero
// keeps everything.
type Filter struct {
	Orgs   []string
	System string
}

// Sets compares two versions of the plan set.
func Sets(base, head Side, o Options, f Filter) (*Result, error) {
	members := systems(base.Set, head.Set)
	keep := func(org string) bool {
		switch {
		case len(f.Orgs) > 0:
			return slices.Contains(f.Orgs, org)
		case f.System != "":
			return org == f.System || members.system[org] == f.System
		}
		return true
	}
	r := &Result{Base: base.Label, Head: head.Label}
	before, after := byFile(base.Set), byFile(head.Set)
	for _, file := range keys(before, after) {
		b, a := before[file], after[file]
		d := cmp.Or(a, b)
		if !keep(d.Org) {
			continue
		}
		p := Plan{Org: d.Org, Name: PlanName(d), Year: d.Year, File: d.File, Kind: d.Kind, Added: b == nil, Removed: a == nil}
		ms, err := Compare(b, a, o)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Changed() {
				p.Measures = append(p.Measures, m)
			}
		}
		if p.Added || p.Removed || len(p.Measures) > 0 {
			r.Plans = append(r.Plans, p)
		}
	}
	if len(f.Orgs) == 0 {
		sys, err := systemMeasures(base.Set, head.Set, members, o, f.System)
		if err != nil {
			return nil, err
		}
		r.Systems = sys
	}
	involved := func(x finding.Finding) bool {
		if len(f.Orgs) == 0 && f.System == "" {
			return true
		}
		if x.Org != "" && keep(x.Org) {
			return true
		}
		return slices.ContainsFunc(x.Orgs, keep)
	}
	r.New = only(head.Findings, base.Findings, involved)
	r.Fixed = only(base.Findings, head.Findings, involved)
	return r, nil
}

// only lists the findings of xs whose fingerprint ys lacks.
func only(xs, ys []finding.Finding, keep func(finding.Finding) bool) []finding.Finding {
	seen := map[string]bool{}
	for _, y := range ys {
		seen[y.Fingerprint()] = true
	}
	var out []finding.Finding
	for _, x := range xs {
		if !seen[x.Fingerprint()] && keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// byFile indexes the organisations' and systems' plans by file.
func byFile(s *plan.Set) map[string]*plan.Document {
	out := map[string]*plan.Document{}
	if s == nil {
		return out
	}
	for _, d := range s.Documents {
		switch d.Kind {
		case "provider", "commissioner", "system":
			out[d.File] = d
		}
	}
	return out
}

// membership is the reference list's systems.
type membership struct {
	system map[string]string // org -> system
	names  map[string]string // system -> name
}

// systems reads the reference list of both versions, HEAD's winning where
// they disagree, so an organisation that left a system in HEAD is counted
// in its new system on both sides and its move does not show as a change.
func systems(sets ...*plan.Set) membership {
	m := membership{system: map[string]string{}, names: map[string]string{}}
	for _, s := range sets {
		if s == nil {
			continue
		}
		for _, d := range s.Documents {
			if d.Kind != "organisations" {
				continue
			}
			list, _ := decodePlan[struct {
				Organisations map[string]struct {
					Name   string `json:"name"`
					Type   string `json:"type"`
					System string `json:"system"`
				} `json:"organisations"`
			}](d)
			if list == nil {
				continue
			}
			for code, o := range list.Organisations {
				if o.Type == "system" {
					m.names[code] = o.Name
				} else if o.System != "" {
					m.system[code] = o.System
				}
			}
		}
	}
	return m
}

// systemMeasures sums each system's members' measures per year, on each
// side, and keeps the systems whose sums changed.
func systemMeasures(base, head *plan.Set, m membership, o Options, only string) ([]System, error) {
	type id struct{ code, year string }
	o.Counterparties, o.Headline = false, false
	sums := map[id]*[2][]value{}
	mem := map[id][]string{}
	for side, s := range []*plan.Set{base, head} {
		if s == nil {
			continue
		}
		for _, d := range s.Documents {
			sys := m.system[d.Org]
			if sys == "" || (only != "" && sys != only) || (d.Kind != "provider" && d.Kind != "commissioner") {
				continue
			}
			vs, err := measuresOf(d, nil, o)
			if err != nil {
				return nil, err
			}
			k := id{sys, d.Year}
			if sums[k] == nil {
				sums[k] = &[2][]value{}
			}
			if !slices.Contains(mem[k], d.Org) {
				mem[k] = append(mem[k], d.Org)
			}
			prefix, label := "trusts.", "Trusts: "
			if d.Kind == "commissioner" {
				prefix, label = "ccgs.", "CCGs: "
			}
			for _, v := range vs {
				v.key, v.label, v.headline = prefix+v.key, label+v.label, false
				sums[k][side] = addValue(sums[k][side], v)
			}
		}
	}
	ids := make([]id, 0, len(sums))
	for k := range sums {
		ids = append(ids, k)
	}
	slices.SortFunc(ids, func(a, b id) int { return cmp.Or(cmp.Compare(a.code, b.code), cmp.Compare(a.year, b.year)) })
	var out []System
	for _, k := range ids {
		s := System{Code: k.code, Name: m.names[k.code], Year: k.year, Members: mem[k]}
		slices.Sort(s.Members)
		for _, x := range pair(sums[k][0], sums[k][1]) {
			if x.Changed() {
				s.Measures = append(s.Measures, x)
			}
		}
		if len(s.Measures) > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

// addValue adds v to the value of the same key in vs, or appends it.
func addValue(vs []value, v value) []value {
	for i := range vs {
		if vs[i].key == v.key {
			vs[i].x += v.x
			return vs
		}
	}
	return append(vs, v)
}
