package cli

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestSARIFFromBundledPlans: `check --format sarif` on the bundled plans with
// one seeded misalignment is valid SARIF 2.1.0 (the official schema, vendored
// in internal/report/testdata) and places the seeded problem on its line.
func TestSARIFFromBundledPlans(t *testing.T) {
	schema := testutil.SARIFSchema(t)

	dir := repoDir(t, []edit{{"plans/2019-20/commissioners/09n.cue",
		`gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 49148, months: [6669,`}})
	out, errOut, code := run(t, "check", dir, "--format", "sarif")
	if code != ExitBlocking {
		t.Fatalf("exit %d, want %d: %s", code, ExitBlocking, errOut)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(out)))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v", err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 || len(log.Runs[0].Tool.Driver.Rules) < 29 {
		t.Fatalf("want one run carrying the whole catalogue, got %+v", log.Runs)
	}
	found := false
	for _, r := range log.Runs[0].Results {
		loc := r.Locations[0].PhysicalLocation
		if r.RuleID == "A01" && r.Level == "error" && loc.ArtifactLocation.URI == "plans/2019-20/providers/ra2.cue" && loc.Region.StartLine == 26 {
			found = true
		}
	}
	if !found {
		t.Errorf("seeded A01 error at ra2.cue:26 missing from results:\n%s", out)
	}
}
