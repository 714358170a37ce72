package plan_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// bundledPlans is the shipped plans/ folder, which a test may change.
func bundledPlans(t *testing.T) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	for name, f := range testutil.RepoFS(t) {
		if strings.HasPrefix(name, plan.PlansDir+"/") {
			out[name] = f
		}
	}
	return out
}

// move files the plan at from at to instead, after applying edit to it.
func move(from, to string, edit func(string) string) func(fstest.MapFS) {
	return func(fsys fstest.MapFS) {
		src := string(fsys[from].Data)
		delete(fsys, from)
		fsys[to] = &fstest.MapFile{Data: []byte(edit(src)), Mode: 0o644}
	}
}

func unchanged(s string) string { return s }

// lineStarting is the number of the first line of the file at name starting
// with prefix, 0 when there is none (and no finding will match).
func lineStarting(fsys fstest.MapFS, name, prefix string) int {
	for i, l := range strings.Split(string(fsys[name].Data), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	return 0
}

// TestPlacement: every plan sits at the one path CODEOWNERS gives its
// organisation (issue 9, "unbound files"), and the finding says where.
func TestPlacement(t *testing.T) {
	s := loadSchema(t)
	const (
		rtk  = "plans/2019-20/providers/rtk.cue"
		ra2  = "plans/2019-20/providers/ra2.cue"
		n09  = "plans/2019-20/commissioners/09n.cue"
		qxu  = "plans/2019-20/system-qxu.cue"
		list = "plans/organisations.cue"
	)
	// Findings sit on the org: line (the year: line for S02), looked up
	// so a reworded header comment cannot break the cases.
	tests := []struct {
		name   string
		change func(fstest.MapFS)
		want   func(fstest.MapFS) []want
	}{
		{"every plan in place", func(fstest.MapFS) {}, nil},
		{"renamed, then edited (git mv rtk.cue rtk-2019.cue)",
			move(rtk, "plans/2019-20/providers/rtk-2019.cue", func(s string) string {
				return strings.Replace(s, `status:    "final"`, `status:    "draft"`, 1)
			}),
			at("plans/2019-20/providers/rtk-2019.cue", "S01", "org:", "RTK's provider plan for 2019/20 must be filed at "+rtk+", not plans/2019-20/providers/rtk-2019.cue")},
		{"upper-case code", move(rtk, "plans/2019-20/providers/RTK.cue", unchanged),
			at("plans/2019-20/providers/RTK.cue", "S01", "org:", "must be filed at "+rtk)},
		{"provider plan under commissioners/", move(rtk, "plans/2019-20/commissioners/rtk.cue", unchanged),
			at("plans/2019-20/commissioners/rtk.cue", "S01", "org:", "must be filed at "+rtk)},
		{"commissioner plan under providers/", move(n09, "plans/2019-20/providers/09n.cue", unchanged),
			at("plans/2019-20/providers/09n.cue", "S01", "org:", "09N's commissioner plan for 2019/20 must be filed at "+n09)},
		{"system file under providers/", move(qxu, "plans/2019-20/providers/system-qxu.cue", unchanged),
			at("plans/2019-20/providers/system-qxu.cue", "S01", "org:", "QXU's system file for 2019/20 must be filed at "+qxu)},
		{"system file without its prefix", move(qxu, "plans/2019-20/qxu.cue", unchanged),
			at("plans/2019-20/qxu.cue", "S01", "org:", "must be filed at "+qxu)},
		{"provider plan in the year folder", move(rtk, "plans/2019-20/rtk.cue", unchanged),
			at("plans/2019-20/rtk.cue", "S01", "org:", "must be filed at "+rtk)},
		{"nested deeper", move(rtk, "plans/2019-20/providers/acute/rtk.cue", unchanged),
			at("plans/2019-20/providers/acute/rtk.cue", "S01", "org:", "must be filed at "+rtk)},
		{"nested under another folder", move(rtk, "plans/archive/2019-20/providers/rtk.cue", unchanged),
			at("plans/archive/2019-20/providers/rtk.cue", "S01", "org:", "must be filed at "+rtk)},
		{"no year folder", move(rtk, "plans/providers/rtk.cue", unchanged),
			at("plans/providers/rtk.cue", "S01", "org:", "must be filed at "+rtk)},
		{"year folder written another way", move(rtk, "plans/2019-2020/providers/rtk.cue", unchanged),
			at("plans/2019-2020/providers/rtk.cue", "S01", "org:", "must be filed at "+rtk)},
		// Which of year and folder is wrong is the planner's call: S02
		// says they disagree and where the year as written belongs.
		{"filed in another year's folder", move(rtk, "plans/2020-21/providers/rtk.cue", unchanged),
			at("plans/2020-21/providers/rtk.cue", "S02", "year:", `year "2019/20" does not match the folder 2020-21/ the plan is filed in: correct the year, or move the file to `+rtk)},
		{"named for another organisation", move(rtk, "plans/2019-20/providers/rtx.cue", unchanged),
			at("plans/2019-20/providers/rtx.cue", "S01", "org:", "RTK's provider plan for 2019/20 must be filed at "+rtk)},
		// An organisation's team filing another organisation's plan in
		// its own file.
		{"another organisation's plan in one's own file", func(fsys fstest.MapFS) {
			fsys[rtk] = &fstest.MapFile{Data: []byte(strings.Replace(string(fsys[rtk].Data), `org:       "RTK"`, `org:       "RA2"`, 1)), Mode: 0o644}
		}, func(fsys fstest.MapFS) []want {
			line := lineStarting(fsys, rtk, "org:")
			return []want{
				{"S01", rtk, line, "RA2's provider plan for 2019/20 must be filed at " + ra2 + ", not " + rtk},
				{"S01", rtk, line, "a second plan for RA2 in 2019/20; the first is " + ra2},
			}
		}},
		// The copy in RA2's file is the one to go, even though it sorts
		// first: the duplicate finding lands there too, not on rtk.cue.
		{"another organisation's file taken over", func(fsys fstest.MapFS) {
			fsys[ra2] = &fstest.MapFile{Data: fsys[rtk].Data, Mode: 0o644}
		}, func(fsys fstest.MapFS) []want {
			line := lineStarting(fsys, ra2, "org:")
			return []want{
				{"S01", ra2, line, "RTK's provider plan for 2019/20 must be filed at " + rtk},
				{"S01", ra2, line, "a second plan for RTK in 2019/20; the first is " + rtk},
			}
		}},
		{"a second reference list", func(fsys fstest.MapFS) {
			fsys["plans/2019-20/organisations.cue"] = &fstest.MapFile{Data: fsys[list].Data, Mode: 0o644}
		}, at("plans/2019-20/organisations.cue", "S01", "kind:", "the organisation reference list is plans/organisations.cue alone")},
		{"the reference list moved", move(list, "plans/2019-20/organisations.cue", unchanged), func(fsys fstest.MapFS) []want {
			return []want{
				{"S01", "plans/2019-20/organisations.cue", lineStarting(fsys, "plans/2019-20/organisations.cue", "kind:"), "is plans/organisations.cue alone"},
				{"S01", "", 0, "no organisation reference list: add plans/organisations.cue"},
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := bundledPlans(t)
			tc.change(fsys)
			set, err := s.Load(fsys, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var wants []want
			if tc.want != nil {
				wants = tc.want(fsys)
			}
			check(t, set.Findings, wants)
		})
	}
}

// at expects exactly one finding: rule, on the line of file starting with
// prefix, its message containing text.
func at(file, rule, prefix, text string) func(fstest.MapFS) []want {
	return func(fsys fstest.MapFS) []want {
		return []want{{rule, file, lineStarting(fsys, file, prefix), text}}
	}
}

func TestPlanPath(t *testing.T) {
	tests := []struct {
		kind, code, year string
		want             string
	}{
		{"provider", "RTK", "2019/20", "plans/2019-20/providers/rtk.cue"},
		{"commissioner", "09N", "2019/20", "plans/2019-20/commissioners/09n.cue"},
		{"commissioner", "X2C4Y", "2021/22", "plans/2021-22/commissioners/x2c4y.cue"},
		{"system", "QXU", "2020/21", "plans/2020-21/system-qxu.cue"},
		{"organisations", "RTK", "2019/20", ""},
		{"provider", "RTK", "2019-20", "plans/2019-20/providers/rtk.cue"},
		{"provider", "RTK", "19/20", ""},
		{"provider", "", "2019/20", ""},
		{"provider", "../x", "2019/20", ""},
		{"provider", "R.K", "2019/20", ""},
	}
	for _, tc := range tests {
		got, ok := plan.PlanPath(tc.kind, tc.code, tc.year)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("PlanPath(%q, %q, %q) = %q, %v; want %q", tc.kind, tc.code, tc.year, got, ok, tc.want)
		}
	}
	for typ, kind := range map[string]string{"trust": "provider", "ccg": "commissioner", "system": "system", "region": ""} {
		if got := plan.PlanKind(typ); got != kind {
			t.Errorf("PlanKind(%q) = %q, want %q", typ, got, kind)
		}
	}
}
