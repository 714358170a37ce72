package report

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// hostileText carries everything that could break a format: line breaks,
// table and command separators, escapes, and markdown that GitHub would
// render live (hostileMarkdown: links, images, mentions, references, tags,
// entities, bare URLs and block openers).
const hostileText = "first line\nsecond | cell\r\n::error::injected 100% <script>alert(1)</script>, a=b \x1b[31m\n" + hostileMarkdown

var rules = []finding.Rule{
	{ID: "A01", Title: "Activity agrees between commissioner and provider", Category: "alignment", Severity: finding.Error,
		Description: "Per commissioner-provider pair and activity line, the two plans agree within 1% (warning up to 5%).",
		Rationale:   "Misaligned contracts were the most common planning failure found by the national bodies."},
	{ID: "A04", Title: "Counterparties name each other", Category: "alignment", Severity: finding.Warning,
		Description: "A counterparty named by one side has a plan and names the other side back."},
	{ID: "B01", Title: "Beds fit the planned activity", Category: "believability", Severity: finding.Error,
		Description: "Planned G&A occupancy above 92% is a warning, above 100% an error.",
		Rationale:   "Occupancy above 92% is associated with worse A&E performance and cancelled operations."},
	{ID: "B08", Title: "Monthly profile is seasonal", Category: "believability", Severity: finding.Info},
	{ID: "C01", Title: "Control total met", Category: "control total", Severity: finding.Error},
}

// mixed holds every severity and status, related locations, a file without
// a line and a finding without a file.
var mixed = Result{
	PlansRead: 3,
	Ref:       "plans/2019-20",
	Rules:     rules,
	Findings: []finding.Finding{
		{Rule: "A01", Title: "Activity agrees between commissioner and provider", Category: "alignment",
			Severity: finding.Error, Orgs: []string{"RTE", "15M"}, Month: 3,
			Message: "non-elective spells for 15M in M3 (June): RTE plans 5,310, 15M plans 4,980 (6.6% apart)",
			Location: finding.Location{Org: "RTE", Path: `activity."15M".non_elective.total`,
				File: "plans/2019-20/RTE.cue", Line: 120, Column: 5},
			Related: []finding.Location{{Org: "15M", Path: `activity.RTE.non_elective.total`,
				File: "plans/2019-20/15M.cue", Line: 40, Column: 3}}},
		{Rule: "A04", Severity: finding.Warning, Orgs: []string{"RTE"},
			Message:  "contract with 99X named by RTE, but 99X has no plan",
			Location: finding.Location{Org: "RTE", File: "plans/2019-20/RTE.cue"}},
		{Rule: "B01", Severity: finding.Warning, Orgs: []string{"RTE"}, Month: 10,
			Message:  "G&A occupancy 94.1% in M10 (January)",
			Location: finding.Location{Org: "RTE", Path: "capacity.beds", File: "plans/2019-20/RTE.cue", Line: 210},
			Status:   finding.Explained, Reason: "40 winter escalation beds open December to February"},
		{Rule: "C01", Severity: finding.Error, Orgs: []string{"RXX"},
			Message:  "planned surplus before sustainability funding £-3,200k is below the control total £-1,500k",
			Location: finding.Location{Org: "RXX", Path: "finance.surplus", File: "plans/2019-20/RXX.cue", Line: 300, Column: 2},
			Status:   finding.Waived, Reason: "deficit plan agreed with the regulator on 12 April 2019"},
		{Rule: "B08", Severity: finding.Info, Orgs: []string{"RYD"},
			Message:  "A&E attendances are the same every month",
			Location: finding.Location{Org: "RYD", Path: "activity.ae.type1"},
			Related:  []finding.Location{{Org: "QXU"}}},
	},
}

// settled is submittable: its only warning is explained.
var settled = Result{
	PlansRead: 1,
	Rules:     rules,
	Findings:  []finding.Finding{mixed.Findings[2]},
}

// hostile puts hostile text in every field a plan author controls and uses a
// rule the catalogue does not know.
var hostile = Result{
	PlansRead: 2,
	Ref:       "refs/pull/7/merge",
	Rules:     rules,
	Findings: []finding.Finding{
		{Rule: "Z99", Title: "Odd | title, with: separators @team [t](https://evil.example)", Severity: finding.Warning, Orgs: []string{"R1F"},
			Message:  hostileText,
			Location: finding.Location{Org: "R1F", File: "plans/odd dir/a,b:c%.cue", Line: 7, Column: 1},
			Related:  []finding.Location{{Org: "X2C4Y", File: "plans/x|y.cue", Line: 2}},
			Reason:   "explained by R1F; awaiting X2C4Y: " + hostileText},
		{Rule: "B01", Severity: finding.Warning, Orgs: []string{"R1F"}, Message: "occupancy 93%",
			Location: finding.Location{Org: "R1F", File: "plans/r1f.cue", Line: 9},
			Status:   finding.Explained, Reason: "reason with\nnewline | and <b>markup</b>"},
	},
}

// agreement holds what two-sided agreement and roll-ups add: an open
// misalignment one side has explained, one both sides agreed, and system
// and national roll-ups placed in the register.
var agreement = Result{
	PlansRead: 4,
	Ref:       "refs/pull/9/merge",
	Rules:     rules,
	Findings: []finding.Finding{
		{Rule: "A01", Title: "Activity agrees between commissioner and provider", Category: "alignment",
			Severity: finding.Warning, Orgs: []string{"RTK", "09Y"},
			Message: "RTK plans 70,300 follow-up attendances from 09Y; 09Y plans 69,035 with RTK: 1.8% apart",
			Location: finding.Location{Org: "RTK", Path: `activity."09Y".outpatient_follow_up.total`,
				File: "plans/2019-20/providers/rtk.cue", Line: 46, Column: 17},
			Related: []finding.Location{{Org: "09Y", Path: `contracts.RTK.activity.outpatient_follow_up.total`,
				File: "plans/2019-20/commissioners/09y.cue", Line: 60, Column: 3}},
			Reason: "explained by RTK; awaiting 09Y: virtual clinics from April"},
		{Rule: "A01", Title: "Activity agrees between commissioner and provider", Category: "alignment",
			Severity: finding.Warning, Orgs: []string{"RA2", "09Y"},
			Message:  "RA2 plans 5,100 elective spells from 09Y; 09Y plans 5,010 with RA2: 1.8% apart",
			Location: finding.Location{Org: "RA2", File: "plans/2019-20/providers/ra2.cue", Line: 30, Column: 5},
			Status:   finding.Explained, Reason: "explained by RA2: waiting-list validation in Q1; acknowledged by 09Y"},
		{Rule: "C03", Title: "System control total met", Category: "control_total", Scope: finding.ScopeSystem,
			Severity: finding.Error, Orgs: []string{"QXU", "RTK", "RA2"},
			Message:  "QXU members plan £-23,500k before sustainability funding against the system control total £-22,500k",
			Location: finding.Location{Org: "QXU", Path: "systems.QXU.control_total", File: "policy/register/2019-20.cue", Line: 31, Column: 18}},
		{Rule: "N01", Title: "Provider sector surplus", Category: "national", Scope: finding.ScopeNational,
			Severity: finding.Warning, Orgs: []string{"RTK", "RA2"},
			Message:  "providers plan £-9,000k in total, below the national ask of £0k",
			Location: finding.Location{Path: "national_asks.provider_sector_surplus_min", File: "policy/register/2019-20.cue", Line: 52, Column: 3},
			Status:   finding.Explained, Reason: "explained by RTK: stroke unit; RA2: new theatres"},
	},
}

var cases = []struct {
	name string
	r    Result
}{
	{"empty", Result{Rules: rules}},
	{"mixed", mixed},
	{"settled", settled},
	{"hostile", hostile},
	{"agreement", agreement},
}

// golden compares got with testdata/name.golden, or rewrites the file when
// the test runs with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from golden file (-want +got):\n%s", path, diff)
	}
}

// render writes r in format and fails the test on error.
func render(t *testing.T, format string, r Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

// testGolden pins format's output for every fixture against
// testdata/<format>/<case>.<ext>.golden.
func testGolden(t *testing.T, format, ext string) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			golden(t, fmt.Sprintf("%s/%s.%s", format, c.name, ext), render(t, format, c.r))
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	for _, format := range []string{"", "xml", "TEXT", "junit"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, format, mixed)
			if err == nil {
				t.Fatal("want an error for an unknown format")
			}
			for _, known := range Formats {
				if !strings.Contains(err.Error(), known) {
					t.Errorf("error %q does not name format %q", err, known)
				}
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for an unknown format", buf.Len())
			}
		})
	}
}

func TestFormatsAllWritable(t *testing.T) {
	if len(Formats) != len(writers) {
		t.Fatalf("Formats lists %d names, %d writers exist", len(Formats), len(writers))
	}
	for _, format := range Formats {
		if _, ok := writers[format]; !ok {
			t.Errorf("format %q has no writer", format)
		}
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteReportsWriterErrors(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			err := Write(failingWriter{}, format, mixed)
			if !errors.Is(err, errDiskFull) {
				t.Fatalf("Write(%s) = %v, want the writer's error", format, err)
			}
			if !strings.Contains(err.Error(), format) {
				t.Errorf("error %q does not name the format", err)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	w := func(s finding.Status) finding.Finding {
		return finding.Finding{Rule: "B01", Severity: finding.Warning, Status: s}
	}
	e := func(s finding.Status) finding.Finding {
		return finding.Finding{Rule: "C01", Severity: finding.Error, Status: s}
	}
	info := finding.Finding{Rule: "B08", Severity: finding.Info}
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"nothing", Result{}, "0 plans read: 0 errors, 0 warnings, 0 info: submittable"},
		{"one plan", Result{PlansRead: 1, Findings: []finding.Finding{info}},
			"1 plan read: 0 errors, 0 warnings, 1 info: submittable"},
		{"explained", Result{PlansRead: 3, Findings: []finding.Finding{w(finding.Explained), w(finding.Explained)}},
			"3 plans read: 0 errors, 2 warnings (2 explained), 0 info: submittable"},
		{"blocking", Result{PlansRead: 2, Findings: []finding.Finding{e(finding.Open), e(finding.Waived), w(finding.Open), w(finding.Waived), w(finding.Explained)}},
			"2 plans read: 2 errors (1 waived), 3 warnings (1 explained, 1 waived), 0 info; 2 blocking: not submittable"},
		{"one of each", Result{PlansRead: 5, Findings: []finding.Finding{e(finding.Open), w(finding.Open), info}},
			"5 plans read: 1 error, 1 warning, 1 info; 2 blocking: not submittable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(tt.r); got != tt.want {
				t.Errorf("summary() = %q\nwant        %q", got, tt.want)
			}
			if got, want := tt.r.Submittable(), strings.HasSuffix(tt.want, ": submittable"); got != want {
				t.Errorf("Submittable() = %v, want %v", got, want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text £500k", "plain text £500k"},
		{"a\nb", `a\nb`},
		{"a\r\nb", `a\r\nb`},
		{"tab\there", "tab here"},
		{"bell\a esc\x1b[0m", `bell\a esc\x1b[0m`},
		{"c1\u0085", `c1\u0085`},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRelatedText(t *testing.T) {
	tests := []struct {
		in   finding.Location
		want string
	}{
		{finding.Location{}, ""},
		{finding.Location{Org: "15M"}, "15M"},
		{finding.Location{File: "plans/15M.cue", Line: 4}, "plans/15M.cue:4"},
		{finding.Location{Org: "15M", File: "plans/15M.cue", Line: 4, Column: 2}, "plans/15M.cue:4:2 (15M)"},
		{finding.Location{Org: "15M", Path: "contracts.RTE"}, "contracts.RTE (15M)"},
	}
	for _, tt := range tests {
		if got := relatedText(tt.in); got != tt.want {
			t.Errorf("relatedText(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
