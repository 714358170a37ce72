package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

func TestJSONGolden(t *testing.T) { testGolden(t, "json", "json") }

// TestJSONRoundTrip checks that a reader gets back exactly what was found.
func TestJSONRoundTrip(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got jsonReport
			if err := json.Unmarshal(render(t, "json", c.r), &got); err != nil {
				t.Fatal(err)
			}
			want := jsonReport{
				Ref:         c.r.Ref,
				PlansRead:   c.r.PlansRead,
				Counts:      finding.Count(c.r.Findings),
				Submittable: c.r.Submittable(),
				Findings:    c.r.Findings,
			}
			if want.Findings == nil {
				want.Findings = []finding.Finding{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONKeys(t *testing.T) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(render(t, "json", Result{}), &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"ref", "plans_read", "counts", "submittable", "findings"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("key %q missing", key)
		}
	}
	if got := strings.TrimSpace(string(doc["findings"])); got != "[]" {
		t.Errorf("findings of an empty result = %s, want []", got)
	}
	if got := string(doc["submittable"]); got != "true" {
		t.Errorf("submittable of an empty result = %s, want true", got)
	}
}
