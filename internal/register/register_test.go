package register_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/register"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const bundled = "policy/register/2019-20.cue"

func TestLoad(t *testing.T) {
	src := testutil.RepoFS(t)
	s, err := plan.LoadSchema(src)
	if err != nil {
		t.Fatal(err)
	}
	good := src[bundled].Data
	tests := []struct {
		name  string
		files fstest.MapFS
		years []string
		want  string // substring of the one finding, "" for none
	}{
		{"bundled", fstest.MapFS{bundled: {Data: good}}, []string{"2019/20"}, ""},
		{"no folder", fstest.MapFS{}, nil, ""},
		{"not a register", fstest.MapFS{bundled: {Data: []byte("kind: \"waivers\"\nwaivers: []\n")}}, nil, `must have kind "register"`},
		{"year and name disagree", fstest.MapFS{"policy/register/2020-21.cue": {Data: good}}, nil, "must be policy/register/2019-20.cue"},
		{"malformed", fstest.MapFS{bundled: {Data: []byte(strings.Replace(string(good), "agency_ceiling: 6000", "agency_ceiling: \"six\"", 1))}}, nil, "malformed register, not used"},
		{"not data", fstest.MapFS{bundled: {Data: []byte("import \"strings\"\n" + string(good))}}, nil, "malformed register, not used: imports are not allowed"},
		{"too large", fstest.MapFS{bundled: {Data: []byte("x: \"" + strings.Repeat("x", plan.DefaultMaxFileSize) + "\"\n")}}, nil, "over"},
		{"other files ignored", fstest.MapFS{bundled: {Data: good}, "policy/register/README.md": {Data: []byte("# notes")}}, []string{"2019/20"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			regs, fs := register.Load(tc.files, s)
			var years []string
			for y := range regs {
				years = append(years, y)
			}
			if strings.Join(years, ",") != strings.Join(tc.years, ",") {
				t.Errorf("registers for %v, want %v", years, tc.years)
			}
			switch {
			case tc.want == "" && len(fs) != 0:
				t.Errorf("unexpected findings: %+v", fs)
			case tc.want != "" && (len(fs) != 1 || !strings.Contains(fs[0].Message, tc.want)):
				t.Errorf("findings %+v, want one containing %q", fs, tc.want)
			case tc.want != "" && (fs[0].Rule != "C05" || !fs[0].Blocking()):
				t.Errorf("finding %+v, want a blocking C05", fs[0])
			}
		})
	}
}

func TestData(t *testing.T) {
	src := testutil.RepoFS(t)
	s, err := plan.LoadSchema(src)
	if err != nil {
		t.Fatal(err)
	}
	regs, _ := register.Load(src, s)
	d := regs.Data("2019/20")
	providers, _ := d["providers"].(map[string]any)
	if _, ok := providers["RTK"]; !ok {
		t.Errorf("2019/20 register lacks RTK: %v", d)
	}
	if got := regs.Data("2020/21"); len(got) != 0 {
		t.Errorf("a year without a register gives %v, want an empty object", got)
	}
}
