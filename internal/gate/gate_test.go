package gate_test

import (
	"encoding/json"
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
			[]string{"W01 error waiver of A01 for RA2 expired on 2019-01-31"}},
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
				if fs[i].Severity != gate.Rules[0].Severity {
					t.Errorf("finding %d has severity %s, the catalogue says %s", i, fs[i].Severity, gate.Rules[0].Severity)
				}
				if fs[i].File == "" || fs[i].Line == 0 {
					t.Errorf("finding %d has no file:line: %+v", i, fs[i].Location)
				}
			}
		})
	}
}

const (
	rtk = "plans/2019-20/providers/rtk.cue"
	ra2 = "plans/2019-20/providers/ra2.cue"
	y09 = "plans/2019-20/commissioners/09y.cue"
	reg = "policy/register/2019-20.cue"
)

// entry is one explanation as a plan file's data holds it: numbers are
// json.Number and acknowledge is absent unless written.
type entry map[string]any

// plans builds a set of 2019/20 plans with the given explanations, as the
// loader would hand it over.
func plans(explanations map[string][]entry) *plan.Set {
	files := map[string]string{"RTK": rtk, "RA2": ra2, "09Y": y09}
	set := &plan.Set{}
	for _, org := range []string{"RTK", "RA2", "09Y"} {
		list := []any{}
		for _, e := range explanations[org] {
			list = append(list, map[string]any(e))
		}
		set.Documents = append(set.Documents, &plan.Document{File: files[org], Kind: "provider", Org: org,
			Year: "2019/20", Valid: true, Data: map[string]any{"explanations": list}})
	}
	return set
}

func TestApply(t *testing.T) {
	inDate := []gate.Waiver{{Rule: "B05", Org: "RTK", Reason: "agency premium for the stroke unit",
		Approver: "NHS Improvement South East", Expires: time.Date(2019, 6, 30, 0, 0, 0, 0, time.UTC)}}
	at := func(file string) finding.Location { return finding.Location{File: file} }
	b01 := finding.Finding{Rule: "B01", Severity: finding.Warning, Category: "believability", Orgs: []string{"RTK"}, Month: 10, Location: at(rtk)}
	a01 := finding.Finding{Rule: "A01", Severity: finding.Warning, Category: "alignment", Orgs: []string{"RA2", "09Y"},
		Location: at(ra2), Related: []finding.Location{at(y09)}}
	n01 := finding.Finding{Rule: "N01", Severity: finding.Warning, Category: "national", Scope: finding.ScopeNational,
		Orgs: []string{"RTK", "RA2", "09Y"}, Location: at(reg)}
	with := func(f finding.Finding, change func(*finding.Finding)) finding.Finding {
		change(&f)
		return f
	}
	month := func(m string) json.Number { return json.Number(m) }
	explains := func(rule, cp, text string) entry {
		e := entry{"rule": rule, "text": text}
		if cp != "" {
			e["counterparty"] = cp
		}
		return e
	}
	ack := func(rule, cp string) entry { return entry{"rule": rule, "counterparty": cp, "acknowledge": true} }

	tests := []struct {
		name   string
		plans  map[string][]entry
		f      finding.Finding
		status finding.Status
		reason string
	}{
		{"one organisation explains its warning for the month",
			map[string][]entry{"RTK": {{"rule": "B01", "month": month("10"), "text": "winter ward"}}}, b01,
			finding.Explained, "explained by RTK: winter ward"},
		{"an explanation for another month",
			map[string][]entry{"RTK": {{"rule": "B01", "month": month("11"), "text": "winter ward"}}}, b01,
			finding.Open, ""},
		{"an explanation of another rule",
			map[string][]entry{"RTK": {explains("B02", "", "winter ward")}}, b01,
			finding.Open, ""},
		{"errors are never explained",
			map[string][]entry{"RTK": {explains("B01", "", "winter ward")}}, with(b01, func(f *finding.Finding) { f.Severity = finding.Error }),
			finding.Open, ""},
		{"an acknowledgement does not explain a one-sided warning",
			map[string][]entry{"RTK": {ack("B01", "RA2")}}, b01,
			finding.Open, ""},
		{"a waiver in date",
			nil, with(b01, func(f *finding.Finding) { f.Rule = "B05" }),
			finding.Waived, "waived by NHS Improvement South East until 2019-06-30: agency premium for the stroke unit"},
		{"a waiver for another organisation",
			nil, with(b01, func(f *finding.Finding) { f.Rule, f.Orgs = "B05", []string{"RA2"} }),
			finding.Open, ""},
		{"a waived error",
			nil, with(b01, func(f *finding.Finding) { f.Rule, f.Severity = "B05", finding.Error }),
			finding.Waived, "waived by NHS Improvement South East until 2019-06-30: agency premium for the stroke unit"},

		{"misalignment explained by one side only",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}}, a01,
			finding.Open, "explained by RA2; awaiting 09Y: virtual clinics"},
		{"misalignment explained by the commissioner only",
			map[string][]entry{"09Y": {explains("A01", "", "virtual clinics")}}, a01,
			finding.Open, "explained by 09Y; awaiting RA2: virtual clinics"},
		{"misalignment explained by both",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}, "09Y": {explains("A01", "RA2", "counted from April")}}, a01,
			finding.Explained, "explained by RA2: virtual clinics; 09Y: counted from April"},
		{"misalignment explained by one and acknowledged by the other",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}, "09Y": {ack("A01", "RA2")}}, a01,
			finding.Explained, "explained by RA2: virtual clinics; acknowledged by 09Y"},
		{"an explanation wins over an acknowledgement in the same plan",
			map[string][]entry{"RA2": {ack("A01", "09Y"), explains("A01", "09Y", "virtual clinics")}, "09Y": {ack("A01", "RA2")}}, a01,
			finding.Explained, "explained by RA2: virtual clinics; acknowledged by 09Y"},
		{"an acknowledgement with a note",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}, "09Y": {{"rule": "A01", "counterparty": "RA2", "acknowledge": true, "text": "agreed in February"}}}, a01,
			finding.Explained, "explained by RA2: virtual clinics; acknowledged by 09Y: agreed in February"},
		{"acknowledgements with notes do not explain without an explanation",
			map[string][]entry{"RA2": {{"rule": "A01", "counterparty": "09Y", "acknowledge": true, "text": "fine"}}, "09Y": {{"rule": "A01", "counterparty": "RA2", "acknowledge": true, "text": "agreed"}}}, a01,
			finding.Open, "acknowledged by RA2, 09Y; awaiting an explanation (an acknowledgement alone does not explain it)"},
		{"a one-sided warning is explained by any entry with text",
			map[string][]entry{"RTK": {{"rule": "B01", "counterparty": "RTK", "acknowledge": true, "text": "winter ward"}}}, b01,
			finding.Explained, "explained by RTK: winter ward"},
		{"acknowledged by one side, nothing from the other",
			map[string][]entry{"09Y": {ack("A01", "RA2")}}, a01,
			finding.Open, "acknowledged by 09Y; awaiting RA2"},
		{"acknowledged by both, explained by neither",
			map[string][]entry{"RA2": {ack("A01", "09Y")}, "09Y": {ack("A01", "RA2")}}, a01,
			finding.Open, "acknowledged by RA2, 09Y; awaiting an explanation (an acknowledgement alone does not explain it)"},
		{"the other side acknowledges a different counterparty",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}, "09Y": {ack("A01", "RTK")}}, a01,
			finding.Open, "explained by RA2; awaiting 09Y: virtual clinics"},
		{"an acknowledgement must name the counterparty",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}, "09Y": {{"rule": "A01", "acknowledge": true}}}, a01,
			finding.Open, "explained by RA2; awaiting 09Y: virtual clinics"},
		{"a side cannot name itself as the counterparty",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}, "09Y": {explains("A01", "09Y", "ours")}}, a01,
			finding.Open, "explained by RA2; awaiting 09Y: virtual clinics"},
		{"one side's entry is for another month",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}, "09Y": {{"rule": "A01", "counterparty": "RA2", "acknowledge": true, "month": month("4")}}},
			with(a01, func(f *finding.Finding) { f.Month = 5 }),
			finding.Open, "explained by RA2; awaiting 09Y: virtual clinics"},
		{"an error between two organisations is never explained",
			map[string][]entry{"RA2": {explains("A01", "09Y", "virtual clinics")}, "09Y": {ack("A01", "RA2")}}, with(a01, func(f *finding.Finding) { f.Severity = finding.Error }),
			finding.Open, ""},
		{"a warning of another category naming two organisations needs both too",
			map[string][]entry{"09Y": {explains("A01", "", "virtual clinics")}}, with(a01, func(f *finding.Finding) { f.Category = "read_across" }),
			finding.Open, "explained by 09Y; awaiting RA2: virtual clinics"},

		{"national roll-up awaiting one organisation",
			map[string][]entry{"RTK": {explains("N01", "", "sector surplus")}, "RA2": {ack("N01", "RTK")}}, n01,
			finding.Open, "explained by RTK; acknowledged by RA2; awaiting 09Y: sector surplus"},
		{"national roll-up every organisation agrees",
			map[string][]entry{"RTK": {explains("N01", "", "sector surplus")}, "RA2": {ack("N01", "RTK")}, "09Y": {explains("N01", "", "growth funded")}}, n01,
			finding.Explained, "explained by RTK: sector surplus; 09Y: growth funded; acknowledged by RA2"},
		{"system roll-up without a file takes the set's only year",
			map[string][]entry{"RTK": {explains("C03", "", "a")}, "RA2": {explains("C03", "", "b")}},
			finding.Finding{Rule: "C03", Severity: finding.Warning, Category: "control_total", Scope: finding.ScopeSystem, Orgs: []string{"RTK", "RA2"}},
			finding.Explained, "explained by RTK: a; RA2: b"},
		{"a finding of another year is not explained by this year's plans",
			map[string][]entry{"RTK": {{"rule": "B01", "month": month("10"), "text": "winter ward"}}},
			with(b01, func(f *finding.Finding) { f.File = "plans/2020-21/providers/rtk.cue" }),
			finding.Open, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []finding.Finding{tc.f}
			got := gate.Apply(in, plans(tc.plans), inDate)[0]
			if got.Status != tc.status || got.Reason != tc.reason {
				t.Errorf("status %q reason %q\nwant   %q reason %q", got.Status, got.Reason, tc.status, tc.reason)
			}
			if got.Blocking() != (tc.status == finding.Open && tc.f.Severity != finding.Info) {
				t.Errorf("blocking = %v", got.Blocking())
			}
			if in[0].Status != finding.Open || in[0].Reason != "" {
				t.Error("Apply changed its input")
			}
		})
	}
}

func TestNeedsAgreement(t *testing.T) {
	tests := []struct {
		f    finding.Finding
		want bool
	}{
		{finding.Finding{Category: "alignment", Orgs: []string{"RA2", "09Y"}}, true},
		{finding.Finding{Category: "alignment", Orgs: []string{"RA2"}}, false},
		{finding.Finding{Category: "alignment", Orgs: []string{"RA2", "RA2"}}, false},
		{finding.Finding{Category: "read_across", Orgs: []string{"RA2", "09Y"}}, true},
		{finding.Finding{Category: "believability", Orgs: []string{"RA2"}}, false},
		{finding.Finding{Category: "national", Scope: finding.ScopeNational, Orgs: []string{"RA2", "09Y"}}, true},
		{finding.Finding{Category: "control_total", Scope: finding.ScopeSystem, Orgs: []string{"QXU", "RTK"}}, true},
		{finding.Finding{Category: "control_total", Scope: finding.ScopeSystem, Location: finding.Location{Org: "QXU"}}, false},
	}
	for _, tc := range tests {
		if got := gate.NeedsAgreement(tc.f); got != tc.want {
			t.Errorf("NeedsAgreement(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}
