package report

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

func TestSARIFGolden(t *testing.T) { testGolden(t, "sarif", "sarif") }

func compileSARIFSchema(t *testing.T) *jsonschema.Schema { return testutil.SARIFSchema(t) }

func decodeInstance(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSARIFValidatesAgainstSchema checks every fixture's output against the
// official SARIF 2.1.0 schema.
func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := sch.Validate(decodeInstance(t, render(t, "sarif", c.r))); err != nil {
				t.Errorf("output is not valid SARIF 2.1.0: %v", err)
			}
		})
	}
}

// TestSARIFSchemaRejectsBrokenLogs proves the validation above can fail:
// each mutation of a valid log breaks a rule of the schema.
func TestSARIFSchemaRejectsBrokenLogs(t *testing.T) {
	sch := compileSARIFSchema(t)
	result := func(doc map[string]any) map[string]any {
		return doc["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name   string
		mutate func(doc map[string]any)
	}{
		{"unknown version", func(doc map[string]any) { doc["version"] = "2.2.0" }},
		{"no runs", func(doc map[string]any) { delete(doc, "runs") }},
		{"unknown level", func(doc map[string]any) { result(doc)["level"] = "fatal" }},
		{"no message", func(doc map[string]any) { delete(result(doc), "message") }},
		{"line 0", func(doc map[string]any) {
			loc := result(doc)["locations"].([]any)[0].(map[string]any)
			loc["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"] = 0
		}},
		{"unknown suppression kind", func(doc map[string]any) {
			result(doc)["suppressions"] = []any{map[string]any{"kind": "somewhere"}}
		}},
		{"unknown property", func(doc map[string]any) { result(doc)["severity"] = "error" }},
	}
	valid := render(t, "sarif", mixed)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(valid, &doc); err != nil {
				t.Fatal(err)
			}
			tt.mutate(doc)
			broken, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(decodeInstance(t, broken)); err == nil {
				t.Error("schema accepted a broken log")
			}
		})
	}
}

// sarifLog is the part of a log the checks below read.
type sarifLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID                   string                 `json:"id"`
					Name                 string                 `json:"name"`
					ShortDescription     struct{ Text string }  `json:"shortDescription"`
					FullDescription      struct{ Text string }  `json:"fullDescription"`
					Help                 *struct{ Text string } `json:"help"`
					DefaultConfiguration struct{ Level string } `json:"defaultConfiguration"`
					Properties           map[string]any         `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string                `json:"ruleId"`
			RuleIndex           int                   `json:"ruleIndex"`
			Level               string                `json:"level"`
			Message             struct{ Text string } `json:"message"`
			Locations           []sarifLocationJSON   `json:"locations"`
			RelatedLocations    []sarifLocationJSON   `json:"relatedLocations"`
			PartialFingerprints map[string]string     `json:"partialFingerprints"`
			Suppressions        []struct {
				Kind          string `json:"kind"`
				Justification string `json:"justification"`
			} `json:"suppressions"`
		} `json:"results"`
	} `json:"runs"`
}

type sarifLocationJSON struct {
	ID               int `json:"id"`
	PhysicalLocation *struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *struct {
			StartLine   int `json:"startLine"`
			StartColumn int `json:"startColumn"`
		} `json:"region"`
	} `json:"physicalLocation"`
	Message *struct{ Text string } `json:"message"`
}

func decodeSARIF(t *testing.T, r Result) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(render(t, "sarif", r), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	return log
}

// TestSARIFCodeScanningConstraints checks what GitHub code scanning needs
// beyond the schema: relative URIs, lines from 1, rule indexes that resolve.
func TestSARIFCodeScanningConstraints(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := decodeSARIF(t, c.r).Runs[0]
			if run.Tool.Driver.Name != "triangulate" || run.Tool.Driver.InformationURI == "" {
				t.Errorf("driver = %q %q", run.Tool.Driver.Name, run.Tool.Driver.InformationURI)
			}
			if len(run.Results) != len(c.r.Findings) {
				t.Fatalf("%d results for %d findings", len(run.Results), len(c.r.Findings))
			}
			for i, res := range run.Results {
				f := c.r.Findings[i]
				if res.RuleIndex < 0 || res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
					t.Errorf("result %d: ruleIndex %d does not point at rule %s", i, res.RuleIndex, res.RuleID)
				}
				if got := res.PartialFingerprints[fingerprintKey]; got != f.Fingerprint() {
					t.Errorf("result %d: fingerprint %q, want %q", i, got, f.Fingerprint())
				}
				if res.Message.Text != f.Message {
					t.Errorf("result %d: message %q, want %q", i, res.Message.Text, f.Message)
				}
				if f.File == "" && len(res.Locations) != 0 {
					t.Errorf("result %d: a finding without a file has a location", i)
				}
				if f.File != "" && len(res.Locations) != 1 {
					t.Errorf("result %d: %d locations, want 1", i, len(res.Locations))
				}
				for _, loc := range append(res.Locations, res.RelatedLocations...) {
					pl := loc.PhysicalLocation
					if pl == nil {
						t.Errorf("result %d: location without a physical location", i)
						continue
					}
					u, err := url.Parse(pl.ArtifactLocation.URI)
					if err != nil || u.IsAbs() || strings.HasPrefix(u.Path, "/") || u.Path == "" {
						t.Errorf("result %d: uri %q is not a relative reference", i, pl.ArtifactLocation.URI)
					}
					if pl.Region == nil || pl.Region.StartLine < 1 {
						t.Errorf("result %d: region %+v has no start line >= 1", i, pl.Region)
					}
				}
			}
		})
	}
}

func TestSARIFResults(t *testing.T) {
	run := decodeSARIF(t, mixed).Runs[0]
	type want struct {
		level, suppression, justification string
		uri                               string
		line, col                         int
		related                           int
	}
	wants := []want{
		{level: "error", uri: "plans/2019-20/RTE.cue", line: 120, col: 5, related: 1},
		{level: "warning", uri: "plans/2019-20/RTE.cue", line: 1},
		{level: "warning", suppression: "inSource", justification: "40 winter escalation beds open December to February",
			uri: "plans/2019-20/RTE.cue", line: 210},
		{level: "error", suppression: "external", justification: "deficit plan agreed with the regulator on 12 April 2019",
			uri: "plans/2019-20/RXX.cue", line: 300, col: 2},
		{level: "note"},
	}
	for i, w := range wants {
		res := run.Results[i]
		if res.Level != w.level {
			t.Errorf("result %d: level %q, want %q", i, res.Level, w.level)
		}
		var kind, just string
		if len(res.Suppressions) > 1 {
			t.Errorf("result %d: %d suppressions", i, len(res.Suppressions))
		}
		if len(res.Suppressions) == 1 {
			kind, just = res.Suppressions[0].Kind, res.Suppressions[0].Justification
		}
		if kind != w.suppression || just != w.justification {
			t.Errorf("result %d: suppression %q %q, want %q %q", i, kind, just, w.suppression, w.justification)
		}
		if len(res.RelatedLocations) != w.related {
			t.Errorf("result %d: %d related locations, want %d", i, len(res.RelatedLocations), w.related)
		}
		if w.uri == "" {
			continue
		}
		pl := res.Locations[0].PhysicalLocation
		if pl.ArtifactLocation.URI != w.uri || pl.Region.StartLine != w.line || pl.Region.StartColumn != w.col {
			t.Errorf("result %d: at %s:%d:%d, want %s:%d:%d", i, pl.ArtifactLocation.URI, pl.Region.StartLine,
				pl.Region.StartColumn, w.uri, w.line, w.col)
		}
	}
	rel := run.Results[0].RelatedLocations[0]
	if rel.ID != 1 || rel.Message == nil || rel.Message.Text != "activity.RTE.non_elective.total (15M)" ||
		rel.PhysicalLocation.ArtifactLocation.URI != "plans/2019-20/15M.cue" || rel.PhysicalLocation.Region.StartLine != 40 {
		t.Errorf("related location = %+v", rel)
	}
}

func TestSARIFRules(t *testing.T) {
	run := decodeSARIF(t, hostile).Runs[0]
	got := run.Tool.Driver.Rules
	if len(got) != len(rules)+1 {
		t.Fatalf("%d rules, want the %d of the catalogue and Z99", len(got), len(rules))
	}
	a01 := got[0]
	if a01.ID != "A01" || a01.Name != "ActivityAgreesBetweenCommissionerAndProvider" ||
		a01.ShortDescription.Text != rules[0].Title || a01.FullDescription.Text != rules[0].Description ||
		a01.DefaultConfiguration.Level != "error" || a01.Properties["category"] != "alignment" {
		t.Errorf("A01 descriptor = %+v", a01)
	}
	if a01.Help == nil || !strings.Contains(a01.Help.Text, rules[0].Rationale) {
		t.Errorf("A01 help = %+v, want the rationale", a01.Help)
	}
	levels := map[string]string{"A04": "warning", "B08": "note", "C01": "error"}
	for _, r := range got {
		if want, ok := levels[r.ID]; ok && r.DefaultConfiguration.Level != want {
			t.Errorf("%s: level %q, want %q", r.ID, r.DefaultConfiguration.Level, want)
		}
	}
	z99 := got[len(got)-1]
	if z99.ID != "Z99" || z99.ShortDescription.Text != hostile.Findings[0].Title || z99.DefaultConfiguration.Level != "warning" {
		t.Errorf("rule declared from a finding = %+v", z99)
	}
}

func TestArtifactURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plans/2019-20/RTE.cue", "plans/2019-20/RTE.cue"},
		{"./plans/RTE.cue", "plans/RTE.cue"},
		{`plans\2019-20\RTE.cue`, "plans/2019-20/RTE.cue"},
		{"/plans/RTE.cue", "plans/RTE.cue"},
		{"plans/odd dir/a%b.cue", "plans/odd%20dir/a%25b.cue"},
		{"c:x.cue", "./c:x.cue"},
	}
	for _, tt := range tests {
		if got := artifactURI(tt.in); got != tt.want {
			t.Errorf("artifactURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRuleName(t *testing.T) {
	tests := []struct {
		rule finding.Rule
		want string
	}{
		{finding.Rule{ID: "B01", Title: "Beds fit the planned activity"}, "BedsFitThePlannedActivity"},
		{finding.Rule{ID: "C02", Title: "no STF/PSF without a control total"}, "NoSTFPSFWithoutAControlTotal"},
		{finding.Rule{ID: "S01"}, "S01"},
		{finding.Rule{ID: "S02", Title: "--"}, "S02"},
	}
	for _, tt := range tests {
		if got := ruleName(tt.rule); got != tt.want {
			t.Errorf("ruleName(%q) = %q, want %q", tt.rule.Title, got, tt.want)
		}
	}
}
