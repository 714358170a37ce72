// Command openapisubset extracts the few GitHub REST operations the review
// publisher calls from GitHub's official OpenAPI description (npm package
// @octokit/openapi, generated/api.github.com.json, about 13 MB) into a small
// file the tests can commit and validate every fake-server request against.
//
// Every $ref is resolved inline so the subset stands alone, and prose
// (descriptions, examples) is dropped because only the machine-checkable
// parts matter to the tests. Schemas are otherwise copied unchanged,
// including OpenAPI's `nullable`, which the test validator interprets.
//
// Usage:
//
//	go run ./internal/github/internal/openapisubset \
//	    -spec /tmp/oapi/package/generated/api.github.com.json \
//	    -out internal/github/testdata/openapi-subset.json
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Operations lists, by operationId, every GitHub call the publisher and the
// App authentication make. Adding a call means adding it here and refreshing.
var Operations = []string{
	"pulls/get",
	"pulls/list-review-comments",
	"pulls/delete-review-comment",
	"pulls/list-reviews",
	"pulls/create-review",
	"issues/list-comments",
	"issues/create-comment",
	"issues/update-comment",
	"repos/create-commit-status",
	"repos/list-commit-statuses-for-ref",
	"pulls/list",
	"checks/create",
	"checks/update",
	"checks/list-for-ref",
	"apps/get-authenticated",
	"apps/create-installation-access-token",
	"apps/list-installations",
	"apps/list-repos-accessible-to-installation",
}

// proseKeys (and x- extensions) carry documentation only; dropping them keeps
// the subset small and keeps OpenAPI's singular `example` away from the JSON
// Schema compiler.
var proseKeys = []string{"description", "summary", "example", "examples", "externalDocs"}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func main() {
	spec := flag.String("spec", "", "path to api.github.com.json from the @octokit/openapi npm package")
	out := flag.String("out", "internal/github/testdata/openapi-subset.json", "where to write the subset")
	flag.Parse()
	if err := run(*spec, *out); err != nil {
		fmt.Fprintln(os.Stderr, "openapisubset:", err)
		os.Exit(1)
	}
}

func run(specPath, outPath string) error {
	if specPath == "" {
		return errors.New("missing -spec")
	}
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return fmt.Errorf("read spec: %w", err)
	}
	subset, err := Extract(bytes.NewReader(raw), Operations)
	if err != nil {
		return err
	}
	if err := os.WriteFile(outPath, subset, 0o644); err != nil {
		return fmt.Errorf("write subset: %w", err)
	}
	return nil
}

// Extract reads a full OpenAPI 3 document and returns a JSON document with
// only the named operations, their parameters and request bodies, all
// references resolved. The output is deterministic so refreshes diff well.
func Extract(r io.Reader, operationIDs []string) ([]byte, error) {
	var doc map[string]any
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode spec: %w", err)
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, errors.New("decode spec: no paths object")
	}
	want := make(map[string]bool, len(operationIDs))
	for _, id := range operationIDs {
		want[id] = true
	}
	outPaths := map[string]any{}
	found := map[string]bool{}
	for path, item := range paths {
		item, ok := item.(map[string]any)
		if !ok {
			continue
		}
		for _, m := range methods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			id, _ := op["operationId"].(string)
			if !want[id] {
				continue
			}
			if found[id] {
				return nil, fmt.Errorf("operation %s appears twice", id)
			}
			found[id] = true
			sub, err := extractOperation(doc, item, op)
			if err != nil {
				return nil, fmt.Errorf("extract %s: %w", id, err)
			}
			if outPaths[path] == nil {
				outPaths[path] = map[string]any{}
			}
			outPaths[path].(map[string]any)[m] = sub
		}
	}
	var missing []string
	for _, id := range operationIDs {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("operations not in spec: %s", strings.Join(missing, ", "))
	}
	info, _ := doc["info"].(map[string]any)
	out := map[string]any{
		"openapi": doc["openapi"],
		"info": map[string]any{
			"title":   "Subset of GitHub's REST API description used by internal/github tests",
			"version": info["version"],
			"x-source": "npm @octokit/openapi " + fmt.Sprint(info["version"]) +
				", generated/api.github.com.json",
		},
		"paths": outPaths,
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode subset: %w", err)
	}
	return append(b, '\n'), nil
}

func extractOperation(doc, item, op map[string]any) (map[string]any, error) {
	out := map[string]any{"operationId": op["operationId"]}
	// Path-level parameters apply to every operation under the path; the
	// operation's own parameters override them by name and location.
	var params []any
	seen := map[string]int{}
	for _, src := range []any{item["parameters"], op["parameters"]} {
		list, _ := src.([]any)
		for _, p := range list {
			resolved, err := resolve(doc, p, nil, false)
			if err != nil {
				return nil, err
			}
			pm, ok := resolved.(map[string]any)
			if !ok {
				return nil, errors.New("parameter is not an object")
			}
			key := fmt.Sprint(pm["in"], ":", pm["name"])
			if i, dup := seen[key]; dup {
				params[i] = pm
				continue
			}
			seen[key] = len(params)
			params = append(params, pm)
		}
	}
	if len(params) > 0 {
		out["parameters"] = params
	}
	if rb, ok := op["requestBody"]; ok {
		resolved, err := resolve(doc, rb, nil, false)
		if err != nil {
			return nil, err
		}
		out["requestBody"] = resolved
	}
	return out, nil
}

// resolve returns v with every local $ref replaced by a copy of its target
// and prose keys removed. stack holds the references being expanded, so a
// recursive schema is reported instead of looping forever. names is true when
// v is a "properties" object, whose keys are property names (a property may
// well be called "description") rather than keywords.
func resolve(doc map[string]any, v any, stack []string, names bool) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && !names {
			if slices.Contains(stack, ref) {
				return nil, fmt.Errorf("recursive reference %s", ref)
			}
			target, err := pointer(doc, ref)
			if err != nil {
				return nil, err
			}
			return resolve(doc, target, append(stack, ref), false)
		}
		out := make(map[string]any, len(v))
		for k, child := range v {
			if !names && (slices.Contains(proseKeys, k) || strings.HasPrefix(k, "x-")) {
				continue
			}
			r, err := resolve(doc, child, stack, !names && k == "properties")
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, child := range v {
			r, err := resolve(doc, child, stack, false)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	default:
		return v, nil
	}
}

// pointer follows a local JSON pointer such as #/components/schemas/x.
func pointer(doc map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("unsupported reference %s", ref)
	}
	var cur any = doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reference %s: %s is not an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("reference %s: no %s", ref, tok)
		}
	}
	return cur, nil
}
