package report

import (
	"strings"
	"testing"
	"unicode"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

func TestTextGolden(t *testing.T) { testGolden(t, "text", "txt") }

func TestTextLines(t *testing.T) {
	tests := []struct {
		name string
		f    finding.Finding
		want []string
	}{
		{"full location",
			finding.Finding{Rule: "I01", Severity: finding.Error, Message: "months sum to 61,000, not 62,000",
				Location: finding.Location{File: "plans/RTE.cue", Line: 12, Column: 4}},
			[]string{"plans/RTE.cue:12:4: error I01 months sum to 61,000, not 62,000"}},
		{"no column",
			finding.Finding{Rule: "I01", Severity: finding.Error, Message: "m",
				Location: finding.Location{File: "plans/RTE.cue", Line: 12}},
			[]string{"plans/RTE.cue:12: error I01 m"}},
		{"file only",
			finding.Finding{Rule: "A04", Severity: finding.Warning, Message: "m",
				Location: finding.Location{File: "plans/RTE.cue"}},
			[]string{"plans/RTE.cue: warning A04 m"}},
		{"no file",
			finding.Finding{Rule: "C03", Severity: finding.Error, Message: "system short by £2,000k",
				Location: finding.Location{Org: "QXU"}},
			[]string{"error C03 system short by £2,000k"}},
		{"explained",
			finding.Finding{Rule: "B05", Severity: finding.Warning, Message: "m", Status: finding.Explained, Reason: "locum cover"},
			[]string{"warning B05 m [explained: locum cover]"}},
		{"waived without reason",
			finding.Finding{Rule: "C01", Severity: finding.Error, Message: "m", Status: finding.Waived},
			[]string{"error C01 m [waived]"}},
		{"open, explained by one side only",
			finding.Finding{Rule: "A01", Severity: finding.Warning, Message: "m", Reason: "explained by RTK; awaiting 09Y: virtual clinics"},
			[]string{"warning A01 m [explained by RTK; awaiting 09Y: virtual clinics]"}},
		{"explained, reason naming its status",
			finding.Finding{Rule: "A01", Severity: finding.Warning, Message: "m", Status: finding.Explained, Reason: "explained by RA2: x; acknowledged by 09Y"},
			[]string{"warning A01 m [explained by RA2: x; acknowledged by 09Y]"}},
		{"national roll-up",
			finding.Finding{Rule: "N01", Severity: finding.Warning, Scope: finding.ScopeNational, Message: "m",
				Location: finding.Location{File: "policy/register/2019-20.cue", Line: 5}},
			[]string{"policy/register/2019-20.cue:5: warning N01 [national] m"}},
		{"system roll-up",
			finding.Finding{Rule: "C03", Severity: finding.Error, Scope: finding.ScopeSystem, Orgs: []string{"QXU", "RTK"}, Message: "m",
				Location: finding.Location{Org: "QXU"}},
			[]string{"error C03 [system QXU] m"}},
		{"related",
			finding.Finding{Rule: "A02", Severity: finding.Warning, Message: "m",
				Related: []finding.Location{{Org: "15M", File: "plans/15M.cue", Line: 8}, {Org: "00L"}, {}}},
			[]string{"warning A02 m", "    see also plans/15M.cue:8 (15M)", "    see also 00L"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(render(t, "text", Result{Findings: []finding.Finding{tt.f}}))
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			got := lines[:len(lines)-1]
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestTextHostile checks that plan text cannot add lines or reach the
// terminal as control characters.
func TestTextHostile(t *testing.T) {
	out := string(render(t, "text", hostile))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var findingLines int
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "    see also ") {
			findingLines++
		}
	}
	if findingLines != len(hostile.Findings) {
		t.Errorf("%d finding lines for %d findings:\n%s", findingLines, len(hostile.Findings), out)
	}
	for _, c := range strings.TrimSuffix(out, "\n") {
		if c != '\n' && unicode.IsControl(c) {
			t.Errorf("output holds control character %q", c)
		}
	}
	if last := lines[len(lines)-1]; last != summary(hostile) {
		t.Errorf("last line = %q, want the summary", last)
	}
}
