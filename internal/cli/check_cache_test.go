package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain keeps every test's result cache out of the user's own cache
// directory.
// TestCheckCache: check keeps its results in the user cache directory and
// reports the same from it; --no-cache leaves no trace there; a damaged
// cache changes nothing; a cache directory that cannot be used costs a
// warning, not the check.
func TestCheckCache(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", xdg)
	entries := func() []string {
		t.Helper()
		m, err := filepath.Glob(filepath.Join(xdg, "triangulate", "results-v1", "*"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	dir := repoDir(t, readAcross)
	check := func(args ...string) string {
		t.Helper()
		out, errOut, code := run(t, append([]string{"check", dir, "--format", "json"}, args...)...)
		if code != ExitBlocking {
			t.Fatalf("exit %d, want %d: %s", code, ExitBlocking, errOut)
		}
		if errOut != "" {
			t.Errorf("stderr: %s", errOut)
		}
		return out
	}
	want := check("--no-cache")
	if _, err := os.Stat(filepath.Join(xdg, "triangulate")); err == nil {
		t.Fatal("--no-cache created the cache directory")
	}
	if got := check(); got != want {
		t.Fatalf("report with an empty cache differs:\n%s\nwant:\n%s", got, want)
	}
	// The bundled plans (8 and the reference list) and the policy findings.
	filled := entries()
	if len(filled) != 10 {
		t.Fatalf("%d cache entries, want 10", len(filled))
	}
	if got := check(); got != want {
		t.Fatalf("report from the cache differs:\n%s\nwant:\n%s", got, want)
	}
	if n := len(entries()); n != len(filled) {
		t.Errorf("%d entries after a run from the cache, want %d", n, len(filled))
	}
	for _, e := range filled {
		if err := os.WriteFile(e, []byte("damaged"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := check(); got != want {
		t.Fatalf("report from a damaged cache differs:\n%s\nwant:\n%s", got, want)
	}
	// A cache directory that is a file.
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", blocked)
	out, errOut, code := run(t, "check", dir, "--format", "json")
	if code != ExitBlocking || out != want || !strings.Contains(errOut, "warning: checking without the result cache") {
		t.Errorf("exit %d, stderr %q; report the same: %v", code, errOut, out == want)
	}
}
