package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/review"
)

// figureValue renders a key figure for a table: "£1,234k", "-£50k",
// "63,551", "4,102.5"; "n/a" when the plan does not state it.
func figureValue(x *float64, unit review.Unit) string {
	if x == nil {
		return "n/a"
	}
	return formatFigure(*x, unit)
}

func formatFigure(x float64, unit review.Unit) string {
	switch unit {
	case review.Money:
		if x < 0 {
			return "-£" + grouped(math.Round(-x)) + "k"
		}
		return "£" + grouped(math.Round(x)) + "k"
	case review.Average:
		return grouped(math.Round(x*10) / 10)
	default:
		return grouped(math.Round(x))
	}
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
// "+4,000 (+6.3%)", "no change", or "n/a" when either is missing.
func figureChange(f review.Figure) string {
	if f.Before == nil || f.After == nil {
		return "n/a"
	}
	d := *f.After - *f.Before
	if math.Abs(d) < 1e-9 {
		return "no change"
	}
	s := formatFigure(d, f.Unit)
	if d > 0 {
		s = "+" + s
	}
	if *f.Before != 0 {
		s += fmt.Sprintf(" (%+.1f%%)", d*100/math.Abs(*f.Before))
	}
	return s
}
