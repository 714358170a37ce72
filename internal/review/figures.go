package review

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// Unit says how a key figure reads.
type Unit string

const (
	// Count is a whole number of spells, attendances or referrals.
	Count Unit = "count"
	// Money is in £ thousands, as plans state it.
	Money Unit = "£k"
	// Average is a monthly average (beds, staff), read to one decimal.
	Average Unit = "average"
)

// Figure is one key number of a plan before and after the change; nil
// where that version of the plan does not state it.
type Figure struct {
	Label         string
	Unit          Unit
	Before, After *float64
}

// PlanFigures are the key figures of one plan file the change touches.
type PlanFigures struct {
	Org, Year, File string
	// Name is the organisation's name as its plan states it.
	Name string
	// Added and Removed say the plan is new, or gone, in this change.
	Added, Removed bool
	Figures        []Figure
}

// The parts of a plan the key figures read, decoded from its data. Field
// names are the schema's (schema/provider.cue, schema/commissioner.cue,
// schema/activity.cue); TestKeyFigurePathsExistInSchema fails on any that is
// not, so a typo cannot quietly show "n/a".
type (
	flow struct {
		Months []float64 `json:"months"`
	}
	activityLines struct {
		GPReferrals *flow `json:"gp_referrals"`
		OpFirst     *flow `json:"op_first"`
		OpFollowup  *flow `json:"op_followup"`
		Elective    *flow `json:"elective"`
		NonElective *flow `json:"non_elective"`
		AETotal     *flow `json:"ae_total"`
	}
	header struct {
		Name string `json:"name"`
	}
	providerPlan struct {
		header
		// Activity by commissioner.
		Activity map[string]activityLines `json:"activity"`
		Capacity struct {
			BedsCore       *flow `json:"beds_core"`
			BedsEscalation *flow `json:"beds_escalation"`
		} `json:"capacity"`
		Workforce struct {
			Total []float64 `json:"total"`
		} `json:"workforce"`
		Finance struct {
			Income struct {
				PatientCare *float64 `json:"patient_care"`
				Other       *float64 `json:"other"`
			} `json:"income"`
			Expenditure struct {
				Pay struct {
					Substantive *float64 `json:"substantive"`
					Bank        *float64 `json:"bank"`
					Agency      *float64 `json:"agency"`
				} `json:"pay"`
				NonPay       *float64 `json:"non_pay"`
				Depreciation *float64 `json:"depreciation"`
				Financing    *float64 `json:"financing"`
			} `json:"expenditure"`
			Surplus *float64 `json:"surplus"`
		} `json:"finance"`
	}
	contract struct {
		Value struct {
			Total *float64 `json:"total"`
		} `json:"value"`
		Activity activityLines `json:"activity"`
	}
	commissionerPlan struct {
		header
		// Contracts by provider.
		Contracts map[string]contract `json:"contracts"`
		Finance   struct {
			OtherSpend   *float64 `json:"other_spend"`
			Surplus      *float64 `json:"surplus"`
			MentalHealth *float64 `json:"mental_health"`
			QIPP         *float64 `json:"qipp"`
		} `json:"finance"`
	}
)

// keyLine reads one key figure from a decoded plan.
type keyLine[P any] struct {
	label string
	unit  Unit
	get   func(*P) *float64
}

// activity is the headline activity line picked by line, summed over every
// counterparty of the plan.
func activity[P any](label string, line func(activityLines) *flow, by func(*P) []activityLines) keyLine[P] {
	return keyLine[P]{label, Count, func(p *P) *float64 {
		var xs []*float64
		for _, a := range by(p) {
			if f := line(a); f != nil && len(f.Months) > 0 {
				xs = append(xs, sum(f.Months))
			}
		}
		if len(xs) == 0 {
			return nil
		}
		return add(xs...)
	}}
}

func activityLinesFor[P any](by func(*P) []activityLines) []keyLine[P] {
	return []keyLine[P]{
		activity("GP referrals (E.M.1)", func(a activityLines) *flow { return a.GPReferrals }, by),
		activity("Outpatients first (E.M.8)", func(a activityLines) *flow { return a.OpFirst }, by),
		activity("Outpatients follow-up (E.M.9)", func(a activityLines) *flow { return a.OpFollowup }, by),
		activity("Elective spells (E.M.10)", func(a activityLines) *flow { return a.Elective }, by),
		activity("Non-elective spells (E.M.11)", func(a activityLines) *flow { return a.NonElective }, by),
		activity("A&E attendances (E.M.12+13)", func(a activityLines) *flow { return a.AETotal }, by),
	}
}

var providerLines = append(activityLinesFor(func(p *providerPlan) []activityLines { return values(p.Activity) }),
	keyLine[providerPlan]{"Income", Money, func(p *providerPlan) *float64 {
		return add(p.Finance.Income.PatientCare, p.Finance.Income.Other)
	}},
	keyLine[providerPlan]{"Expenditure", Money, func(p *providerPlan) *float64 {
		e := p.Finance.Expenditure
		return add(e.Pay.Substantive, e.Pay.Bank, e.Pay.Agency, e.NonPay, e.Depreciation, e.Financing)
	}},
	keyLine[providerPlan]{"Surplus/(deficit) before sustainability funding", Money, func(p *providerPlan) *float64 {
		return p.Finance.Surplus
	}},
	keyLine[providerPlan]{"WTE (average)", Average, func(p *providerPlan) *float64 { return mean(p.Workforce.Total) }},
	keyLine[providerPlan]{"G&A beds (average)", Average, func(p *providerPlan) *float64 {
		return add(mean(months(p.Capacity.BedsCore)), mean(months(p.Capacity.BedsEscalation)))
	}},
)

var commissionerLines = append(activityLinesFor(func(p *commissionerPlan) []activityLines {
	out := make([]activityLines, 0, len(p.Contracts))
	for _, c := range values(p.Contracts) {
		out = append(out, c.Activity)
	}
	return out
}),
	keyLine[commissionerPlan]{"Contract value, all providers", Money, func(p *commissionerPlan) *float64 {
		var xs []*float64
		for _, c := range values(p.Contracts) {
			if c.Value.Total != nil {
				xs = append(xs, c.Value.Total)
			}
		}
		if len(xs) == 0 {
			return nil
		}
		return add(xs...)
	}},
	keyLine[commissionerPlan]{"Other spend", Money, func(p *commissionerPlan) *float64 { return p.Finance.OtherSpend }},
	keyLine[commissionerPlan]{"Surplus/(deficit)", Money, func(p *commissionerPlan) *float64 { return p.Finance.Surplus }},
	keyLine[commissionerPlan]{"Mental health spend", Money, func(p *commissionerPlan) *float64 { return p.Finance.MentalHealth }},
	keyLine[commissionerPlan]{"QIPP savings", Money, func(p *commissionerPlan) *float64 { return p.Finance.QIPP }},
)

// keyFigures tables the key figures of every plan file the change touches.
// A system file holds only its members, and the system control total is
// the register's, so a system file has no key figures of its own.
func keyFigures(changes []gitrepo.FileChange, base, head *plan.Set) ([]PlanFigures, error) {
	var out []PlanFigures
	for _, c := range changes {
		before, after := docByFile(base, c.From), docByFile(head, c.To)
		d := after
		if d == nil {
			d = before
		}
		if d == nil {
			continue
		}
		pf := PlanFigures{Org: d.Org, Year: d.Year, File: d.File, Added: before == nil, Removed: after == nil}
		var err error
		switch d.Kind {
		case "provider":
			pf.Figures, err = figuresOf(providerLines, before, after)
		case "commissioner":
			pf.Figures, err = figuresOf(commissionerLines, before, after)
		}
		if err != nil {
			return nil, err
		}
		if h, _ := decodePlan[header](d); h != nil {
			pf.Name = h.Name
		}
		if len(pf.Figures) > 0 {
			out = append(out, pf)
		}
	}
	return out, nil
}

// figuresOf reads lines from both versions of a plan.
func figuresOf[P any](lines []keyLine[P], before, after *plan.Document) ([]Figure, error) {
	b, err := decodePlan[P](before)
	if err != nil {
		return nil, err
	}
	a, err := decodePlan[P](after)
	if err != nil {
		return nil, err
	}
	var out []Figure
	for _, l := range lines {
		f := Figure{Label: l.label, Unit: l.unit}
		if b != nil {
			f.Before = l.get(b)
		}
		if a != nil {
			f.After = l.get(a)
		}
		if f.Before != nil || f.After != nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// decodePlan decodes the parts of d the key figures read; nil for no
// document. A plan that passed the schema must decode: if it does not, the
// structs above disagree with the schema, and saying so beats a table of
// "n/a". A plan that failed the schema with a value of the wrong type is
// not read at all (nil, so its figures show "n/a"): encoding/json would
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
	return nil, fmt.Errorf("read key figures of %s: %w", d.File, err)
}

// add sums xs; nil when any is missing, since a part of a total is not
// the total.
func add(xs ...*float64) *float64 {
	t := 0.0
	for _, x := range xs {
		if x == nil {
			return nil
		}
		t += *x
	}
	return &t
}

func sum(xs []float64) *float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return &t
}

// mean is the average of xs; nil for none.
func mean(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := *sum(xs) / float64(len(xs))
	return &m
}

func months(f *flow) []float64 {
	if f == nil {
		return nil
	}
	return f.Months
}

// values lists a map's values in key order, so sums add up the same way on
// every run.
func values[V any](m map[string]V) []V {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]V, 0, len(m))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}
