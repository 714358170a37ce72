package dashboard

import (
	"fmt"
	"math"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/report"
)

// Charts are inline SVG, laid out here and drawn by the page templates, so
// every label goes through the same escaping as the rest of the page. Each
// chart has a title and description for assistive technology (role="img"
// with aria-labelledby) and the same figures in a table beside it.

// table is a chart's data, or any table a page shows.
type table struct {
	Caption string
	Head    []string
	Rows    [][]string
}

type tick struct {
	Pos  float64
	Text string
}

type series struct {
	Name, Class string
	Points      string
	Marks       []mark
}

type mark struct {
	X, Y  float64
	Label string
}

// lineChart is a monthly chart: one line per series over M1..M12.
type lineChart struct {
	ID, Title, Desc        string
	W, H                   int
	Left, Right, Top, Base float64
	XTicks, YTicks         []tick
	Series                 []series
	Table                  table
}

// barChart pairs two values per item (a plan's surplus and the register's
// target) on one axis, one row per item.
type barChart struct {
	ID, Title, Desc string
	W, H            int
	Zero, Top       float64
	LabelX          float64
	Ticks           []tick
	Rows            []barRow
	Legend          []legendItem
	Table           table
}

type barRow struct {
	Label, Href string
	LabelY      float64
	Bars        []bar
}

type bar struct {
	X, Y, W, H float64
	Class      string
	Text       string
	TextX      float64
	Anchor     string
}

type legendItem struct {
	Class, Text string
}

// stackChart stacks counts per column (contracts by status, week by week).
type stackChart struct {
	ID, Title, Desc string
	W, H            int
	Base, Left      float64
	YTicks          []tick
	Columns         []stackColumn
	Legend          []legendItem
	Table           table
}

type stackColumn struct {
	X, W, LabelX float64
	Label        string
	ShowLabel    bool
	Segments     []stackSegment
}

type stackSegment struct {
	Y, H  float64
	Class string
	Title string
}

// niceTicks picks about n round tick values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Floor(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, v)
	}
	if out[len(out)-1] < hi {
		out = append(out, out[len(out)-1]+step)
	}
	return out
}

// moneyPtr prints a figure in £000 that a plan may not state.
func moneyPtr(x *float64) string {
	if x == nil {
		return "n/a"
	}
	return report.Money(*x)
}

// signedMoney prints a gap with its sign ("+£12k", "-£3k", "£0k"), "-"
// for none.
func signedMoney(x *float64) string {
	if x == nil {
		return "-"
	}
	return report.SignedMoney(*x)
}

// shortGap prints a gap in £m to one decimal for a matrix cell.
func shortGap(x *float64) string {
	if x == nil {
		return ""
	}
	m := *x / 1000
	if math.Abs(m) < 0.05 {
		return "0"
	}
	return fmt.Sprintf("%+.1f", m)
}

func pct(x *float64) string {
	if x == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", *x)
}

// bedsChart draws a provider's beds open against the beds its planned
// activity needs, month by month, from the policies' own occupancy.
func bedsChart(o *orgView) *lineChart {
	if len(o.Occupancy) != 12 {
		return nil
	}
	c := &lineChart{ID: "beds-" + o.Code, W: 680, H: 280, Left: 64, Right: 664, Top: 16, Base: 240}
	declared := o.Occupancy[0].Basis == "declared"
	needLabel := "Beds needed by planned spells (bed-days ÷ days)"
	if declared {
		needLabel = "Beds declared occupied"
	}
	c.Title = "G&A beds: planned use against beds open, by month"
	open, need := make([]float64, 12), make([]float64, 12)
	hi := 0.0
	c.Table = table{Caption: "G&A beds by month", Head: []string{"Month", "Beds open (core + escalation)", needLabel, "Occupancy"}}
	for i, m := range o.Occupancy {
		open[i] = m.BedsCore + m.BedsEscalation
		if declared {
			need[i] = m.BedsOccupied
		} else if m.Days > 0 {
			need[i] = m.BedDays / float64(m.Days)
		}
		hi = max(hi, open[i], need[i])
		c.Table.Rows = append(c.Table.Rows, []string{monthNames[i], report.Whole(open[i]), report.Whole(need[i]), pct(m.Pct)})
	}
	// Whole beds: an axis never shows fractions, even for a trust with
	// none open.
	ticks := niceTicks(0, max(hi, 10), 5)
	top := ticks[len(ticks)-1]
	y := func(v float64) float64 { return c.Base - (c.Base-c.Top)*v/top }
	x := func(i int) float64 { return c.Left + (c.Right-c.Left)*(float64(i)+0.5)/12 }
	for _, t := range ticks {
		c.YTicks = append(c.YTicks, tick{y(t), report.Whole(t)})
	}
	for i := range 12 {
		c.XTicks = append(c.XTicks, tick{x(i), monthNames[i]})
	}
	line := func(name, class string, vs []float64) series {
		s := series{Name: name, Class: class}
		var pts []string
		for i, v := range vs {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
			s.Marks = append(s.Marks, mark{x(i), y(v), fmt.Sprintf("%s, %s: %s", name, monthNames[i], report.Whole(v))})
		}
		s.Points = strings.Join(pts, " ")
		return s
	}
	c.Series = []series{line("Beds open (core + escalation)", "s-open", open), line(needLabel, "s-need", need)}
	peak := "no month with beds open"
	if o.PeakOccupancy != nil {
		peak = fmt.Sprintf("peak occupancy %s in %s", pct(o.PeakOccupancy), o.PeakMonth)
	}
	c.Desc = fmt.Sprintf("%s: %s from April to March against %s beds open in April and %s in March; %s.",
		o.Code, strings.ToLower(needLabel[:1])+needLabel[1:], report.Whole(open[0]), report.Whole(open[11]), peak)
	return c
}

// surplusItem is one row of a surplus chart.
type surplusItem struct {
	Label, Href     string
	Surplus, Target *float64
	TargetLabel     string
}

// surplusChart draws each item's planned surplus beside its target from the
// register.
func surplusChart(id, title, what string, items []surplusItem) *barChart {
	if len(items) == 0 {
		return nil
	}
	const rowH, barH = 36.0, 14.0
	c := &barChart{ID: id, Title: title, W: 680, LabelX: 92}
	left, right := 100.0, 560.0
	lo, hi := 0.0, 0.0
	short := 0
	c.Table = table{Caption: title, Head: []string{what, "Planned surplus", "Target", "Target is", "Surplus less target"}}
	for _, it := range items {
		for _, v := range []*float64{it.Surplus, it.Target} {
			if v != nil {
				lo, hi = min(lo, *v), max(hi, *v)
			}
		}
		var gap *float64
		if it.Surplus != nil && it.Target != nil {
			g := *it.Surplus - *it.Target
			gap = &g
			if g < 0 {
				short++
			}
		}
		c.Table.Rows = append(c.Table.Rows, []string{it.Label, moneyPtr(it.Surplus), moneyPtr(it.Target), it.TargetLabel, signedMoney(gap)})
	}
	// At least £1m across, so ticks stay whole £000 when every figure is
	// (near) zero.
	if hi-lo < 1000 {
		hi = lo + 1000
	}
	ticks := niceTicks(lo, hi, 4)
	tlo, thi := ticks[0], ticks[len(ticks)-1]
	xs := func(v float64) float64 { return left + (right-left)*(v-tlo)/(thi-tlo) }
	c.Zero = xs(0)
	c.Top = 24
	for _, t := range ticks {
		c.Ticks = append(c.Ticks, tick{xs(t), report.Money(t)})
	}
	for i, it := range items {
		y0 := c.Top + float64(i)*rowH + 4
		r := barRow{Label: it.Label, Href: it.Href, LabelY: y0 + barH + 2}
		for j, v := range []*float64{it.Surplus, it.Target} {
			if v == nil {
				continue
			}
			class := "b-target"
			if j == 0 {
				class = "b-surplus"
				if it.Target != nil && *v < *it.Target {
					class = "b-short"
				}
			}
			x0, x1 := min(c.Zero, xs(*v)), max(c.Zero, xs(*v))
			b := bar{X: x0, Y: y0 + float64(j)*barH, W: math.Max(x1-x0, 1), H: barH - 1, Class: class, Text: report.Money(*v), TextX: x1 + 4, Anchor: "start"}
			r.Bars = append(r.Bars, b)
		}
		c.Rows = append(c.Rows, r)
	}
	c.H = int(c.Top + float64(len(items))*rowH + 12)
	c.Legend = []legendItem{{"b-surplus", "planned surplus, meets target"}, {"b-short", "planned surplus, short of target"}, {"b-target", "target from the register"}}
	c.Desc = fmt.Sprintf("Planned surplus before sustainability funding against the register's target for %d %s; %d short of target.", len(items), strings.ToLower(what)+"s", short)
	return c
}

// contractStates are the states a contract's status may take, in the
// order of progress, with the one-letter code the weekly table uses.
var contractStates = []struct{ State, Code, Words string }{
	{"signed", "S", "signed"},
	{"agreed", "A", "agreed"},
	{"heads_of_terms", "H", "heads of terms"},
	{"not_started", "N", "not started"},
	{"in_dispute", "D", "in dispute"},
	{"arbitration", "R", "referred to arbitration"},
}

func stateCode(s string) string {
	for _, c := range contractStates {
		if c.State == s {
			return c.Code
		}
	}
	if s == "" {
		return "-"
	}
	return "?"
}

func stateWords(s string) string {
	for _, c := range contractStates {
		if c.State == s {
			return c.Words
		}
	}
	if s == "" {
		return "no status"
	}
	return "unknown status"
}

// weekClass is how one contract's week counts in the weekly chart: the
// state both sides record, or "disagree".
func weekClass(w contractWeek) string {
	if w.ProviderState != w.CommissionerState || w.ProviderState == "" {
		return "disagree"
	}
	return "st-" + w.ProviderState
}

// weeksChart stacks the contracts of each week by status.
func weeksChart(id, title string, weeks []string, rows []contractWeek) *stackChart {
	if len(weeks) == 0 {
		return nil
	}
	classes := []legendItem{}
	for _, s := range contractStates {
		classes = append(classes, legendItem{"st-" + s.State, "both sides: " + s.Words})
	}
	classes = append(classes, legendItem{"disagree", "the two sides differ"})
	byWeek := map[string]map[string]int{}
	for _, w := range rows {
		m := byWeek[w.Week]
		if m == nil {
			m = map[string]int{}
			byWeek[w.Week] = m
		}
		m[weekClass(w)]++
	}
	c := &stackChart{ID: id, Title: title, W: 680, H: 260, Base: 210, Left: 48, Legend: classes}
	most := 0
	for _, wk := range weeks {
		n := 0
		for _, v := range byWeek[wk] {
			n += v
		}
		most = max(most, n)
	}
	ticks := niceTicks(0, float64(max(most, 4)), 4)
	top := ticks[len(ticks)-1]
	scale := (c.Base - 12) / top
	for _, t := range ticks {
		c.YTicks = append(c.YTicks, tick{c.Base - t*scale, report.Whole(t)})
	}
	width := (float64(c.W) - c.Left - 8) / float64(len(weeks))
	every := int(math.Ceil(float64(len(weeks)) / 8))
	head := []string{"Week (Friday)"}
	for _, l := range classes {
		head = append(head, l.Text)
	}
	c.Table = table{Caption: title, Head: head}
	for i, wk := range weeks {
		col := stackColumn{X: c.Left + float64(i)*width + width*0.15, W: width * 0.7, LabelX: c.Left + float64(i)*width + width/2,
			Label: wk, ShowLabel: i%every == 0 || i == len(weeks)-1}
		y := c.Base
		row := []string{wk}
		for _, l := range classes {
			n := byWeek[wk][l.Class]
			row = append(row, report.Whole(float64(n)))
			if n == 0 {
				continue
			}
			h := float64(n) * scale
			y -= h
			col.Segments = append(col.Segments, stackSegment{Y: y, H: h, Class: l.Class, Title: fmt.Sprintf("week of %s: %d %s", wk, n, l.Text)})
		}
		c.Table.Rows = append(c.Table.Rows, row)
		c.Columns = append(c.Columns, col)
	}
	last := byWeek[weeks[len(weeks)-1]]
	c.Desc = fmt.Sprintf("Contracts by status each Friday from %s to %s; in the last week %d signed by both sides and %d where the sides differ.",
		weeks[0], weeks[len(weeks)-1], last["st-signed"], last["disagree"])
	return c
}
