package github

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// apiSpec checks requests against GitHub's own REST description, cut down by
// internal/openapisubset to the operations the publisher calls.
type apiSpec struct {
	ops []*apiOp
}

type apiOp struct {
	id, method, template string
	re                   *regexp.Regexp
	literals             int // literal path segments, to prefer the most specific match
	pathNames            []string
	params               map[string]*apiParam // by "in:name"
	body                 *jsonschema.Schema
	bodyRequired         bool
}

type apiParam struct {
	name, in string
	required bool
	typ      string
	schema   *jsonschema.Schema
}

var (
	specOnce sync.Once
	specVal  *apiSpec
	specErr  error
)

// loadAPISpec reads testdata/openapi-subset.json once per test binary.
func loadAPISpec(t *testing.T) *apiSpec {
	t.Helper()
	specOnce.Do(func() {
		raw, err := os.ReadFile("testdata/openapi-subset.json")
		if err != nil {
			specErr = err
			return
		}
		specVal, specErr = parseAPISpec(raw)
	})
	if specErr != nil {
		t.Fatalf("load OpenAPI subset: %v", specErr)
	}
	return specVal
}

func parseAPISpec(raw []byte) (*apiSpec, error) {
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Parameters  []map[string]any `json:"parameters"`
			RequestBody *struct {
				Required bool `json:"required"`
				Content  map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode subset: %w", err)
	}
	c := jsonschema.NewCompiler()
	// OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4 (boolean
	// exclusiveMaximum and friends), once `nullable` is translated.
	c.DefaultDraft(jsonschema.Draft4)
	compile := func(name string, schema map[string]any) (*jsonschema.Schema, error) {
		loc := "mem:///" + name + ".json"
		if err := c.AddResource(loc, nullableToType(schema)); err != nil {
			return nil, err
		}
		return c.Compile(loc)
	}
	spec := &apiSpec{}
	for template, item := range doc.Paths {
		for method, o := range item {
			op := &apiOp{id: o.OperationID, method: strings.ToUpper(method), template: template, params: map[string]*apiParam{}}
			var pattern strings.Builder
			for _, seg := range strings.Split(strings.TrimPrefix(template, "/"), "/") {
				pattern.WriteString("/")
				if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
					op.pathNames = append(op.pathNames, strings.Trim(seg, "{}"))
					pattern.WriteString(`([^/]+)`)
					continue
				}
				op.literals++
				pattern.WriteString(regexp.QuoteMeta(seg))
			}
			op.re = regexp.MustCompile("^" + pattern.String() + "$")
			for _, p := range o.Parameters {
				schema, _ := p["schema"].(map[string]any)
				ap := &apiParam{name: fmt.Sprint(p["name"]), in: fmt.Sprint(p["in"]), required: p["required"] == true}
				ap.typ, _ = schema["type"].(string)
				s, err := compile(fmt.Sprintf("%s/param/%s/%s", op.id, ap.in, ap.name), schema)
				if err != nil {
					return nil, fmt.Errorf("compile %s parameter %s: %w", op.id, ap.name, err)
				}
				ap.schema = s
				op.params[ap.in+":"+ap.name] = ap
			}
			if rb := o.RequestBody; rb != nil {
				media, ok := rb.Content["application/json"]
				if !ok {
					return nil, fmt.Errorf("%s: request body is not application/json", op.id)
				}
				s, err := compile(op.id+"/body", media.Schema)
				if err != nil {
					return nil, fmt.Errorf("compile %s body: %w", op.id, err)
				}
				op.body, op.bodyRequired = s, rb.Required
			}
			spec.ops = append(spec.ops, op)
		}
	}
	return spec, nil
}

// nullableToType rewrites OpenAPI 3.0's `nullable: true` into the JSON
// Schema spelling, a "null" member of type (and of enum, if any).
func nullableToType(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, child := range v {
			out[k] = nullableToType(child)
		}
		if out["nullable"] == true {
			delete(out, "nullable")
			if t, ok := out["type"].(string); ok {
				out["type"] = []any{t, "null"}
			}
			if e, ok := out["enum"].([]any); ok && !slices.Contains(e, nil) {
				out["enum"] = append(slices.Clone(e), nil)
			}
		}
		delete(out, "nullable")
		return out
	case []any:
		out := make([]any, len(v))
		for i, child := range v {
			out[i] = nullableToType(child)
		}
		return out
	default:
		return v
	}
}

// check matches a request to an operation and validates its parameters and
// body. It returns the operation id.
func (s *apiSpec) check(method, path string, query url.Values, contentType string, body []byte) (string, error) {
	var op *apiOp
	var values []string
	for _, o := range s.ops {
		if o.method != method {
			continue
		}
		m := o.re.FindStringSubmatch(path)
		if m == nil || (op != nil && op.literals >= o.literals) {
			continue
		}
		op, values = o, m[1:]
	}
	if op == nil {
		return "", fmt.Errorf("%s %s matches no operation in GitHub's REST description", method, path)
	}
	var problems []string
	for i, name := range op.pathNames {
		p := op.params["path:"+name]
		if p == nil {
			problems = append(problems, "path parameter "+name+" is not described")
			continue
		}
		raw, _ := url.PathUnescape(values[i])
		if err := p.validate(raw); err != nil {
			problems = append(problems, err.Error())
		}
	}
	for name, vs := range query {
		p := op.params["query:"+name]
		if p == nil {
			problems = append(problems, "unknown query parameter "+name)
			continue
		}
		for _, v := range vs {
			if err := p.validate(v); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	for _, p := range op.params {
		if p.in == "query" && p.required && !query.Has(p.name) {
			problems = append(problems, "missing query parameter "+p.name)
		}
	}
	switch {
	case op.body == nil && len(bytes.TrimSpace(body)) > 0:
		problems = append(problems, "request body sent to an operation that takes none")
	case op.body != nil && len(bytes.TrimSpace(body)) == 0:
		if op.bodyRequired {
			problems = append(problems, "missing required request body")
		}
	case op.body != nil:
		if !strings.HasPrefix(contentType, "application/json") {
			problems = append(problems, "request body content type "+contentType+", want application/json")
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			problems = append(problems, "request body is not JSON: "+err.Error())
		} else if err := op.body.Validate(v); err != nil {
			problems = append(problems, "request body: "+err.Error())
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return op.id, fmt.Errorf("%s %s (%s): %s", method, path, op.id, strings.Join(problems, "; "))
	}
	return op.id, nil
}

// validate checks a path or query value, given as text, against its schema.
func (p *apiParam) validate(raw string) error {
	var v any = raw
	switch p.typ {
	case "integer", "number", "boolean":
		parsed, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
		if err != nil {
			return fmt.Errorf("%s parameter %s=%q is not a %s", p.in, p.name, raw, p.typ)
		}
		v = parsed
	}
	if err := p.schema.Validate(v); err != nil {
		return fmt.Errorf("%s parameter %s=%q: %v", p.in, p.name, raw, err)
	}
	return nil
}

// reviewCommentRules checks what GitHub documents for review comments but its
// description does not encode (the schema types side as any string and allows
// position and line together); GitHub answers these with 422.
func reviewCommentRules(body map[string]any) []string {
	var problems []string
	comments, _ := body["comments"].([]any)
	for i, c := range comments {
		c, _ := c.(map[string]any)
		_, hasPos := c["position"]
		_, hasLine := c["line"]
		_, hasStart := c["start_line"]
		if hasPos && (hasLine || hasStart || c["side"] != nil || c["start_side"] != nil) {
			problems = append(problems, fmt.Sprintf("comments[%d]: position cannot be combined with line, side or start_line", i))
		}
		if !hasPos && !hasLine {
			problems = append(problems, fmt.Sprintf("comments[%d]: needs line (or the deprecated position)", i))
		}
		for _, k := range []string{"side", "start_side"} {
			if v, ok := c[k]; ok && v != "LEFT" && v != "RIGHT" {
				problems = append(problems, fmt.Sprintf("comments[%d]: %s must be LEFT or RIGHT, got %v", i, k, v))
			}
		}
		if hasStart {
			start, _ := c["start_line"].(json.Number).Int64()
			line, _ := c["line"].(json.Number).Int64()
			if !hasLine || start >= line {
				problems = append(problems, fmt.Sprintf("comments[%d]: start_line must precede line", i))
			}
		} else if _, ok := c["start_side"]; ok {
			problems = append(problems, fmt.Sprintf("comments[%d]: start_side without start_line", i))
		}
	}
	return problems
}

func TestAPISpecAcceptsWhatThePublisherSends(t *testing.T) {
	spec := loadAPISpec(t)
	ids := map[string]bool{}
	for _, op := range spec.ops {
		ids[op.id] = true
	}
	for _, id := range []string{
		"pulls/list-review-comments", "pulls/delete-review-comment", "pulls/list-reviews", "pulls/create-review",
		"issues/list-comments", "issues/create-comment", "issues/update-comment", "repos/create-commit-status",
	} {
		if !ids[id] {
			t.Errorf("subset lacks operation %s", id)
		}
	}
	tests := []struct {
		method, path, query, body string
		want                      string
	}{
		{"GET", "/repos/o/r/pulls/7/comments", "sort=created&direction=asc&per_page=100&page=2", "", "pulls/list-review-comments"},
		{"DELETE", "/repos/o/r/pulls/comments/12", "", "", "pulls/delete-review-comment"},
		{"POST", "/repos/o/r/pulls/7/reviews", "", `{"commit_id":"abc","body":"b","event":"COMMENT","comments":[{"path":"a.cue","line":3,"side":"RIGHT","body":"x"}]}`, "pulls/create-review"},
		{"PATCH", "/repos/o/r/issues/comments/12", "", `{"body":"b"}`, "issues/update-comment"},
		{"POST", "/repos/o/r/statuses/abc123", "", `{"state":"failure","description":null,"context":"triangulate"}`, "repos/create-commit-status"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			id, err := spec.check(tt.method, tt.path, q, "application/json", []byte(tt.body))
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			if id != tt.want {
				t.Errorf("operation = %s, want %s", id, tt.want)
			}
		})
	}
}

// The validation must be able to fail, or the fake server's checks prove
// nothing: each request here breaks GitHub's description or documented rules.
func TestAPISpecRejects(t *testing.T) {
	spec := loadAPISpec(t)
	tests := []struct {
		name, method, path, query, body string
		want                            string
		rules                           bool // broken rule lies outside the description
	}{
		{name: "unknown path", method: "POST", path: "/repos/o/r/pulls/7/review", body: `{}`, want: "matches no operation"},
		{name: "wrong method", method: "PUT", path: "/repos/o/r/issues/comments/1", body: `{"body":"b"}`, want: "matches no operation"},
		{name: "non-numeric pull number", method: "GET", path: "/repos/o/r/pulls/seven/comments", want: `pull_number="seven" is not a integer`},
		{name: "bad query value", method: "GET", path: "/repos/o/r/issues/7/comments", query: "per_page=many", want: `query parameter per_page="many" is not a integer`},
		{name: "unknown query parameter", method: "GET", path: "/repos/o/r/issues/7/comments", query: "perpage=10", want: "unknown query parameter perpage"},
		{name: "bad sort enum", method: "GET", path: "/repos/o/r/pulls/7/comments", query: "sort=newest", want: `query parameter sort="newest"`},
		{name: "comment missing body", method: "POST", path: "/repos/o/r/issues/7/comments", body: `{"text":"b"}`, want: "missing property 'body'"},
		{name: "missing required body", method: "POST", path: "/repos/o/r/issues/7/comments", want: "missing required request body"},
		{name: "body on delete", method: "DELETE", path: "/repos/o/r/pulls/comments/1", body: `{"x":1}`, want: "takes none"},
		{name: "bad review event", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENTED","body":"b"}`, want: "at '/event'"},
		{name: "line as string", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","line":"3","body":"x"}]}`, want: "'/comments/0/line': got string, want integer"},
		{name: "comment without path", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"line":3,"body":"x"}]}`, want: "missing property 'path'"},
		{name: "bad status state", method: "POST", path: "/repos/o/r/statuses/abc", body: `{"state":"passed","context":"triangulate"}`, want: "at '/state'"},
		{name: "position and line mixed", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","position":2,"line":3,"body":"x"}]}`, want: "position cannot be combined", rules: true},
		{name: "bad side", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","line":3,"side":"right","body":"x"}]}`, want: "side must be LEFT or RIGHT", rules: true},
		{name: "single-line comment with start fields", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","line":3,"start_line":3,"side":"RIGHT","start_side":"RIGHT","body":"x"}]}`, want: "start_line must precede line", rules: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			_, err := spec.check(tt.method, tt.path, q, "application/json", []byte(tt.body))
			if tt.rules {
				if err != nil {
					t.Fatalf("description unexpectedly rejects it (%v); the rule layer is then redundant", err)
				}
				var body map[string]any
				dec := json.NewDecoder(strings.NewReader(tt.body))
				dec.UseNumber()
				if err := dec.Decode(&body); err != nil {
					t.Fatal(err)
				}
				problems := reviewCommentRules(body)
				if len(problems) == 0 || !strings.Contains(strings.Join(problems, "; "), tt.want) {
					t.Fatalf("rule problems = %q, want one containing %q", problems, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("check error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
