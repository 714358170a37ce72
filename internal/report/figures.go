package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/diff"
)

// figureValue renders a key figure for a table: "£1,234k", "-£50k",
// "63,551", "4,102.5"; "n/a" when the plan does not state it.
func figureValue(x *float64, unit diff.Unit) string {
	if x == nil {
		return "n/a"
	}
	return formatFigure(*x, unit)
}

func formatFigure(x float64, unit diff.Unit) string {
	switch unit {
	case diff.Money:
		return Money(x)
	case diff.Average:
		return grouped(math.Round(x*10) / 10)
	default:
		return grouped(math.Round(x))
	}
}

// Whole prints x rounded to a whole number with thousands separators:
// "63,551", "-1,200", and "0" for anything that rounds to nothing.
func Whole(x float64) string { return grouped(math.Round(x)) }

// Money prints a figure in £000 as "£1,234k" or "-£1,234k"; one that rounds
// to nothing is "£0k".
func Money(x float64) string {
	if r := math.Round(x); r < 0 {
		return "-£" + grouped(-r) + "k"
	}
	return "£" + Whole(x) + "k"
}

// SignedMoney prints a gap in £000 with its sign: "+£12k", "-£3k", "£0k".
func SignedMoney(x float64) string {
	if math.Round(x) > 0 {
		return "+" + Money(x)
	}
	return Money(x)
}

// grouped writes x with thousands separators and at most one decimal.
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

// figureChange renders after less before with its percentage:
// "+4,000 (+6.3%)", "no change", or "n/a" when either is missing. The
// review's key figures and the diff command both render through it.
func figureChange(m diff.Measure) string {
	d := m.Change()
	if d == nil {
		return "n/a"
	}
	if !m.Changed() {
		return "no change"
	}
	s := formatFigure(*d, m.Unit)
	if *d > 0 {
		s = "+" + s
	}
	if p := m.Pct(); p != nil {
		s += " " + pctText(*p)
	}
	return s
}

// pctText renders a percentage change: "(+6.3%)".
func pctText(p float64) string { return fmt.Sprintf("(%+.1f%%)", p) }
