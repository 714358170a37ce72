package dashboard_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden pages under testdata/")

// TestGolden keeps three pages of the round's site as they are written:
// the national page, the system page and RTK's. Commits are named in
// the order the ledger first lists them, so a change to a shipped plan changes only what it shows.
func TestGolden(t *testing.T) {
	in, _ := withHistory(t, time.Date(2019, 4, 20, 0, 0, 0, 0, time.UTC))
	dir, _ := writeSite(t, in)
	var shas []string
	for _, e := range in.Ledger.Entries {
		for _, v := range e.Versions {
			if !slices.Contains(shas, v.Commit) {
				shas = append(shas, v.Commit)
			}
		}
	}
	for _, page := range []string{"index.html", "systems/QXU.html", "orgs/RTK.html"} {
		got := read(t, filepath.Join(dir, page))
		for i, sha := range shas {
			got = strings.ReplaceAll(got, sha[:12], fmt.Sprintf("<commit %d>", i))
		}
		name := filepath.Join("testdata", strings.ReplaceAll(page, "/", "-")+".golden")
		if *update {
			if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("read golden (run with -update): %v", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s (run with -update and review the diff)", page, name)
		}
	}
}
