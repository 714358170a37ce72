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
		func(f *Finding) { f.Scope = ScopeSystem },
		func(f *Finding) { f.Scope = ScopeNational },
	} {
		c := a
		change(&c)
		if c.Fingerprint() == a.Fingerprint() {
			t.Errorf("different findings share a fingerprint: %+v", c)
		}
	}
}

// TestFingerprintStableWithoutScope pins the recipe for findings without a
// scope: comments and code-scanning alerts posted before scopes existed
// carry these fingerprints, and a re-run must still recognise them.
func TestFingerprintStableWithoutScope(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{Rule: "A01", Orgs: []string{"RA2", "09N"}, Month: 3, Location: Location{File: "plans/x.cue", Path: "activity.x"}},
			"639c181aaa897bb3"},
		{Finding{Rule: "S01", Message: "no organisation reference list"},
			"cb0be3aac3609857"},
		{Finding{Rule: "N01", Scope: ScopeNational, Orgs: []string{"RTK"}},
			"f88ac70aa7fcb401"},
	}
	for _, tc := range tests {
		if got := tc.f.Fingerprint(); got != tc.want {
			t.Errorf("%+v: Fingerprint() = %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestScopeLabel(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{Orgs: []string{"RTK"}}, ""},
		{Finding{Scope: ScopeNational, Orgs: []string{"RTK", "RA2"}}, "national"},
		{Finding{Scope: ScopeSystem, Location: Location{Org: "QXU"}, Orgs: []string{"QXU", "RTK"}}, "system QXU"},
		{Finding{Scope: ScopeSystem, Orgs: []string{"QXU", "RTK"}}, "system QXU"},
		{Finding{Scope: ScopeSystem}, "system"},
	}
	for _, tc := range tests {
		if got := tc.f.ScopeLabel(); got != tc.want {
			t.Errorf("%+v: ScopeLabel() = %q, want %q", tc.f, got, tc.want)
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

func TestStatusNote(t *testing.T) {
	tests := []struct {
		status Status
		reason string
		want   string
	}{
		{Open, "", ""},
		{Open, "explained by RTK; awaiting 09Y: x", "explained by RTK; awaiting 09Y: x"},
		{Explained, "", "explained"},
		{Explained, "winter beds", "explained: winter beds"},
		{Explained, "explained by RTK: winter beds", "explained by RTK: winter beds"},
		{Explained, "explainedly odd", "explained: explainedly odd"},
		{Waived, "waived by NHS England until 2019-06-30: agreed", "waived by NHS England until 2019-06-30: agreed"},
		{Waived, "agreed", "waived: agreed"},
	}
	for _, tt := range tests {
		f := Finding{Status: tt.status, Reason: tt.reason}
		if got := f.StatusNote(); got != tt.want {
			t.Errorf("statusNote(%q, %q) = %q, want %q", tt.status, tt.reason, got, tt.want)
		}
	}
}
