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
