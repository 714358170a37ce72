package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// variant is a realistic change to the bundled repository (plans, register
// or waivers) and the findings it must raise, read from
// testdata/variants/*.json.
type variant struct {
	Description string `json:"description"`
	Edits       []struct {
		File string `json:"file"`
		Old  string `json:"old"`
		New  string `json:"new"`
	} `json:"edits"`
	Expect []expectation `json:"expect"`
	// Absent lists findings that must not be raised (rule, and org when
	// given).
	Absent []struct {
		Rule string `json:"rule"`
		Org  string `json:"org"`
	} `json:"absent"`
}

// expectation is one finding a variant must raise; Blocking and Reason, when
// given, check what the gate made of it.
type expectation struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Org      string `json:"org"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Blocking *bool  `json:"blocking"`
	Reason   string `json:"reason"`
}

var today = time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)

// TestVariants runs the whole pipeline (schema, policies, line mapping,
// explanations) over each variant and checks every expected finding is
// raised with its rule, severity, organisation and line.
func TestVariants(t *testing.T) {
	files, err := filepath.Glob("testdata/variants/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no variants in testdata/variants")
	}
	ctx := context.Background()
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var v variant
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("decode %s: %v", file, err)
			}
			if len(v.Expect) == 0 {
				t.Fatal("variant expects nothing")
			}
			fsys := testutil.RepoFS(t)
			for _, e := range v.Edits {
				mf, ok := fsys[e.File]
				if !ok {
					t.Fatalf("edit: no file %s", e.File)
				}
				if n := strings.Count(string(mf.Data), e.Old); n != 1 {
					t.Fatalf("edit %s: old text occurs %d times, want exactly 1: %q", e.File, n, e.Old)
				}
				mf.Data = []byte(strings.Replace(string(mf.Data), e.Old, e.New, 1))
			}
			// The rules come from the edited tree too, so a variant can
			// change the register as a regulator would.
			rules, err := check.LoadRules(ctx, fsys, check.Options{Today: today})
			if err != nil {
				t.Fatal(err)
			}
			res, err := check.Run(ctx, rules, fsys, check.Options{Today: today})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range v.Expect {
				if !hasFinding(res.Findings, want) {
					t.Errorf("%s: missing %s; got:\n%s", v.Description, want, dump(res.Findings))
				}
			}
			for _, no := range v.Absent {
				for _, f := range res.Findings {
					if f.Rule == no.Rule && (no.Org == "" || f.Involves(no.Org)) {
						t.Errorf("%s: unexpected %s %s at %s: %s", v.Description, f.Severity, f.Rule, f.Location, f.Message)
					}
				}
			}
		})
	}
}

func (e expectation) String() string {
	s := fmt.Sprintf("%s %s for %s at %s:%d", e.Severity, e.Rule, e.Org, e.File, e.Line)
	if e.Blocking != nil {
		s += fmt.Sprintf(", blocking %t", *e.Blocking)
	}
	if e.Reason != "" {
		s += fmt.Sprintf(", reason containing %q", e.Reason)
	}
	return s
}

func hasFinding(fs []finding.Finding, want expectation) bool {
	for _, f := range fs {
		if f.Rule != want.Rule || string(f.Severity) != want.Severity || f.File != want.File || f.Line != want.Line {
			continue
		}
		if want.Org != "" && !f.Involves(want.Org) {
			continue
		}
		if want.Blocking != nil && f.Blocking() != *want.Blocking {
			continue
		}
		if !strings.Contains(f.Reason, want.Reason) {
			continue
		}
		return true
	}
	return false
}

func dump(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Location.String() + " " + string(f.Severity) + " " + f.Rule + " [" + strings.Join(f.Orgs, ",") + "] " + f.Message)
		if f.Reason != "" {
			b.WriteString(" {" + string(f.Status) + ": " + f.Reason + "}")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestBundledPlansSubmittable: main must always be a clean, submittable set,
// and it carries explained warnings so people see how explanations read.
func TestBundledPlansSubmittable(t *testing.T) {
	fsys := testutil.RepoFS(t)
	ctx := context.Background()
	rules, err := check.LoadRules(ctx, fsys, check.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(ctx, rules, fsys, check.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	explained := 0
	for _, f := range res.Findings {
		if f.Blocking() {
			t.Errorf("bundled plans: blocking %s %s at %s: %s", f.Severity, f.Rule, f.Location, f.Message)
		}
		if f.Status == finding.Explained {
			explained++
		}
	}
	if explained < 2 {
		t.Errorf("bundled plans carry %d explained warnings, want at least 2", explained)
	}
	if res.PlansRead < 8 {
		t.Errorf("read %d plans, want the system file, 4 providers and 3 commissioners", res.PlansRead)
	}
}
