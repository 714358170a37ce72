package gate_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gate"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

var today = time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)

func schema(t *testing.T) *plan.Schema {
	t.Helper()
	s, err := plan.LoadSchema(os.DirFS(testutil.Root(t)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const waivers = `kind: "waivers"
waivers: [{
	rule:     "B05"
	org:      "RTK"
	reason:   "Agency premium for the new stroke unit, agreed at the regional finance review"
	approver: "NHS Improvement South East"
	expires:  "2019-06-30"
}, {
	rule:     "A01"
	org:      "RA2"
	counterparty: "09N"
	reason:   "Contract under arbitration"
	approver: "NHS England"
	expires:  "2019-01-31"
}]
`

func TestLoadWaivers(t *testing.T) {
	s := schema(t)
	tests := []struct {
		name     string
		files    fstest.MapFS
		waivers  int
		findings []string // rule + severity + message substring
	}{
		{"none", fstest.MapFS{}, 0, nil},
		{"one valid one expired", fstest.MapFS{"policy/waivers/2019-20.cue": {Data: []byte(waivers)}}, 1,
			[]string{"W01 warning waiver of A01 for RA2 expired on 2019-01-31"}},
		{"malformed", fstest.MapFS{"policy/waivers/bad.cue": {Data: []byte("kind: \"waivers\"\nwaivers: [{rule: \"B05\", org: \"RTK\"}]\n")}}, 0,
			[]string{"W01 error malformed waiver file", "W01 error malformed waiver file", "W01 error malformed waiver file"}},
		{"not cue data", fstest.MapFS{"policy/waivers/bad.cue": {Data: []byte("import \"time\"\n")}}, 0,
			[]string{"W01 error malformed waiver file: imports are not allowed"}},
		{"wrong kind", fstest.MapFS{"policy/waivers/bad.cue": {Data: []byte("kind: \"organisations\"\norganisations: {}\n")}}, 0,
			[]string{"W01 error files in policy/waivers/ must have kind \"waivers\""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws, fs := gate.LoadWaivers(tc.files, s, today)
			if len(ws) != tc.waivers {
				t.Errorf("%d waivers in date, want %d", len(ws), tc.waivers)
			}
			if len(fs) != len(tc.findings) {
				t.Fatalf("%d findings, want %d: %+v", len(fs), len(tc.findings), fs)
			}
			for i, want := range tc.findings {
				got := fs[i].Rule + " " + string(fs[i].Severity) + " " + fs[i].Message
				if !strings.HasPrefix(got, want[:4]) || !strings.Contains(got, want[4:]) {
					t.Errorf("finding %d = %q, want %q", i, got, want)
				}
				if fs[i].File == "" || fs[i].Line == 0 {
					t.Errorf("finding %d has no file:line: %+v", i, fs[i].Location)
				}
			}
		})
	}
}

func TestApply(t *testing.T) {
	s := schema(t)
	set, err := s.Load(os.DirFS(testutil.Root(t)), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := gate.LoadWaivers(fstest.MapFS{"policy/waivers/w.cue": {Data: []byte(waivers)}}, s, today)
	rtk := "plans/2019-20/providers/rtk.cue"
	in := []finding.Finding{
		{Rule: "B01", Severity: finding.Warning, Orgs: []string{"RTK"}, Month: 10, Location: finding.Location{File: rtk}},
		{Rule: "B01", Severity: finding.Warning, Orgs: []string{"RTK"}, Month: 11, Location: finding.Location{File: rtk}},
		{Rule: "B01", Severity: finding.Error, Orgs: []string{"RTK"}, Month: 10, Location: finding.Location{File: rtk}},
		{Rule: "B05", Severity: finding.Warning, Orgs: []string{"RTK"}, Location: finding.Location{File: rtk}},
		{Rule: "B05", Severity: finding.Warning, Orgs: []string{"RTP"}, Location: finding.Location{File: rtk}},
		{Rule: "A01", Severity: finding.Warning, Orgs: []string{"RA2", "09Y"}, Location: finding.Location{File: "plans/2019-20/providers/ra2.cue"}},
		{Rule: "A01", Severity: finding.Warning, Orgs: []string{"RA2", "09N"}, Location: finding.Location{File: "plans/2019-20/providers/ra2.cue"}},
	}
	want := []finding.Status{
		finding.Explained, // RTK explains B01 for month 10
		finding.Open,      // not month 11
		finding.Open,      // errors cannot be explained away
		finding.Waived,    // in-date waiver
		finding.Open,      // waiver is for RTK only
		finding.Explained, // RA2 explains A01 with counterparty 09Y
		finding.Open,      // not 09N; its waiver has expired
	}
	got := gate.Apply(in, set, ws)
	for i := range want {
		if got[i].Status != want[i] {
			t.Errorf("finding %d (%s %s %v month %d): status %q, want %q", i, got[i].Rule, got[i].Severity, got[i].Orgs, got[i].Month, got[i].Status, want[i])
		}
		if got[i].Status != finding.Open && got[i].Reason == "" {
			t.Errorf("finding %d: no reason", i)
		}
		if got[i].Blocking() != (want[i] == finding.Open) {
			t.Errorf("finding %d: blocking = %v", i, got[i].Blocking())
		}
	}
	if in[0].Status != finding.Open {
		t.Error("Apply changed its input")
	}
}
