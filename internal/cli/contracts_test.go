package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RTK returns its contract with 09N as in dispute; 09N still has it signed.
var disputed = []edit{{rtk, `"09N": {state: "signed", date: "2019-03-21"}`, `"09N": {state: "in_dispute", date: "2019-03-28"}`}}

func TestContractsGolden(t *testing.T) {
	shipped, dispute := repoDir(t, nil), repoDir(t, disputed)
	tests := []struct {
		name string
		args []string
	}{
		{"contracts_text", []string{shipped}},
		{"contracts_csv", []string{shipped, "--format", "csv"}},
		{"contracts_json", []string{shipped, "-f", "json"}},
		{"contracts_disputed_text", []string{dispute}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, append([]string{"contracts"}, tc.args...)...)
			if code != ExitClean {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tc.name, out)
		})
	}
}

// TestContractsAtRef: the plans at a ref are read without a checkout.
func TestContractsAtRef(t *testing.T) {
	dir := diffRepo(t)
	out, errOut, code := run(t, "contracts", dir, "--ref", "removed")
	if code != ExitClean || strings.Contains(out, "RXX       09N           signed") || !strings.Contains(out, "RXX       09N           -") {
		t.Errorf("exit %d %s\n%s", code, errOut, out)
	}
}

func TestContractsUsageErrors(t *testing.T) {
	noPlans := repoDir(t, nil)
	if err := os.RemoveAll(filepath.Join(noPlans, "plans")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"contracts", repoDir(t, nil), "--format", "xml"}, `unknown --format "xml"`},
		{"no plans", []string{"contracts", noPlans}, "no plans there"},
		{"no schema", []string{"contracts", t.TempDir()}, "read schema"},
		{"unknown ref", []string{"contracts", diffRepo(t), "--ref", "no-such-ref"}, "no-such-ref"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, tc.args...)
			if code != ExitInput || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, ExitInput, tc.want)
			}
		})
	}
}

func TestContractsWeeklyGolden(t *testing.T) {
	_, dir, shas := submissionRepo(t)
	tests := []struct {
		name string
		args []string
	}{
		{"contracts_weekly_text", nil},
		{"contracts_weekly_csv", []string{"--format", "csv"}},
		{"contracts_weekly_json", []string{"-f", "json", "--from", "2019-04-01"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, append([]string{"contracts", dir, "--weekly", "--cache-dir", t.TempDir()}, tc.args...)...)
			if code != ExitClean {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tc.name, anonymise(out, shas))
		})
	}
}

func TestContractsWeeklyUsageErrors(t *testing.T) {
	_, dir, _ := submissionRepo(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"malformed from", []string{dir, "--weekly", "--no-cache", "--from", "29/01/2019"}, `--from "29/01/2019"`},
		{"malformed to", []string{dir, "--weekly", "--no-cache", "--to", "2019-02-30"}, `--to "2019-02-30"`},
		{"from without weekly", []string{dir, "--from", "2019-01-29"}, "need --weekly"},
		{"no-cache without weekly", []string{dir, "--no-cache"}, "need --weekly"},
		{"unknown ref", []string{dir, "--weekly", "--no-cache", "--ref", "no-such-branch"}, "no-such-branch"},
		{"from after the last week", []string{dir, "--weekly", "--no-cache", "--from", "2019-05-01"}, "after the last week"},
		{"too many weeks", []string{dir, "--weekly", "--no-cache", "--from", "2000-01-01"}, "more than 260"},
		{"not a repository", []string{t.TempDir(), "--weekly", "--no-cache"}, "open git repository"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, append([]string{"contracts"}, tc.args...)...)
			if code != ExitInput || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, ExitInput, tc.want)
			}
		})
	}
}
