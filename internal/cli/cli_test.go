package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

type edit struct{ file, old, new string }

// brokenRTK is the acceptance case: a typo'd field, a 13th month, a
// negative count and a bad ODS code, one finding each.
var brokenRTK = []edit{
	{"plans/2019-20/providers/rtk.cue", `system:    "QXU"`, `system:    "QX"`},
	{"plans/2019-20/providers/rtk.cue", `elective_ordinary: {total: 420,`, `elective_ordinry: {total: 420,`},
	{"plans/2019-20/providers/rtk.cue", `elective_ordinary: {total: 4800, months: [387,`, `elective_ordinary: {total: 4800, months: [-387,`},
	{"plans/2019-20/providers/rtk.cue", `beds_core: months: [492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492]`, `beds_core: months: [492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492]`},
}

// The cases of the register issue, each as a planning lead would make it.
var (
	// RTK writes its own control total into its plan and plans to it.
	ownControlTotal = []edit{
		{rtk, "\tsurplus: -7500\n", "\tsurplus:       -12000\n\tcontrol_total: -12000\n"},
		{rtk, "non_pay:      98000", "non_pay:      102500"},
	}
	// RTK alone explains a 3.4% GP referral gap with 09Y.
	oneSidedExplanation = []edit{
		{rtk, "gp_referrals: {total: 44000, months: [3498, 3673, 3498, 4022, 3526, 3672, 4022, 3672, 3148, 3924, 3498, 3847]}",
			"gp_referrals: {total: 45320, months: [3608, 3783, 3608, 4132, 3636, 3782, 4132, 3782, 3258, 4034, 3608, 3957]}"},
		{rtk, "explanations: [{\n\trule:  \"B01\"", "explanations: [{\n\trule:         \"A01\"\n\tcounterparty: \"09Y\"\n\ttext:         \"The new direct-access MSK pathway opens in April.\"\n}, {\n\trule:  \"B01\""},
	}
	// 09Y overspends: the system is short on the control-total basis.
	systemShort = []edit{
		{"plans/2019-20/commissioners/09y.cue", "other_spend: 251860", "other_spend: 254260"},
		{"plans/2019-20/commissioners/09y.cue", "surplus:     200", "surplus:     -2200"},
	}
	// RTK drops the contract 09N funds and restates its I&E.
	droppedContract = []edit{
		{rtk, "\t\t\t\"09N\": {total: 17547, months: [1400, 1465, 1400, 1534, 1407, 1434, 1544, 1451, 1405, 1564, 1419, 1524]}\n", ""},
		{rtk, "patient_care: 270000", "patient_care: 252453"},
		{rtk, "other: 24000", "other: 41547"},
	}
	// RTK's plan is refused before its code can be read.
	refusedPlan = []edit{{rtk, `kind:      "provider"`, "import \"strings\"\n\nkind:      \"provider\""}}
	// A waiver that has expired.
	expiredWaiver = []edit{{"policy/waivers/2019-20.cue", "waivers: []",
		"waivers: [{\n\trule:     \"A02\"\n\torg:      \"RTK\"\n\treason:   \"Contract value in arbitration\"\n\tapprover: \"Regional finance director, South East\"\n\texpires:  \"2019-02-01\"\n}]"}}
	// The read-across cases: RTP declares 61% occupancy while its spells
	// imply about 90% (R03), RTK moves £20m from pay to non-pay (R02) and
	// marks its two productivity schemes unidentified (R04), RXX declares
	// every bed full all year (B01 on declared beds).
	readAcross = []edit{
		{"plans/2019-20/providers/rtp.cue", "beds_occupied: months: [790, 795, 786, 801, 777, 794, 811, 812, 828, 856, 850, 828]",
			"beds_occupied: months: [549, 549, 549, 549, 549, 549, 549, 549, 580, 580, 580, 580]"},
		{rtk, "substantive: 174800", "substantive: 154800"},
		{rtk, "non_pay:      98000", "non_pay:      118000"},
		{rtk, `category: "productivity", recurrent: true, identified: true, value: 2300`, `category: "productivity", recurrent: true, identified: false, value: 2300`},
		{rtk, `category: "productivity", recurrent: true, identified: true, value: 1900`, `category: "productivity", recurrent: true, identified: false, value: 1900`},
		{"plans/2019-20/providers/rxx.cue", "beds_occupied: months: [296, 297, 295, 296, 294, 296, 298, 300, 304, 316, 305, 302]",
			"beds_occupied: months: [332, 332, 332, 332, 332, 332, 332, 332, 338, 338, 338, 338]"},
	}
	// RTK's board declines its control total: the register still offers
	// the funding (C02) and the sector misses breakeven (N01).
	declined = []edit{{rtk, "accepted:        true", "accepted:        false"}}
)

// repoDir writes the repository's schema, policies and plans, with edits,
// into a temporary directory.
func repoDir(t *testing.T, edits []edit) string {
	t.Helper()
	fsys := testutil.RepoFS(t)
	for _, e := range edits {
		mf := fsys[e.file]
		if mf == nil || strings.Count(string(mf.Data), e.old) != 1 {
			t.Fatalf("edit %s: %q must occur exactly once", e.file, e.old)
		}
		mf.Data = []byte(strings.Replace(string(mf.Data), e.old, e.new, 1))
	}
	dir := t.TempDir()
	for name, mf := range fsys {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, mf.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestCheckGolden(t *testing.T) {
	tests := []struct {
		name  string
		edits []edit
		args  []string
		code  int
	}{
		{"check_clean_text", nil, nil, ExitClean},
		{"check_clean_json", nil, []string{"--format", "json"}, ExitClean},
		{"check_broken_text", brokenRTK, nil, ExitBlocking},
		{"check_own_control_total_text", ownControlTotal, nil, ExitBlocking},
		{"check_one_sided_explanation_text", oneSidedExplanation, nil, ExitBlocking},
		{"check_system_short_text", systemShort, nil, ExitBlocking},
		{"check_dropped_contract_text", droppedContract, nil, ExitBlocking},
		{"check_refused_plan_text", refusedPlan, nil, ExitBlocking},
		{"check_expired_waiver_text", expiredWaiver, nil, ExitBlocking},
		{"check_read_across_text", readAcross, nil, ExitBlocking},
		{"check_declined_control_total_markdown", declined, []string{"--format", "markdown"}, ExitBlocking},
		{"check_misaligned_markdown", []edit{{"plans/2019-20/commissioners/09n.cue",
			`gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 49148, months: [6669,`}}, []string{"--format", "markdown"}, ExitBlocking},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := repoDir(t, tc.edits)
			out, errOut, code := run(t, append([]string{"check", dir}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s\n%s", code, tc.code, errOut, out)
			}
			// Markdown escapes the underscores of the temporary path.
			out = strings.ReplaceAll(out, strings.ReplaceAll(dir, "_", `\_`), "$REPO")
			golden(t, tc.name, strings.ReplaceAll(out, dir, "$REPO"))
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := repoDir(t, nil)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"check", dir, "--format", "xml"}, `unknown --format "xml"`},
		{"unknown flag", []string{"check", "--frobnicate"}, "unknown flag: --frobnicate"},
		{"too many args", []string{"check", dir, dir}, "accepts at most 1 arg"},
		{"missing path", []string{"check", filepath.Join(dir, "nope")}, "no such file or directory"},
		{"no plans folder", []string{"check", filepath.Join(dir, "plans")}, "read schema"},
		{"ref without git", []string{"check", dir, "--ref", "main"}, "open git repository"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, tc.args...)
			if code != ExitInput {
				t.Fatalf("exit %d, want %d", code, ExitInput)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.want)
			}
		})
	}
}

func TestRulesCommand(t *testing.T) {
	out, errOut, code := run(t, "rules", repoDir(t, nil))
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "rules", out)
}

func TestHelp(t *testing.T) {
	out, _, code := run(t, "check", "--help")
	if code != ExitClean || !strings.Contains(out, "triangulate check --ref origin/main") {
		t.Fatalf("help (exit %d) lacks examples:\n%s", code, out)
	}
}

func TestCheckFindsTheRootFromASubdirectory(t *testing.T) {
	dir := repoDir(t, nil)
	t.Chdir(filepath.Join(dir, "plans", "2019-20"))
	out, errOut, code := run(t, "check")
	if code != ExitClean || !strings.Contains(out, "8 plans read") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if !strings.Contains(out, "plans/2019-20/providers/rtk.cue:") {
		t.Errorf("locations are not relative to the repository root:\n%s", out)
	}
}
