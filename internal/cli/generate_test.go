package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateCommand: a small England written by the command checks clean
// through the check command; bad flags are usage errors naming the flag.
func TestGenerateCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "england")
	if _, errOut, code := run(t, "generate", "--out", dir, "--systems", "2", "--seed", "3"); code != ExitClean {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	out, errOut, code := run(t, "check", dir)
	if code != ExitClean || !strings.Contains(out, "0 errors, 0 warnings") {
		t.Errorf("check of the generated set: exit %d\n%s%s", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--out is required"},
		{[]string{"--out", dir, "--systems", "0"}, "--systems must be between 1 and"},
		{[]string{"--out", dir, "--systems", "91"}, "--systems must be between 1 and"},
		{[]string{"--out", dir, "--faults", "1.5"}, "--faults must be a share"},
		{[]string{"--out", dir, "--faults", "-0.1"}, "--faults must be a share"},
		{[]string{"--out", dir, "extra"}, "unknown command"},
	} {
		_, errOut, code := run(t, append([]string{"generate"}, tc.args...)...)
		if code != ExitInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("generate %v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut, ExitInput, tc.want)
		}
	}
}
