package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/diff"
	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// diffResult is a comparison whose every string a plan author or a caller
// controls is text(...).
func diffResult(text func(string) string) *diff.Result {
	m := func(key, label string, u diff.Unit, b, a *float64) diff.Measure {
		return diff.Measure{Key: key, Label: text(label), Unit: u, Before: b, After: a}
	}
	return &diff.Result{
		Base: text("main"), Head: text("feature"),
		Plans: []diff.Plan{
			{Org: "RTK", Name: text("Ashford"), Year: "2019/20", File: text("plans/2019-20/providers/rtk.cue"), Kind: "provider", Measures: []diff.Measure{
				m("activity.non_elective", "Non-elective spells (E.M.11)", diff.Count, num(38000), num(39200)),
				m("surplus", "Surplus", diff.Money, num(-7500), num(-7000)),
				m("wte", "WTE (average)", diff.Average, num(4102.25), num(4110)),
			}},
			{Org: "RXX", Name: text("Surrey and Borders"), Year: "2019/20", File: "plans/2019-20/providers/rxx.cue", Kind: "provider", Removed: true, Measures: []diff.Measure{
				m("income", "Income", diff.Money, num(196500), nil),
			}},
			{Org: "RZZ", Name: text("New trust"), Year: "2019/20", File: "plans/2019-20/providers/rzz.cue", Kind: "provider", Added: true},
		},
		Systems: []diff.System{{Code: "QXU", Name: text("Surrey Heartlands"), Year: "2019/20", Members: []string{"RTK", text("RXX")}, Measures: []diff.Measure{
			m("trusts.income", "Trusts: Income", diff.Money, num(0), num(100)),
		}}},
		New: []finding.Finding{{Rule: "A01", Severity: finding.Warning, Orgs: []string{"RTK", "09Y"}, Message: text("4.1% apart"),
			Location: finding.Location{Org: "RTK", File: text("plans/2019-20/providers/rtk.cue"), Line: 50, Column: 18}}},
		Fixed: []finding.Finding{{Rule: "B01", Severity: finding.Warning, Orgs: []string{"RXX"}, Message: text("occupancy 93.5%"),
			Location: finding.Location{Org: "RXX", File: "plans/2019-20/providers/rxx.cue", Line: 53}}},
	}
}

func writeDiff(t *testing.T, format string, r *diff.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteDiff(&b, format, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDiffGolden(t *testing.T) {
	for _, format := range DiffFormats {
		t.Run(format, func(t *testing.T) {
			golden(t, filepath.Join("diff", format), []byte(writeDiff(t, format, diffResult(func(s string) string { return s }))))
		})
	}
}

// TestDiffHostileText: text a plan author controls shows no markup in
// markdown and keeps the structure of plain words; in text it adds no
// line; in JSON it comes back whole.
func TestDiffHostileText(t *testing.T) {
	hostile := diffResult(func(s string) string { return s + " " + hostileText })
	plain := diffResult(func(s string) string { return s + " plain words" })
	t.Run("markdown", func(t *testing.T) {
		got := writeDiff(t, "markdown", hostile)
		for _, p := range liveMarkup(got) {
			t.Error(p)
		}
		if g, w := strings.Count(got, "\n"), strings.Count(writeDiff(t, "markdown", plain), "\n"); g != w {
			t.Errorf("%d lines, want %d:\n%s", g, w, got)
		}
	})
	t.Run("text", func(t *testing.T) {
		got := writeDiff(t, "text", hostile)
		if g, w := strings.Count(got, "\n"), strings.Count(writeDiff(t, "text", plain), "\n"); g != w {
			t.Errorf("%d lines, want %d:\n%s", g, w, got)
		}
		if strings.Contains(got, "\x1b") {
			t.Error("a terminal escape came through")
		}
	})
	t.Run("json", func(t *testing.T) {
		var out struct {
			Plans []struct {
				Name string `json:"name"`
			} `json:"plans"`
		}
		if err := json.Unmarshal([]byte(writeDiff(t, "json", hostile)), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Plans) == 0 || out.Plans[0].Name != "Ashford "+hostileText {
			t.Errorf("name %q, want the text whole", out.Plans)
		}
	})
}
