// Command webhookexamples cuts the example webhook payloads the server's
// tests replay out of the npm package @octokit/webhooks-examples (GitHub's
// payloads as contributed to octokit/webhooks, about 4 MB for every event)
// into one small file the tests can commit.
//
// Only the events the server handles, or must refuse to act on, are kept:
// pull_request, merge_group, check_run, check_suite, push and ping. Every
// "*_url" field but clone_url and every "_links" object is dropped: they
// are most of the bytes and the server reads none of them. Everything else
// is copied unchanged, so the payloads keep GitHub's shape.
//
// Usage (see internal/server/testdata/README.md):
//
//	go run ./internal/server/internal/webhookexamples \
//	    -package /tmp/package -out internal/server/testdata/webhook-examples.json
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Events are the webhook events whose examples are kept.
var Events = []string{"pull_request", "merge_group", "check_run", "check_suite", "push", "ping"}

func main() {
	pkg := flag.String("package", "", "directory of the unpacked @octokit/webhooks-examples npm package")
	out := flag.String("out", "internal/server/testdata/webhook-examples.json", "where to write the examples")
	flag.Parse()
	if err := run(*pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "webhookexamples:", err)
		os.Exit(1)
	}
}

func run(pkg, out string) error {
	if pkg == "" {
		return errors.New("missing -package")
	}
	meta, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		return fmt.Errorf("read package.json: %w", err)
	}
	var m struct{ Name, Version string }
	if err := json.Unmarshal(meta, &m); err != nil {
		return fmt.Errorf("read package.json: %w", err)
	}
	index, err := os.ReadFile(filepath.Join(pkg, "api.github.com", "index.json"))
	if err != nil {
		return fmt.Errorf("read examples: %w", err)
	}
	b, err := Extract(index, m.Name+" "+m.Version+", api.github.com/index.json")
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return fmt.Errorf("write examples: %w", err)
	}
	return nil
}

// Example is one payload and the event it was delivered as.
type Example struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
}

// Extract reads the package's index (a list of events, each with its
// examples) and returns the kept examples, trimmed, one a line.
func Extract(index []byte, source string) ([]byte, error) {
	var events []struct {
		Name     string `json:"name"`
		Examples []any  `json:"examples"`
	}
	if err := json.Unmarshal(index, &events); err != nil {
		return nil, fmt.Errorf("read examples index: %w", err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\"source\": %q,\n\"examples\": [\n", source)
	n := 0
	for _, e := range events {
		if !slices.Contains(Events, e.Name) {
			continue
		}
		for _, ex := range e.Examples {
			p, err := json.Marshal(trim(ex))
			if err != nil {
				return nil, fmt.Errorf("encode %s example: %w", e.Name, err)
			}
			line, err := json.Marshal(Example{Event: e.Name, Payload: p})
			if err != nil {
				return nil, fmt.Errorf("encode %s example: %w", e.Name, err)
			}
			if n > 0 {
				buf.WriteString(",\n")
			}
			buf.Write(line)
			n++
		}
	}
	if n == 0 {
		return nil, errors.New("no examples of the kept events: is this the right package?")
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes(), nil
}

// trim drops link fields, which the server never reads.
func trim(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if k == "_links" || (strings.HasSuffix(k, "_url") && k != "clone_url") {
				continue
			}
			out[k] = trim(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = trim(x)
		}
		return out
	}
	return v
}
