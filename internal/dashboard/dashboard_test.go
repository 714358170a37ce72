package dashboard_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/dashboard"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// writeSite writes in's site and returns a reader of its pages' text.
func writeSite(t *testing.T, in dashboard.Input) (dir string, text func(page string) string) {
	t.Helper()
	dir = t.TempDir()
	if err := dashboard.Write(dir, in); err != nil {
		t.Fatal(err)
	}
	return dir, func(page string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(pageText(b)), " ")
	}
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The site of a round of submissions shows what the ledger, the weekly
// contract status, the register and the policies say, each where a
// regulator looks for it.
func TestSiteShowsTheRound(t *testing.T) {
	in, _ := withHistory(t, time.Date(2019, 4, 20, 0, 0, 0, 0, time.UTC))
	dir, text := writeSite(t, in)
	for _, f := range []string{"index.html", "style.css", "systems/QXU.html", "orgs/RTK.html", "orgs/09N.html", "orgs/99K.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	tests := []struct {
		page string
		want []string
	}{
		{"index.html", []string{
			"Operational plans 2019/20: national view",
			"1 blocking finding across the plan set",
			"8 organisations in 1 system",
			// Every first version (1 March) came after the draft deadline
			// (12 February); 99K never submitted.
			"8 late or missing 7 late, 1 missing; 0 final on time, 0 draft only, 0 not yet due",
			"QXU Surrey Heartlands Health and Care Partnership 8 1 0 4 -£21,100k -£22,500k 0 / 0 / 7 / 1",
			"A06 Both sides record the same contract status 0 1 0 1 0",
			"Contracts by status, week by week (all systems)",
			"2019-04-05 11 1 0 0 0 0 0",
			"2019-04-12 10 1 0 0 0 0 1", // RTK puts its contract with 09N in dispute on 9 April
		}},
		{"systems/QXU.html", []string{
			"QXU Surrey Heartlands Health and Care Partnership 2019/20",
			"99K NHS Example CCG CCG none yet; draft missing, final missing",
			"RTK Ashford and St Peter's Hospitals NHS Foundation Trust Trust final v3 on 2019-04-10; draft late, final on time 1 0 2 -£7,500k -£7,500k control total 93.7% (Jan)",
			"Contract alignment in QXU, commissioners by provider",
			"RTK 09N S S S S S S D/S 0",
			"RXX 99H A A A A A A A 6",
		}},
		{"orgs/RTK.html", []string{
			"Draft: late (due by 2019-02-12). Final: on time (due by 2019-04-04).",
			"v1 final 2019-03-01 Planning lead <lead@example.nhs.uk> - ",
			"v2 draft 2019-03-20 GitHub <noreply@github.com> #5",
			"blocked (2: A01, A03) late (by 2019-02-12)",
			"v3 final 2019-04-10 Planning lead <lead@example.nhs.uk> #7",
			"blocked (1: A06) late (by 2019-04-04)",
			"Jan 516 483 93.7%",
			"A06 Both sides record the same contract status",
			"RTK records its contract with 09N as in dispute on 2019-04-09, but 09N records it as signed on 2019-03-21",
			"09N £17,547k £17,547k £0k gp_referrals +15 in dispute signed ✓ aligned",
		}},
		{"orgs/99K.html", []string{"Draft: missing", "Final: missing", "No contracts."}},
	}
	for _, tc := range tests {
		got := text(tc.page)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: no %q in\n%s", tc.page, w, got)
			}
		}
	}

	// Every finding links to its file and line at the commit.
	rtk := read(t, filepath.Join(dir, "orgs", "RTK.html"))
	for _, f := range in.Findings {
		if f.Org != "RTK" || f.Line == 0 {
			continue
		}
		if want := `href="` + in.Source.Blob(f.File, f.Line) + `"`; !strings.Contains(rtk, want) {
			t.Errorf("RTK's page has no link %s for %s", want, f.Rule)
		}
	}
	// The matrix colours RA2 and 09Y by A01 (explained by both sides).
	qxu := read(t, filepath.Join(dir, "systems", "QXU.html"))
	if !strings.Contains(qxu, `<td class="settled" title="09Y and RA2: gap explained or waived; money gap &#43;£95k (provider less commissioner)">`) {
		t.Error("QXU's matrix does not show 09Y-RA2's explained A01 gap")
	}
}

func TestSource(t *testing.T) {
	s := dashboard.Source{RepoURL: "https://github.com/o/r/", Commit: "abc1234"}
	for _, tc := range []struct {
		file string
		line int
		want string
	}{
		{"plans/2019-20/providers/rtk.cue", 12, "https://github.com/o/r/blob/abc1234/plans/2019-20/providers/rtk.cue#L12"},
		{"plans/a b/#x?.cue", 0, "https://github.com/o/r/blob/abc1234/plans/a%20b/%23x%3F.cue"},
		{"", 3, ""},
	} {
		if got := s.Blob(tc.file, tc.line); got != tc.want {
			t.Errorf("Blob(%q, %d) = %q, want %q", tc.file, tc.line, got, tc.want)
		}
	}
	if got := (dashboard.Source{Commit: "abc1234"}).Blob("x.cue", 1); got != "" {
		t.Errorf("no repository: Blob = %q, want none", got)
	}
	for _, u := range []string{"javascript:alert(1)", "https://github.com/o/r?x=1", "https://u:p@github.com/o/r", "github.com/o/r", "ftp://h/o/r"} {
		if dashboard.CheckRepoURL(u) == nil {
			t.Errorf("CheckRepoURL(%q) accepted it", u)
		}
	}
	if err := dashboard.CheckRepoURL("https://github.com/o/r"); err != nil {
		t.Error(err)
	}
}

func TestNoPlans(t *testing.T) {
	in := judged(t, testutil.RepoFS(t))
	in.Year = "2030/31"
	if err := dashboard.Write(t.TempDir(), in); !errors.Is(err, dashboard.ErrNoPlans) {
		t.Errorf("a year without plans: err = %v, want ErrNoPlans", err)
	}
	if err := dashboard.Write(t.TempDir(), dashboard.Input{Set: &plan.Set{}}); !errors.Is(err, dashboard.ErrNoPlans) {
		t.Errorf("an empty set: err = %v, want ErrNoPlans", err)
	}
}

// A site shows one year: findings about another year's plans or register
// are left out, the rules' own files' findings are shown nationally.
func TestOneYear(t *testing.T) {
	in := judged(t, testutil.RepoFS(t))
	in.Findings = append(in.Findings,
		finding.Finding{Rule: "N01", Severity: finding.Warning, Scope: finding.ScopeNational, Message: "this year's national ask",
			Location: finding.Location{File: "policy/register/2019-20.cue", Line: 3}},
		finding.Finding{Rule: "N01", Severity: finding.Warning, Scope: finding.ScopeNational, Message: "next year's national ask",
			Location: finding.Location{File: "policy/register/2020-21.cue", Line: 3}},
		finding.Finding{Rule: "B01", Severity: finding.Error, Orgs: []string{"RTK"}, Message: "next year's beds",
			Location: finding.Location{Org: "RTK", File: "plans/2020-21/providers/rtk.cue", Line: 9}},
		finding.Finding{Rule: "W01", Severity: finding.Error, Message: "a malformed waiver",
			Location: finding.Location{File: "policy/waivers/2019-20.cue", Line: 2}},
	)
	_, text := writeSite(t, in)
	national, rtk := text("index.html"), text("orgs/RTK.html")
	for _, want := range []string{"this year's national ask", "a malformed waiver"} {
		if !strings.Contains(national, want) {
			t.Errorf("national page: no %q", want)
		}
	}
	for _, page := range []string{national, rtk} {
		for _, unwanted := range []string{"next year's national ask", "next year's beds"} {
			if strings.Contains(page, unwanted) {
				t.Errorf("a 2019/20 page shows %q", unwanted)
			}
		}
	}
}
