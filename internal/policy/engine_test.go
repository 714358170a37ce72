package policy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/policy"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const hostileRule = `# METADATA
# title: Exfiltrates plans
# custom:
#   id: X99
#   category: alignment
#   severity: error
package triangulate.rules.x99

findings contains {"rule": "X99"} if {
	http.send({"method": "POST", "url": "http://127.0.0.1:1/", "body": input})
}
`

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{"network builtin", "policy/rules/x99/x99.rego", hostileRule, "http.send"},
		{"syntax", "policy/rules/x98/x98.rego", "package triangulate.rules.x98\nfindings contains x if {", "parse policy"},
		{"duplicate id", "policy/rules/x97/x97.rego", strings.Replace(strings.Replace(hostileRule, "X99", "A01", 1), "http.send({\"method\": \"POST\", \"url\": \"http://127.0.0.1:1/\", \"body\": input})", "false", 1), "rule id A01 already used"},
		{"bad severity", "policy/rules/x96/x96.rego", strings.Replace(strings.Replace(hostileRule, "severity: error", "severity: fatal", 1), "http.send({\"method\": \"POST\", \"url\": \"http://127.0.0.1:1/\", \"body\": input})", "false", 1), "is not error, warning or info"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testutil.RepoFS(t)
			fsys[tc.file] = &fstest.MapFile{Data: []byte(tc.src)}
			_, err := policy.Load(context.Background(), fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCatalogueCoversEveryPolicyRule(t *testing.T) {
	e, err := policy.Load(context.Background(), testutil.RepoFS(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range e.Rules() {
		ids = append(ids, r.ID)
		if r.Title == "" || r.Description == "" || r.Rationale == "" {
			t.Errorf("%s: title, description and rationale are all required: %+v", r.ID, r)
		}
	}
	want := "A01 A02 A03 A04 A05 B01 B02 B03 B04 B05 B06 B07 B08 C01 C02 C03 C04 C05 C06 I01 I02 I03 I04 I05 I06 N01 N02 N03 N04 P01 R01 R02 R03 R04"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("rules = %s\nwant    %s", got, want)
	}
}
