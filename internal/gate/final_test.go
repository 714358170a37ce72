package gate_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gate"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const rtkPlan = "plans/2019-20/providers/rtk.cue"

// rtkAs loads the shipped plans with RTK's status set.
func rtkAs(t *testing.T, status string) fstest.MapFS {
	t.Helper()
	fsys := testutil.RepoFS(t)
	src := string(fsys[rtkPlan].Data)
	if !strings.Contains(src, `status:    "final"`) {
		t.Fatal("RTK's plan has no final status line")
	}
	fsys[rtkPlan] = &fstest.MapFile{Data: []byte(strings.Replace(src, `status:    "final"`, `status:    "`+status+`"`, 1))}
	return fsys
}

func TestUnsubmittableAndCarriedByDrafts(t *testing.T) {
	s := schema(t)
	b05 := finding.Finding{Rule: "B05", Severity: finding.Warning, Orgs: []string{"RTK"}, Location: finding.Location{File: rtkPlan, Line: 147}}
	a01 := finding.Finding{Rule: "A01", Severity: finding.Error, Orgs: []string{"RTK", "09Y"}, Location: finding.Location{File: rtkPlan, Line: 43}}
	explained := b05
	explained.Status = finding.Explained
	register := finding.Finding{Rule: "C05", Severity: finding.Error, Orgs: []string{"RTK"}, Location: finding.Location{File: "policy/register/2019-20.cue"}}
	tests := []struct {
		name     string
		status   string
		findings []finding.Finding
		orgs     []string
		want     string // G03 message fragment, "" for none
		carried  []bool // per finding
	}{
		{"final and clean", "final", nil, []string{"RTK"}, "", nil},
		{"final with a warning", "final", []finding.Finding{b05}, []string{"RTK"}, "1 blocking finding involves it (B05)", []bool{false}},
		{"final with two", "final", []finding.Finding{b05, a01}, []string{"RTK"}, "2 blocking findings involve it (A01, B05)", []bool{false, false}},
		{"final, explained", "final", []finding.Finding{explained}, []string{"RTK"}, "", []bool{false}},
		{"final, not changed", "final", []finding.Finding{b05}, []string{"09N"}, "", []bool{false}},
		{"draft carries its own", "draft", []finding.Finding{b05}, []string{"RTK"}, "", []bool{true}},
		{"draft, not a final's", "draft", []finding.Finding{a01}, []string{"RTK"}, "", []bool{false}},
		{"draft, not the register's", "draft", []finding.Finding{register}, []string{"RTK"}, "", []bool{false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := s.Load(rtkAs(t, tc.status), plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := gate.Unsubmittable(set, tc.findings, tc.orgs)
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("raised %+v", got)
			case tc.want != "" && (len(got) != 1 || got[0].Rule != "G03" || got[0].Severity != finding.Error || got[0].Line != 16 || !strings.Contains(got[0].Message, tc.want)):
				t.Errorf("raised %+v, want one G03 on line 16 saying %q", got, tc.want)
			}
			carried := gate.CarriedByDrafts(set)
			for i, f := range tc.findings {
				if carried(f) != tc.carried[i] {
					t.Errorf("%s carried = %v, want %v", f.Rule, !tc.carried[i], tc.carried[i])
				}
			}
		})
	}
}
