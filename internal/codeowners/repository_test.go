package codeowners

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestCheckRepository: the repository's own CODEOWNERS binds every
// organisation in plans/organisations.cue (the check .ci/run runs).
func TestCheckRepository(t *testing.T) {
	problems, err := CheckRepository(os.DirFS(testutil.Root(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

var anyLine = regexp.MustCompile(`line [0-9]+ \(`)

// TestCheckRepositoryFails: the check fails on the ways the repository can
// come unbound, so a passing run means something.
func TestCheckRepositoryFails(t *testing.T) {
	const (
		owners = ".github/CODEOWNERS"
		orgs   = "plans/organisations.cue"
	)
	edit := func(name, old, new string) func(*testing.T, fstest.MapFS) {
		return func(t *testing.T, fsys fstest.MapFS) {
			src := string(fsys[name].Data)
			if !strings.Contains(src, old) {
				t.Fatalf("%s has no %q", name, old)
			}
			fsys[name] = &fstest.MapFile{Data: []byte(strings.Replace(src, old, new, 1)), Mode: 0o644}
		}
	}
	tests := []struct {
		name    string
		change  func(*testing.T, fstest.MapFS)
		want    []string // one pattern per problem expected; line N is any line
		wantErr string
	}{
		{"an organisation's line removed",
			edit(owners, "/plans/**/providers/rtk.cue                 @triangulate-nhs/rtk-planning\n", ""),
			[]string{"RTK's plan plans/2019-20/providers/rtk.cue is owned by line N (/plans/ @triangulate-nhs/regulators), which names no team of RTK's own"}, ""},
		{"an organisation added without a line",
			edit(orgs, "\tRXX:", "\tRYD: {name: \"Example Trust\", type: \"trust\", system: \"QXU\"}\n\tRXX:"),
			[]string{"RYD's plan plans/2019-20/providers/ryd.cue is owned by line N (/plans/ @triangulate-nhs/regulators), which names no team of RYD's own"}, ""},
		{"next year's plans narrowed away",
			edit(owners, "/plans/**/commissioners/09n.cue", "/plans/2019-20/commissioners/09n.cue"),
			[]string{"09N's plan plans/2020-21/commissioners/09n.cue is owned by line N (/plans/ @triangulate-nhs/regulators)"}, ""},
		{"a plans/ file falls through to the catch-all", func(t *testing.T, fsys fstest.MapFS) {
			edit(owners, "/plans/                                     @triangulate-nhs/regulators\n", "")(t, fsys)
			fsys["plans/2019-20/notes.md"] = &fstest.MapFile{Data: []byte("notes\n")}
		}, []string{"plans/2019-20/notes.md falls through to line N (* @triangulate-nhs/maintainers), which is not a line for plans/"}, ""},
		{"the workflows without the regulators",
			edit(owners, "/.github/workflows/                         @triangulate-nhs/maintainers @triangulate-nhs/regulators", "/.github/workflows/ @triangulate-nhs/maintainers"),
			[]string{"the tool's code and workflows (.github/workflows/"}, ""},
		{"a reference list that fails the schema", edit(orgs, `type: "system"`, `type: "region"`), nil,
			"read organisations: plans/organisations.cue fails the schema"},
		{"no reference list", func(_ *testing.T, fsys fstest.MapFS) { delete(fsys, orgs) }, nil,
			"read organisations: open plans/organisations.cue: file does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := testutil.RepoFS(t)
			tt.change(t, fsys)
			got, err := CheckRepository(fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, want := range tt.want {
				// Line numbers follow the file's layout, not what is tested.
				if !strings.Contains(anyLine.ReplaceAllString(got[i], "line N ("), want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], want)
				}
			}
		})
	}
}

func TestNextYear(t *testing.T) {
	tests := []struct{ year, want, wantErr string }{
		{"2019/20", "2020/21", ""},
		{"2099/00", "2100/01", ""},
		{"2019", "", "not YYYY/YY"},
		{"x/20", "", "not YYYY/YY"},
	}
	for _, tt := range tests {
		got, err := nextYear(tt.year)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("nextYear(%q) = %q, %v; want %q, %q", tt.year, got, err, tt.want, tt.wantErr)
		}
	}
}

// BenchmarkCheckRepositoryNational is the CI step at England's scale: 45
// systems (360 organisations, two years each) with a line apiece.
func BenchmarkCheckRepositoryNational(b *testing.B) {
	fsys := testutil.ScaledRepoFS(b, 45)
	var lines strings.Builder
	lines.Write(fsys[".github/CODEOWNERS"].Data)
	folder := map[string]string{"trust": "providers/", "ccg": "commissioners/", "system": "system-"}
	for _, m := range scaledOrg.FindAllStringSubmatch(string(fsys["plans/organisations.cue"].Data), -1) {
		fmt.Fprintf(&lines, "/plans/**/%s%s.cue @triangulate-nhs/%s-planning\n", folder[m[2]], strings.ToLower(m[1]), strings.ToLower(m[1]))
	}
	fsys[".github/CODEOWNERS"] = &fstest.MapFile{Data: []byte(lines.String())}
	for b.Loop() {
		problems, err := CheckRepository(fsys)
		if err != nil || len(problems) > 0 {
			b.Fatal(err, problems)
		}
	}
}

// scaledOrg reads code and type from testutil's synthetic reference list.
var scaledOrg = regexp.MustCompile(`"(\w+)": \{name: "Synthetic \w+", type: "(\w+)"`)
