package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExtract(t *testing.T) {
	index := `[
  {"name": "issues", "examples": [{"action": "opened"}]},
  {"name": "ping", "examples": [{"zen": "hi", "hook": {"url": "u", "test_url": "t", "_links": {"self": "x"}}}]},
  {"name": "push", "examples": [{"ref": "refs/heads/main", "repository": {"clone_url": "c", "html_url": "h", "name": "r"}}]}
]`
	got, err := Extract([]byte(index), "pkg 1.0")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Source   string
		Examples []struct {
			Event   string
			Payload any
		}
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	want := []struct {
		Event   string
		Payload any
	}{
		{"ping", map[string]any{"zen": "hi", "hook": map[string]any{"url": "u"}}},
		{"push", map[string]any{"ref": "refs/heads/main", "repository": map[string]any{"clone_url": "c", "name": "r"}}},
	}
	if doc.Source != "pkg 1.0" {
		t.Errorf("source = %q", doc.Source)
	}
	if diff := cmp.Diff(want, doc.Examples); diff != "" {
		t.Errorf("examples (-want +got):\n%s", diff)
	}
}

func TestExtractRefusesWrongPackage(t *testing.T) {
	if _, err := Extract([]byte(`[{"name": "issues", "examples": [{}]}]`), "x"); err == nil {
		t.Error("an index without the kept events was accepted")
	}
	if _, err := Extract([]byte(`{`), "x"); err == nil {
		t.Error("a broken index was accepted")
	}
}
