package finding

import "testing"

func TestBlocking(t *testing.T) {
	tests := []struct {
		sev    Severity
		status Status
		want   bool
	}{
		{Error, Open, true},
		{Warning, Open, true},
		{Info, Open, false},
		{Error, Waived, false},
		{Warning, Explained, false},
		{Warning, Waived, false},
	}
	for _, tc := range tests {
		if got := (Finding{Severity: tc.sev, Status: tc.status}).Blocking(); got != tc.want {
			t.Errorf("%s/%q: Blocking() = %v, want %v", tc.sev, tc.status, got, tc.want)
		}
	}
}

func TestFingerprintIgnoresLinesAndWording(t *testing.T) {
	a := Finding{Rule: "A01", Orgs: []string{"RA2", "09N"}, Message: "5.8% apart", Location: Location{File: "plans/x.cue", Path: "activity.x", Line: 26}}
	b := a
	b.Line, b.Column, b.Message = 30, 4, "6.1% apart"
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("a finding that moved lines or changed its numbers got a new fingerprint")
	}
	for _, change := range []func(*Finding){
		func(f *Finding) { f.Rule = "A03" },
		func(f *Finding) { f.Orgs = []string{"RA2", "09Y"} },
		func(f *Finding) { f.Path = "activity.y" },
		func(f *Finding) { f.Month = 3 },
		func(f *Finding) { f.File = "plans/y.cue" },
	} {
		c := a
		change(&c)
		if c.Fingerprint() == a.Fingerprint() {
			t.Errorf("different findings share a fingerprint: %+v", c)
		}
	}
}

func TestLocationString(t *testing.T) {
	tests := []struct {
		loc  Location
		want string
	}{
		{Location{}, ""},
		{Location{File: "a.cue"}, "a.cue"},
		{Location{File: "a.cue", Line: 3}, "a.cue:3"},
		{Location{File: "a.cue", Line: 3, Column: 7}, "a.cue:3:7"},
	}
	for _, tc := range tests {
		if got := tc.loc.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.loc, got, tc.want)
		}
	}
}

func TestCountAndSort(t *testing.T) {
	fs := []Finding{
		{Rule: "B01", Severity: Warning, Status: Explained, Location: Location{File: "b", Line: 2}},
		{Rule: "A01", Severity: Error, Location: Location{File: "b", Line: 1}},
		{Rule: "B08", Severity: Info, Location: Location{File: "a", Line: 9}},
		{Rule: "C01", Severity: Error, Status: Waived, Location: Location{File: "a", Line: 9}},
	}
	c := Count(fs)
	if c != (Counts{Errors: 2, Warnings: 1, Infos: 1, Explained: 1, Waived: 1, Blocking: 1}) {
		t.Errorf("Count = %+v", c)
	}
	Sort(fs)
	var order string
	for _, f := range fs {
		order += f.Rule + " "
	}
	if order != "B08 C01 A01 B01 " {
		t.Errorf("sorted %s", order)
	}
}
