package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestHistoryCache: submissions and contracts --weekly keep each commit's
// result in the result cache (the user cache directory's, or --cache-dir's)
// and print the same from it; --no-cache leaves no trace; damaged entries
// are recomputed; a cache directory that cannot be used costs a warning,
// not the command.
func TestHistoryCache(t *testing.T) {
	_, repo, _ := submissionRepo(t)
	commands := []struct {
		name string
		args []string
	}{
		{"submissions", []string{"submissions", repo, "--as-of", "2019-06-01"}},
		{"contracts", []string{"contracts", repo, "--weekly"}},
	}
	const (
		inUserDir  = "user cache directory"
		inCacheDir = "--cache-dir"
		nowhere    = ""
	)
	tests := []struct {
		name  string
		flags []string // "DIR" is a fresh --cache-dir
		// prefill runs the command once with the same flags first; damage
		// then overwrites every entry.
		prefill, damage bool
		// blocked makes DIR a file.
		blocked bool
		entries string // where the entries are after the run
		warning string
	}{
		{name: "user cache directory", entries: inUserDir},
		{name: "cache-dir", flags: []string{"--cache-dir", "DIR"}, entries: inCacheDir},
		{name: "from the cache", flags: []string{"--cache-dir", "DIR"}, prefill: true, entries: inCacheDir},
		{name: "damaged entries", flags: []string{"--cache-dir", "DIR"}, prefill: true, damage: true, entries: inCacheDir},
		{name: "no-cache", flags: []string{"--no-cache"}, entries: nowhere},
		{name: "no-cache with cache-dir", flags: []string{"--cache-dir", "DIR", "--no-cache"}, entries: nowhere},
		{name: "cache-dir a file", flags: []string{"--cache-dir", "DIR"}, blocked: true, entries: nowhere,
			warning: "warning: reading history without the result cache"},
	}
	for _, cmd := range commands {
		want, errOut, code := run(t, append(slices.Clone(cmd.args), "--no-cache")...)
		if code != ExitClean {
			t.Fatalf("%s: exit %d: %s", cmd.name, code, errOut)
		}
		for _, tc := range tests {
			t.Run(cmd.name+"/"+tc.name, func(t *testing.T) {
				xdg := t.TempDir()
				t.Setenv("XDG_CACHE_HOME", xdg)
				dir := filepath.Join(t.TempDir(), "cache")
				if tc.blocked {
					if err := os.WriteFile(dir, nil, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				args := slices.Clone(cmd.args)
				for _, f := range tc.flags {
					args = append(args, strings.ReplaceAll(f, "DIR", dir))
				}
				where := map[string]string{
					inUserDir:  filepath.Join(xdg, "triangulate", "results-v1"),
					inCacheDir: filepath.Join(dir, "results-v1"),
				}
				entries := func(in string) []string {
					t.Helper()
					m, err := filepath.Glob(filepath.Join(where[in], "*"))
					if err != nil {
						t.Fatal(err)
					}
					return m
				}
				if tc.prefill {
					if _, errOut, code := run(t, args...); code != ExitClean {
						t.Fatalf("exit %d: %s", code, errOut)
					}
				}
				if tc.damage {
					for _, e := range entries(tc.entries) {
						if err := os.WriteFile(e, []byte("damaged"), 0o600); err != nil {
							t.Fatal(err)
						}
					}
				}
				out, errOut, code := run(t, args...)
				if code != ExitClean || out != want {
					t.Fatalf("exit %d, stderr %q; output the same as uncached: %v", code, errOut, out == want)
				}
				if tc.warning == "" && errOut != "" || !strings.Contains(errOut, tc.warning) {
					t.Errorf("stderr %q, want %q", errOut, tc.warning)
				}
				for _, in := range []string{inUserDir, inCacheDir} {
					n, wantN := len(entries(in)), 0
					if in == tc.entries {
						wantN = 4 // one per commit that changes plans
					}
					if n != wantN {
						t.Errorf("%d entries in the %s, want %d", n, in, wantN)
					}
				}
				if tc.entries == nowhere {
					if _, err := os.Stat(filepath.Join(xdg, "triangulate")); err == nil {
						t.Error("the user cache directory was created")
					}
				}
				if tc.damage {
					for _, e := range entries(tc.entries) {
						if b, err := os.ReadFile(e); err != nil || string(b) == "damaged" {
							t.Errorf("entry %s not rewritten (%v)", filepath.Base(e), err)
						}
					}
				}
			})
		}
	}
}
