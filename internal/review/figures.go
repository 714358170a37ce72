package review

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// figure is one key number of a plan, before and after the change.
type figure struct {
	label         string
	before, after float64
	hasB, hasA    bool
	unit          string // "" counts, "£k" money, "x" decimals
}

type keyLine struct {
	label string
	get   func(map[string]any) (float64, bool)
	unit  string
}

// activityLines are the headline activity lines, summed over counterparties.
var activityLines = []keyLine{
	{"GP referrals (E.M.1)", activity("gp_referrals"), ""},
	{"Outpatients first (E.M.8)", activity("op_first"), ""},
	{"Outpatients follow-up (E.M.9)", activity("op_followup"), ""},
	{"Elective spells (E.M.10)", activity("elective"), ""},
	{"Non-elective spells (E.M.11)", activity("non_elective"), ""},
	{"A&E attendances (E.M.12+13)", activity("ae_total"), ""},
}

var providerLines = append(slices.Clone(activityLines), []keyLine{
	{"Income", sum("finance.income.patient_care", "finance.income.other"), "£k"},
	{"Expenditure", sum("finance.expenditure.pay.substantive", "finance.expenditure.pay.bank", "finance.expenditure.pay.agency",
		"finance.expenditure.non_pay", "finance.expenditure.depreciation", "finance.expenditure.financing"), "£k"},
	{"Surplus/(deficit) before sustainability funding", sum("finance.surplus"), "£k"},
	{"WTE (average)", mean("workforce.total"), "x"},
	{"G&A beds (average)", beds, "x"},
}...)

var commissionerLines = append(slices.Clone(activityLines), []keyLine{
	{"Contract value, all providers", contracts, "£k"},
	{"Other spend", sum("finance.other_spend"), "£k"},
	{"Surplus/(deficit)", sum("finance.surplus"), "£k"},
	{"Mental health spend", sum("finance.mental_health"), "£k"},
	{"QIPP savings", sum("finance.qipp"), "£k"},
}...)

// A system file holds only its members; the system control total is the
// register's, so a system file has no key figures of its own.
var systemLines = []keyLine{}

// figures lists the key numbers of org before and after.
func figures(before, after *plan.Document) []figure {
	d := after
	if d == nil {
		d = before
	}
	var lines []keyLine
	switch d.Kind {
	case "provider":
		lines = providerLines
	case "commissioner":
		lines = commissionerLines
	case "system":
		lines = systemLines
	}
	var out []figure
	for _, l := range lines {
		f := figure{label: l.label, unit: l.unit}
		if before != nil {
			f.before, f.hasB = l.get(before.Data)
		}
		if after != nil {
			f.after, f.hasA = l.get(after.Data)
		}
		if f.hasA || f.hasB {
			out = append(out, f)
		}
	}
	return out
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}

func at(m map[string]any, path string) any {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

// numbers reads a list of JSON numbers.
func numbers(v any) ([]float64, bool) {
	xs, _ := v.([]any)
	if len(xs) == 0 {
		return nil, false
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		f, ok := num(x)
		if !ok {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

func total(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

func sumMonths(v any) (float64, bool) {
	line, _ := v.(map[string]any)
	xs, ok := numbers(line["months"])
	return total(xs), ok
}

// activity sums a line over every counterparty: a provider's activity by
// commissioner, or a commissioner's contracts.
func activity(line string) func(map[string]any) (float64, bool) {
	return func(d map[string]any) (float64, bool) {
		by, _ := d["activity"].(map[string]any)
		contracts, isCommissioner := d["contracts"].(map[string]any)
		if isCommissioner {
			by = map[string]any{}
			for code, c := range contracts {
				by[code] = at(c.(map[string]any), "activity")
			}
		}
		total, found := 0.0, false
		for _, lines := range by {
			l, _ := lines.(map[string]any)
			if x, ok := sumMonths(l[line]); ok {
				total += x
				found = true
			}
		}
		return total, found
	}
}

func sum(paths ...string) func(map[string]any) (float64, bool) {
	return func(d map[string]any) (float64, bool) {
		total := 0.0
		for _, p := range paths {
			x, ok := num(at(d, p))
			if !ok {
				return 0, false
			}
			total += x
		}
		return total, true
	}
}

func mean(path string) func(map[string]any) (float64, bool) {
	return func(d map[string]any) (float64, bool) {
		xs, ok := numbers(at(d, path))
		if !ok {
			return 0, false
		}
		return total(xs) / float64(len(xs)), true
	}
}

func beds(d map[string]any) (float64, bool) {
	core, ok1 := mean("capacity.beds_core.months")(d)
	esc, ok2 := mean("capacity.beds_escalation.months")(d)
	return core + esc, ok1 && ok2
}

func contracts(d map[string]any) (float64, bool) {
	cs, _ := d["contracts"].(map[string]any)
	total, found := 0.0, false
	for _, c := range cs {
		if x, ok := num(at(c.(map[string]any), "value.total")); ok {
			total += x
			found = true
		}
	}
	return total, found
}

// format renders a figure value for a table.
func format(x float64, unit string) string {
	switch unit {
	case "£k":
		if x < 0 {
			return "-£" + grouped(math.Round(-x)) + "k"
		}
		return "£" + grouped(math.Round(x)) + "k"
	case "x":
		return grouped(math.Round(x*10) / 10)
	default:
		return grouped(math.Round(x))
	}
}

func grouped(x float64) string {
	neg := x < 0
	s := fmt.Sprintf("%.1f", math.Abs(x))
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "0" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// change renders after - before with its percentage.
func change(f figure) string {
	if !f.hasA || !f.hasB {
		return "n/a"
	}
	d := f.after - f.before
	if math.Abs(d) < 1e-9 {
		return "no change"
	}
	s := format(d, f.unit)
	if d > 0 {
		s = "+" + s
	}
	if f.before != 0 {
		s += fmt.Sprintf(" (%+.1f%%)", d*100/math.Abs(f.before))
	}
	return s
}
