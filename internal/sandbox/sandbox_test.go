package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	iofs "io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/sandbox"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// The child is this test binary, run again: sandbox's init serves when the
// parent marks it as a child (the helper-process pattern), so go test
// needs no binary built first.

var opts = check.Options{Today: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)}

// rule is a proposed policy whose one finding is raised when body holds.
func rule(body string) string {
	return `# METADATA
# title: Proposed
# custom:
#   id: X99
#   category: alignment
#   severity: error
package triangulate.rules.x99

findings contains {"rule": "X99", "severity": "error", "org": "RTK", "message": "proposed", "path": []} if {
	` + body + `
}
`
}

// quadratic is a proposed schema file whose evaluation takes 20,000²
// steps: about 400 s of CPU, with little memory.
const quadratic = `package schema

import "list"

#ProviderPlan: _burn: len([for i in list.Range(0, 20000, 1) for j in list.Range(0, 20000, 1) if i == j+1 {i}])
`

// TestEvaluateMatchesInProcess: a well-formed proposed rule set gives in the
// child exactly the findings the pipeline gives in this process.
func TestEvaluateMatchesInProcess(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(fstest.MapFS)
		extra string // a finding the edit must raise, by rule id
	}{
		{"bundled rules", func(fstest.MapFS) {}, ""},
		{"a new policy", func(fs fstest.MapFS) {
			fs["policy/rules/x99/x99.rego"] = &fstest.MapFile{Data: []byte(rule(`input.plans.RTK`))}
		}, "X99"},
		// Sent as what they are, refused in the child as in this process.
		{"a symbolic link under plans/", func(fs fstest.MapFS) {
			fs["plans/2019-20/providers/link.cue"] = &fstest.MapFile{Data: []byte("rtk.cue"), Mode: iofs.ModeSymlink}
		}, "S00"},
		{"a plan too large to send", func(fs fstest.MapFS) {
			fs["plans/2019-20/providers/big.cue"] = &fstest.MapFile{Data: make([]byte, sandbox.MaxRequestFile+1)}
		}, "S00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head := testutil.RepoFS(t)
			tc.edit(head)
			rules, err := check.LoadRules(context.Background(), head, opts)
			if err != nil {
				t.Fatal(err)
			}
			want, err := check.Run(context.Background(), rules, head, opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sandbox.Evaluate(context.Background(), head, opts, sandbox.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if g, w := asJSON(t, got), asJSON(t, want.Findings); g != w {
				t.Errorf("findings from the child differ:\n got %s\nwant %s", g, w)
			}
			if tc.extra != "" && !strings.Contains(asJSON(t, got), `"rule":"`+tc.extra+`"`) {
				t.Errorf("no %s finding", tc.extra)
			}
		})
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEvaluateStopsHostileRules: each hostile rule set comes back as an
// error saying what stopped it, and never later than its wall limit and the
// moment it takes to reap the child. The limits are small so the test is
// quick (about a second a case on an idle machine); the defaults are the
// same code with bigger numbers.
func TestEvaluateStopsHostileRules(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.Write([]byte(`{"type": "object"}`))
	}))
	defer srv.Close()
	secret := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(secret, []byte(`{"type": "object"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	small := sandbox.Limits{Memory: 256 << 20, CPU: 20 * time.Second, Wall: 20 * time.Second}
	tests := []struct {
		name  string
		file  string
		src   string
		lim   sandbox.Limits
		limit string // the *LimitError's Limit, or "" for a load error
		want  string // in the error's text
	}{
		{"a list of 1e10 numbers", "policy/rules/x99/x99.rego", rule(`count(numbers.range(1, 1e10)) > 0`), small,
			"memory", "exceeded the 256 MiB memory limit"},
		{"a quadratic schema, CPU", "schema/zz.cue", quadratic, sandbox.Limits{CPU: time.Second, Wall: 20 * time.Second},
			"CPU", "exceeded the 1 s CPU limit"},
		{"a quadratic schema, wall clock", "schema/zz.cue", quadratic, sandbox.Limits{Wall: time.Second},
			"time", "exceeded the 1 s time limit"},
		{"http.send", "policy/rules/x99/x99.rego", rule(`http.send({"method": "GET", "url": "` + srv.URL + `"}).status_code == 200`), small,
			"", "undefined function http.send"},
		{"json.match_schema over http", "policy/rules/x99/x99.rego", rule(`json.match_schema({"a": 5}, {"$ref": "` + srv.URL + `/s.json"})[0]`), small,
			"", "undefined function json.match_schema"},
		{"json.match_schema over file", "policy/rules/x99/x99.rego", rule(`json.match_schema({"a": 5}, {"$ref": "file://` + secret + `"})[0]`), small,
			"", "undefined function json.match_schema"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head := testutil.RepoFS(t)
			head[tc.file] = &fstest.MapFile{Data: []byte(tc.src)}
			start := time.Now()
			_, err := sandbox.Evaluate(context.Background(), head, opts, tc.lim)
			took := time.Since(start)
			t.Logf("%s: %v", took.Round(time.Millisecond), err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			var le *sandbox.LimitError
			if errors.As(err, &le) != (tc.limit != "") || (le != nil && le.Limit != tc.limit) {
				t.Errorf("err = %#v, want a *LimitError for %q", err, tc.limit)
			}
			wall := tc.lim.Wall
			if wall == 0 {
				wall = sandbox.DefaultWall
			}
			if bound := wall + 3*time.Second; took > bound {
				t.Errorf("took %s, over the %s bound", took, bound)
			}
		})
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the server, want none", n)
	}
}

// BenchmarkEvaluateNationalScale measures the bundled rules over a plan set
// the size of England's (about 400 organisations) in the child, the figure
// the default limits are sized against.
func BenchmarkEvaluateNationalScale(b *testing.B) {
	head := testutil.ScaledRepoFS(b, 42)
	for b.Loop() {
		if _, err := sandbox.Evaluate(context.Background(), head, opts, sandbox.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
