package githubtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// apiSpec checks requests against GitHub's own REST description, cut down by
// internal/github/internal/openapisubset to the operations the publisher
// calls.
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

// loadAPISpec reads internal/github/testdata/openapi-subset.json once per
// test binary. The file is found from this source file rather than the
// working directory, which go test sets to the package under test, so that
// tests anywhere in the module can use the server.
func loadAPISpec(t testing.TB) *apiSpec {
	t.Helper()
	specOnce.Do(func() {
		_, self, _, ok := runtime.Caller(0)
		if !ok {
			specErr = errors.New("locate the githubtest source directory")
			return
		}
		path := filepath.Join(filepath.Dir(self), "..", "testdata", "openapi-subset.json")
		raw, err := os.ReadFile(path)
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
