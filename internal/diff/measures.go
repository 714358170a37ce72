// Package diff compares two versions of a plan set in business terms: every
// measure of every plan (activity, money, staff, beds), before and after,
// rolled up per system, and the findings new and fixed. It is plain data:
// internal/report renders it, for the diff command and for the key-figures
// table of a pull request's summary, so both read the same numbers the same
// way.
package diff

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// Unit says how a measure reads.
type Unit string

const (
	// Count is a whole number of spells, attendances or referrals.
	Count Unit = "count"
	// Money is in £ thousands, as plans state it.
	Money Unit = "£k"
	// Average is a monthly average (beds, staff), read to one decimal.
	Average Unit = "average"
)

// Measure is one number of a plan (or a system's sum) before and after;
// nil where that version does not state it.
type Measure struct {
	// Key identifies the measure across versions and plans, e.g.
	// "activity.non_elective", "activity.non_elective.09N",
	// "activity.non_elective.m04".
	Key   string `json:"key"`
	Label string `json:"label"`
	Unit  Unit   `json:"unit"`
	// Headline marks the key figures a pull request's summary tables.
	Headline      bool     `json:"-"`
	Before, After *float64 `json:"-"`
}

// Change is After less Before; nil when either is missing.
func (m Measure) Change() *float64 {
	if m.Before == nil || m.After == nil {
		return nil
	}
	d := *m.After - *m.Before
	return &d
}

// Pct is the change as a percentage of Before; nil when Before is missing
// or zero.
func (m Measure) Pct() *float64 {
	d := m.Change()
	if d == nil || *m.Before == 0 {
		return nil
	}
	p := *d * 100 / abs(*m.Before)
	return &p
}

// Changed reports whether the measure differs between the versions: a
// figure appeared, went, or moved by more than rounding noise.
func (m Measure) Changed() bool {
	if (m.Before == nil) != (m.After == nil) {
		return true
	}
	d := m.Change()
	return d != nil && abs(*d) > 1e-9
}

// Options choose which measures are read.
type Options struct {
	// Monthly adds the twelve months of every monthly line.
	Monthly bool
	// Counterparties adds each activity line per commissioner (for a trust)
	// or per provider (for a CCG), and each contract's value.
	Counterparties bool
	// Headline keeps only the key figures of a pull request's summary.
	Headline bool
}

// value is one measure read from one version.
type value struct {
	key, label string
	unit       Unit
	headline   bool
	x          float64
}

// reading is what one line of a plan says: a total, and for a monthly line
// its twelve months.
type reading struct {
	total  *float64
	months []float64
}

// line is one measure of a decoded plan.
type line[P any] struct {
	key, label string
	unit       Unit
	headline   bool
	get        func(*P) reading
}

// activityLine picks one line of activity.
type activityLine struct {
	key, label string
	headline   bool
	get        func(activityLines) *flow
}

var activityKinds = []activityLine{
	{"gp_referrals", "GP referrals (E.M.1)", true, func(a activityLines) *flow { return a.GPReferrals }},
	{"other_referrals", "Other referrals (E.M.7)", false, func(a activityLines) *flow { return a.OtherReferrals }},
	{"op_first", "Outpatients first (E.M.8)", true, func(a activityLines) *flow { return a.OpFirst }},
	{"op_followup", "Outpatients follow-up (E.M.9)", true, func(a activityLines) *flow { return a.OpFollowup }},
	{"elective", "Elective spells (E.M.10)", true, func(a activityLines) *flow { return a.Elective }},
	{"elective_daycase", "Elective day cases (E.M.10a)", false, func(a activityLines) *flow { return a.ElectiveDaycase }},
	{"elective_ordinary", "Elective ordinary spells (E.M.10b)", false, func(a activityLines) *flow { return a.ElectiveOrdinary }},
	{"non_elective", "Non-elective spells (E.M.11)", true, func(a activityLines) *flow { return a.NonElective }},
	{"non_elective_zero_los", "Non-elective zero-day spells (E.M.11a)", false, func(a activityLines) *flow { return a.NonElectiveZeroLOS }},
	{"non_elective_los", "Non-elective 1+ day spells (E.M.11b)", false, func(a activityLines) *flow { return a.NonElectiveLOS }},
	{"ae_total", "A&E attendances (E.M.12+13)", true, func(a activityLines) *flow { return a.AETotal }},
	{"ae_type1", "A&E type 1 (E.M.12)", false, func(a activityLines) *flow { return a.AEType1 }},
	{"ae_other", "A&E other types (E.M.13)", false, func(a activityLines) *flow { return a.AEOther }},
	{"diagnostics", "Diagnostic tests (E.B.26)", false, func(a activityLines) *flow { return a.Diagnostics }},
}

// activity reads every activity line summed over the plan's counterparties,
// and with o.Counterparties each counterparty's own.
func activity[P any](by func(*P) map[string]activityLines, counterparties []string) []line[P] {
	var out []line[P]
	for _, k := range activityKinds {
		out = append(out, line[P]{"activity." + k.key, k.label, Count, k.headline, func(p *P) reading {
			var ms [][]float64
			for _, a := range values(by(p)) {
				if f := k.get(a); f != nil && len(f.Months) > 0 {
					ms = append(ms, f.Months)
				}
			}
			return sumSeries(ms)
		}})
	}
	for _, k := range activityKinds {
		for _, cp := range counterparties {
			out = append(out, line[P]{"activity." + k.key + "." + cp, k.label + ", " + cp, Count, false, func(p *P) reading {
				a, ok := by(p)[cp]
				if !ok {
					return reading{}
				}
				if f := k.get(a); f != nil && len(f.Months) > 0 {
					return sumSeries([][]float64{f.Months})
				}
				return reading{}
			}})
		}
	}
	return out
}

func scalar[P any](key, label string, headline bool, get func(*P) *float64) line[P] {
	return line[P]{key, label, Money, headline, func(p *P) reading { return reading{total: get(p)} }}
}

func average[P any](key, label string, headline bool, get func(*P) []float64) line[P] {
	return line[P]{key, label, Average, headline, func(p *P) reading {
		m := get(p)
		return reading{total: mean(m), months: m}
	}}
}

// monthNames are the plan year's months, M1 = April.
var monthNames = [12]string{"Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"}

// read lists the measures of one decoded plan, in line order.
func read[P any](lines []line[P], p *P, o Options) []value {
	if p == nil {
		return nil
	}
	var out []value
	for _, l := range lines {
		if o.Headline && !l.headline {
			continue
		}
		r := l.get(p)
		if r.total != nil {
			out = append(out, value{l.key, l.label, l.unit, l.headline, *r.total})
		}
		if o.Monthly && len(r.months) == 12 {
			for i, x := range r.months {
				out = append(out, value{fmt.Sprintf("%s.m%02d", l.key, i+1), fmt.Sprintf("%s, M%d %s", l.label, i+1, monthNames[i]), l.unit, false, x})
			}
		}
	}
	return out
}

// counterparties lists the organisations a plan's activity or contracts
// name, for the per-counterparty measures.
func counterparties(d *plan.Document) ([]string, error) {
	switch d.Kind {
	case "provider":
		p, err := decodePlan[providerPlan](d)
		if p == nil {
			return nil, err
		}
		return append(keys(p.Activity), keys(p.Finance.Income.ByCommissioner)...), nil
	case "commissioner":
		p, err := decodePlan[commissionerPlan](d)
		if p == nil {
			return nil, err
		}
		return keys(p.Contracts), nil
	}
	return nil, nil
}

// measuresOf reads the measures of one version of a plan; nil for a
// document that is not an organisation's plan.
func measuresOf(d *plan.Document, cps []string, o Options) ([]value, error) {
	if d == nil {
		return nil, nil
	}
	if !o.Counterparties {
		cps = nil
	}
	switch d.Kind {
	case "provider":
		p, err := decodePlan[providerPlan](d)
		return read(providerLines(cps), p, o), err
	case "commissioner":
		p, err := decodePlan[commissionerPlan](d)
		return read(commissionerLines(cps), p, o), err
	}
	return nil, nil
}

// PlanName is the organisation's name as its plan states it; "" when it
// does not.
func PlanName(d *plan.Document) string {
	if h, _ := decodePlan[header](d); h != nil {
		return h.Name
	}
	return ""
}

// Compare reads both versions of one plan (either may be nil) and lists
// every measure either states, in the plan's line order (a measure only
// the old version states comes last), changed or not.
func Compare(before, after *plan.Document, o Options) ([]Measure, error) {
	var cps []string
	for _, d := range []*plan.Document{before, after} {
		if d == nil {
			continue
		}
		c, err := counterparties(d)
		if err != nil {
			return nil, err
		}
		cps = append(cps, c...)
	}
	slices.Sort(cps)
	cps = slices.Compact(cps)
	b, err := measuresOf(before, cps, o)
	if err != nil {
		return nil, err
	}
	a, err := measuresOf(after, cps, o)
	if err != nil {
		return nil, err
	}
	return pair(b, a), nil
}

// pair matches measures by key, in the order of after, with a measure
// only before states placed after its predecessor in before.
func pair(before, after []value) []Measure {
	out := make([]Measure, 0, len(after))
	pos := map[string]int{}
	for _, v := range after {
		x := v.x
		pos[v.key] = len(out)
		out = append(out, Measure{Key: v.key, Label: v.label, Unit: v.unit, Headline: v.headline, After: &x})
	}
	for i, v := range before {
		x := v.x
		if j, ok := pos[v.key]; ok {
			out[j].Before = &x
			continue
		}
		at := 0
		if i > 0 {
			at = pos[before[i-1].key] + 1
		}
		out = slices.Insert(out, at, Measure{Key: v.key, Label: v.label, Unit: v.unit, Headline: v.headline, Before: &x})
		for k, p := range pos {
			if p >= at {
				pos[k] = p + 1
			}
		}
		pos[v.key] = at
	}
	return out
}

// decodePlan decodes the parts of d the measures read; nil for no
// document. A plan that passed the schema must decode: if it does not, the
// structs above disagree with the schema, and saying so beats a table of
// "n/a". A plan that failed the schema with a value of the wrong type is
// not read at all (nil, so its measures show "n/a"): encoding/json would
// leave a zero where the plan has text, and a zero is a figure.
func decodePlan[P any](d *plan.Document) (*P, error) {
	if d == nil {
		return nil, nil
	}
	raw, err := json.Marshal(d.Data)
	if err == nil {
		p := new(P)
		if err = json.Unmarshal(raw, p); err == nil {
			return p, nil
		}
	}
	if !d.Valid {
		return nil, nil
	}
	return nil, fmt.Errorf("read measures of %s: %w", d.File, err)
}
