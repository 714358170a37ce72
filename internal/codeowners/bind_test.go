package codeowners

import (
	"strings"
	"testing"
)

// bound is a CODEOWNERS in the repository's shape that binds every plan of
// the binding below.
const bound = `*                                   @o/maintainers
/internal/                          @o/maintainers @o/regulators
/plans/                             @o/regulators
/plans/organisations.cue            @o/regulators
/plans/**/providers/rtk.cue         @o/rtk-planning
/plans/**/providers/ra2.cue         @o/ra2-planning
/plans/**/commissioners/09n.cue     @o/09n-planning
/plans/**/system-qxu.cue            @o/qxu-leads
/.github/workflows/                 @o/maintainers @o/regulators
`

func binding() Binding {
	b := Binding{
		Files:    []string{"plans/organisations.cue", "plans/2019-20/notes.md"},
		Shared:   []string{"@o/maintainers", "@o/regulators"},
		Guarded:  []string{"internal/plan/load.go", ".github/workflows/triangulate.yml"},
		Required: []string{"@o/maintainers", "@o/regulators"},
	}
	for _, year := range []string{"2019-20", "2020-21"} {
		b.Plans = append(b.Plans,
			Plan{"RTK", "plans/" + year + "/providers/rtk.cue"},
			Plan{"RA2", "plans/" + year + "/providers/ra2.cue"},
			Plan{"09N", "plans/" + year + "/commissioners/09n.cue"},
			Plan{"QXU", "plans/" + year + "/system-qxu.cue"})
	}
	return b
}

// TestCheck: each way a CODEOWNERS can leave a plan unbound is found, once,
// with what to change; the bound file passes.
func TestCheck(t *testing.T) {
	const rtkLine = "/plans/**/providers/rtk.cue         @o/rtk-planning\n"
	tests := []struct {
		name   string
		change func(string) string
		want   []string // one substring per problem expected
	}{
		{"bound", nil, nil},
		{"an organisation's line missing", drop(rtkLine),
			[]string{"RTK's plan plans/2019-20/providers/rtk.cue is owned by line 3 (/plans/ @o/regulators), which names no team of RTK's own: add `/plans/**/providers/rtk.cue @<org>/<RTK's team>`"}},
		{"its line and the plans/ line missing", func(s string) string {
			return drop("/plans/                             @o/regulators\n")(drop(rtkLine)(s))
		}, []string{
			"plans/2019-20/notes.md falls through to line 1 (* @o/maintainers), which is not a line for plans/",
			"plans/2019-20/providers/rtk.cue falls through to line 1 (* @o/maintainers)",
			"plans/2020-21/providers/rtk.cue falls through to line 1 (* @o/maintainers)",
		}},
		{"a note falls through to the catch-all", drop("/plans/                             @o/regulators\n"),
			[]string{"plans/2019-20/notes.md falls through to line 1 (* @o/maintainers)"}},
		{"one line for every provider", func(s string) string {
			return strings.Replace(drop("/plans/**/providers/ra2.cue         @o/ra2-planning\n")(s), rtkLine, "/plans/**/providers/*.cue @o/provider-leads\n", 1)
		}, []string{
			"RTK's plan plans/2019-20/providers/rtk.cue is owned by line 5 (/plans/**/providers/*.cue @o/provider-leads), which also owns the plans of RA2: add a line of RTK's own after it",
			"RA2's plan plans/2019-20/providers/ra2.cue is owned by line 5 (/plans/**/providers/*.cue @o/provider-leads), which also owns the plans of RTK",
		}},
		{"a later line takes plans back", func(s string) string { return s + "/plans/**/providers/ @o/regulators\n" }, []string{
			"RTK's plan plans/2019-20/providers/rtk.cue is owned by line 10 (/plans/**/providers/ @o/regulators), which also owns the plans of RA2",
			"RA2's plan plans/2019-20/providers/ra2.cue is owned by line 10",
		}},
		{"owned by the maintainers only", replace("@o/rtk-planning", "@o/maintainers"),
			[]string{"RTK's plan plans/2019-20/providers/rtk.cue is owned by line 5 (/plans/**/providers/rtk.cue @o/maintainers), which names no team of RTK's own"}},
		{"owned by the regulators only", replace("@o/rtk-planning", "@o/regulators"),
			[]string{"which names no team of RTK's own"}},
		{"owned by a person, not a team", replace("@o/rtk-planning", "@alice"),
			[]string{"RTK's plan plans/2019-20/providers/rtk.cue is owned by line 5 (/plans/**/providers/rtk.cue @alice), which names no team of RTK's own"}},
		{"a team of its own beside a shared one", replace("@o/rtk-planning", "@o/maintainers @o/rtk-planning"), nil},
		{"a line without owners", replace("@o/rtk-planning", ""), []string{
			"plans/2019-20/providers/rtk.cue: line 5 (/plans/**/providers/rtk.cue) names no owners",
			"plans/2020-21/providers/rtk.cue: line 5 (/plans/**/providers/rtk.cue) names no owners",
		}},
		{"narrowed to one year", replace("/plans/**/providers/rtk.cue", "/plans/2019-20/providers/rtk.cue"),
			[]string{"RTK's plan plans/2020-21/providers/rtk.cue is owned by line 3 (/plans/ @o/regulators), which names no team of RTK's own"}},
		{"the tool without the regulators", replace("/internal/                          @o/maintainers @o/regulators", "/internal/ @o/maintainers"),
			[]string{"the tool's code and workflows (internal/plan/load.go) are owned by line 2 (/internal/ @o/maintainers) without @o/regulators: they decide what a submission is, so they need @o/maintainers and @o/regulators"}},
		{"the workflows fall through", drop("/.github/workflows/                 @o/maintainers @o/regulators\n"),
			[]string{"the tool's code and workflows (.github/workflows/triangulate.yml) are owned by line 1 (* @o/maintainers) without @o/regulators"}},
		{"no CODEOWNERS", func(string) string { return "" }, []string{
			"plans/2019-20/commissioners/09n.cue: no CODEOWNERS line covers it",
			"plans/2019-20/notes.md: no CODEOWNERS line covers it",
			"plans/2019-20/providers/ra2.cue: no CODEOWNERS line covers it",
			"plans/2019-20/providers/rtk.cue: no CODEOWNERS line covers it",
			"plans/2019-20/system-qxu.cue: no CODEOWNERS line covers it",
			"plans/2020-21/commissioners/09n.cue: no CODEOWNERS line covers it",
			"plans/2020-21/providers/ra2.cue: no CODEOWNERS line covers it",
			"plans/2020-21/providers/rtk.cue: no CODEOWNERS line covers it",
			"plans/2020-21/system-qxu.cue: no CODEOWNERS line covers it",
			"plans/organisations.cue: no CODEOWNERS line covers it",
			"the tool's code and workflows (internal/plan/load.go, .github/workflows/triangulate.yml) are owned by no line without @o/maintainers and @o/regulators",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := bound
			if tt.change != nil {
				src = tt.change(src)
			}
			o, err := Parse(strings.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			got := o.Check(binding())
			if len(got) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
				return
			}
			for i, want := range tt.want {
				if !strings.Contains(got[i], want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], want)
				}
			}
		})
	}
}

func drop(line string) func(string) string {
	return func(s string) string { return replace(line, "")(s) }
}

func replace(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("fixture has no " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
}

func TestExamples(t *testing.T) {
	tests := []struct {
		paths []string
		want  string
	}{
		{[]string{"a"}, "a"},
		{[]string{"a", "b", "c"}, "a, b, c"},
		{[]string{"a", "b", "c", "d", "e"}, "a, b, c and 2 more files"},
	}
	for _, tt := range tests {
		if got := examples(tt.paths); got != tt.want {
			t.Errorf("examples(%v) = %q, want %q", tt.paths, got, tt.want)
		}
	}
}
