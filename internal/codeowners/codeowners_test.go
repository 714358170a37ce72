package codeowners

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

const sample = `# Plans belong to their organisations; the rules around them to regulators.
*                                       @triangulate-nhs/maintainers
/schema/                                @triangulate-nhs/regulators
/policy/                                @triangulate-nhs/regulators
/plans/**/providers/rtk.cue             @triangulate-nhs/rtk-planning
/plans/**/commissioners/09n.cue         @triangulate-nhs/09n-planning planner@example.nhs.uk
/plans/**/system-*.cue                  @triangulate-nhs/qxu-system-leads @alice
/plans/organisations.cue                @triangulate-nhs/regulators
/plans/2019-20/providers/unowned.cue
`

func TestOf(t *testing.T) {
	o, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want []string
	}{
		{"plans/2019-20/providers/rtk.cue", []string{"@triangulate-nhs/rtk-planning"}},
		{"/plans/2020-21/providers/rtk.cue", []string{"@triangulate-nhs/rtk-planning"}},
		{"plans/2019-20/commissioners/09n.cue", []string{"@triangulate-nhs/09n-planning", "planner@example.nhs.uk"}},
		{"plans/2019-20/system-qxu.cue", []string{"@triangulate-nhs/qxu-system-leads", "@alice"}},
		{"plans/organisations.cue", []string{"@triangulate-nhs/regulators"}},
		{"schema/provider.cue", []string{"@triangulate-nhs/regulators"}},
		{"policy/rules/a01/a01.rego", []string{"@triangulate-nhs/regulators"}},
		// A later rule without owners removes ownership.
		{"plans/2019-20/providers/unowned.cue", []string{}},
		// A file no specific rule names falls back to the catch-all.
		{"plans/2019-20/providers/ra2.cue", []string{"@triangulate-nhs/maintainers"}},
		{"README.md", []string{"@triangulate-nhs/maintainers"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, o.Of(tt.path)); diff != "" {
				t.Errorf("Of(%q) (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

func TestMention(t *testing.T) {
	o, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"both sides of a contract", []string{"plans/2019-20/providers/rtk.cue", "plans/2019-20/commissioners/09n.cue"},
			"@triangulate-nhs/rtk-planning @triangulate-nhs/09n-planning planner@example.nhs.uk"},
		{"each owner once", []string{"schema/common.cue", "policy/main/main.rego", "plans/organisations.cue"}, "@triangulate-nhs/regulators"},
		{"unowned", []string{"plans/2019-20/providers/unowned.cue"}, ""},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := o.Mention(tt.paths...); got != tt.want {
				t.Errorf("Mention = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    []string
		wantErr string
	}{
		{name: ".github wins over the root", files: map[string]string{
			".github/CODEOWNERS": "* @a", "CODEOWNERS": "* @b", "docs/CODEOWNERS": "* @c"}, want: []string{"@a"}},
		{name: "root before docs", files: map[string]string{"CODEOWNERS": "* @b", "docs/CODEOWNERS": "* @c"}, want: []string{"@b"}},
		{name: "docs", files: map[string]string{"docs/CODEOWNERS": "* @c"}, want: []string{"@c"}},
		{name: "none", files: map[string]string{"README.md": "hi"}, want: nil},
		{name: "bad owner", files: map[string]string{".github/CODEOWNERS": "* not-an-owner"}, wantErr: "load .github/CODEOWNERS: parse codeowners: line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			o, err := Load(fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, o.Of("plans/x.cue")); diff != "" {
				t.Errorf("Of (-want +got):\n%s", diff)
			}
		})
	}
}

// The repository's own CODEOWNERS must give each plan to its organisation,
// the rules to the regulators and the tool to both.
func TestRepositoryCodeowners(t *testing.T) {
	const both = Maintainers + " " + Regulators
	o, err := Load(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"plans/2019-20/providers/rtk.cue", "@triangulate-nhs/rtk-planning"},
		{"plans/2019-20/providers/ra2.cue", "@triangulate-nhs/ra2-planning"},
		{"plans/2019-20/providers/rtp.cue", "@triangulate-nhs/rtp-planning"},
		{"plans/2019-20/providers/rxx.cue", "@triangulate-nhs/rxx-planning"},
		{"plans/2019-20/commissioners/09n.cue", "@triangulate-nhs/09n-planning"},
		{"plans/2019-20/commissioners/09y.cue", "@triangulate-nhs/09y-planning"},
		{"plans/2019-20/commissioners/99h.cue", "@triangulate-nhs/99h-planning"},
		{"plans/2020-21/providers/rtk.cue", "@triangulate-nhs/rtk-planning"},
		{"plans/2019-20/system-qxu.cue", "@triangulate-nhs/qxu-system-leads"},
		{"plans/organisations.cue", "@triangulate-nhs/regulators"},
		{"schema/provider.cue", "@triangulate-nhs/regulators"},
		{"policy/main/main.rego", "@triangulate-nhs/regulators"},
		{"policy/data.json", "@triangulate-nhs/regulators"},
		{".github/CODEOWNERS", "@triangulate-nhs/regulators"},
		// A plan renamed away from its path is refused (S01) and the
		// regulators', never the maintainers' alone.
		{"plans/2019-20/providers/rtk-2019.cue", "@triangulate-nhs/regulators"},
		{"plans/2019-20/notes.md", "@triangulate-nhs/regulators"},
		// The tool decides what a submission is.
		{"internal/github/publisher.go", both},
		{"cmd/triangulate/main.go", both},
		{"go.mod", both},
		{"go.sum", both},
		{".ci/run", both},
		{".github/workflows/triangulate.yml", both},
		{".github/actions/setup/action.yml", both},
		{"README.md", "@triangulate-nhs/maintainers"},
	}
	for _, tt := range tests {
		if got := o.Mention(tt.path); got != tt.want {
			t.Errorf("owners of %s = %q, want %q", tt.path, got, tt.want)
		}
	}
}
