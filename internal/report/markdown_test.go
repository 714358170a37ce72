package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

func TestMarkdownGolden(t *testing.T) { testGolden(t, "markdown", "md") }

// many has more blocking findings than fit one readable table, across three
// organisations and the plan set as a whole.
func many() Result {
	r := Result{PlansRead: 3, Rules: rules}
	for i, org := range []string{"RYD", "RTE", "", "RA2", "RTE", "RYD", "RA2", "RTE", "RYD", "RA2", "RTE", "RYD"} {
		f := finding.Finding{Rule: "I01", Severity: finding.Error,
			Message:  fmt.Sprintf("months sum to %d, not the annual total", 1000+i),
			Location: finding.Location{Org: org, File: "plans/2019-20/system.cue", Line: 10 + i}}
		if org != "" {
			f.Orgs = []string{org}
			f.File = "plans/2019-20/" + org + ".cue"
		}
		r.Findings = append(r.Findings, f)
	}
	return r
}

func TestMarkdownGroupsLongSections(t *testing.T) {
	golden(t, "markdown/grouped.md", render(t, "markdown", many()))
	out := string(render(t, "markdown", many()))
	headings := regexp.MustCompile(`(?m)^### .*$`).FindAllString(out, -1)
	want := []string{"### RA2 (3)", "### RTE (4)", "### RYD (4)", "### No organisation (1)"}
	if strings.Join(headings, "|") != strings.Join(want, "|") {
		t.Errorf("group headings = %q, want %q", headings, want)
	}
	small := string(render(t, "markdown", mixed))
	if strings.Contains(small, "### ") {
		t.Errorf("a short report was split by organisation:\n%s", small)
	}
}

func TestMarkdownVerdict(t *testing.T) {
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"empty", Result{}, "# Submittable: no findings"},
		{"settled", settled, "# Submittable: no blocking findings"},
		{"mixed", mixed, "# Not submittable: 2 blocking findings"},
		{"hostile", hostile, "# Not submittable: 1 blocking finding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(render(t, "markdown", tt.r))
			if first, _, _ := strings.Cut(out, "\n"); first != tt.want {
				t.Errorf("heading = %q, want %q", first, tt.want)
			}
		})
	}
}

// unescapedPipe finds a pipe that ends a table cell.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

// TestMarkdownHostile checks that plan text stays inside its table cell and
// cannot inject markup.
func TestMarkdownHostile(t *testing.T) {
	out := string(render(t, "markdown", hostile))
	for _, bad := range []string{"<script>", "<b>", "\x1b", "\r"} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds %q:\n%s", bad, out)
		}
	}
	header := -1
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = -1
			continue
		}
		n := len(unescapedPipe.FindAllStringIndex(strings.ReplaceAll(line, "||", "| |"), -1))
		if header < 0 {
			header = n
			continue
		}
		if n != header {
			t.Errorf("row has %d cell separators, its header %d: %q", n, header, line)
		}
	}
}

// TestByOrgGroupsRollUpsByScope: a roll-up is grouped under its scope, after
// the organisations, not under whichever organisation it names first.
func TestByOrgGroupsRollUpsByScope(t *testing.T) {
	fs := []finding.Finding{
		{Rule: "N01", Scope: finding.ScopeNational, Orgs: []string{"RTK", "RA2"}},
		{Rule: "B01", Orgs: []string{"RTK"}},
		{Rule: "C03", Scope: finding.ScopeSystem, Orgs: []string{"QXU", "RTK"}, Location: finding.Location{Org: "QXU"}},
		{Rule: "S01"},
		{Rule: "A01", Orgs: []string{"09Y", "RA2"}},
	}
	var got []string
	for _, g := range byOrg(fs) {
		got = append(got, fmt.Sprintf("%s:%d", g.org, len(g.findings)))
	}
	want := "09Y:1 RTK:1 national:1 system QXU:1 :1"
	if strings.Join(got, " ") != want {
		t.Errorf("groups %q, want %q", strings.Join(got, " "), want)
	}
}
