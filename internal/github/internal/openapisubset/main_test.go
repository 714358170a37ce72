package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const miniSpec = `{
  "openapi": "3.0.3",
  "info": {"version": "1.2.3", "title": "mini"},
  "paths": {
    "/things/{id}": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "post": {
        "operationId": "things/create",
        "description": "prose that is dropped",
        "parameters": [{"name": "dry_run", "in": "query", "schema": {"type": "boolean"}}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/thing"},
            "examples": {"default": {"value": {"name": "x"}}}
          }}
        }
      },
      "get": {"operationId": "things/get"}
    },
    "/loops": {
      "put": {"operationId": "loops/put", "requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/loop"}}}}}
    },
    "/broken": {
      "put": {"operationId": "broken/put", "requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/missing"}}}}}
    }
  },
  "components": {
    "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}},
    "schemas": {
      "thing": {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "example": "x"},
        "description": {"type": "string", "nullable": true, "description": "a property called description"},
        "tag": {"$ref": "#/components/schemas/tag"}
      }},
      "tag": {"type": "string", "enum": ["a", "b"], "x-internal": true},
      "loop": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/loop"}}}
    }
  }
}`

func TestExtract(t *testing.T) {
	tests := []struct {
		name    string
		ops     []string
		want    string // JSON of the expected paths object
		wantErr string
	}{
		{
			name: "resolves references and drops prose",
			ops:  []string{"things/create"},
			want: `{"/things/{id}": {"post": {
				"operationId": "things/create",
				"parameters": [
					{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
					{"name": "dry_run", "in": "query", "schema": {"type": "boolean"}}
				],
				"requestBody": {"required": true, "content": {"application/json": {"schema": {
					"type": "object", "required": ["name"], "properties": {
						"name": {"type": "string"},
						"description": {"type": "string", "nullable": true},
						"tag": {"type": "string", "enum": ["a", "b"]}
					}}}}}
			}}}`,
		},
		{
			name: "operation without body",
			ops:  []string{"things/get"},
			want: `{"/things/{id}": {"get": {
				"operationId": "things/get",
				"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]
			}}}`,
		},
		{name: "recursive schema", ops: []string{"loops/put"}, wantErr: "recursive reference #/components/schemas/loop"},
		{name: "dangling reference", ops: []string{"broken/put"}, wantErr: "no missing"},
		{name: "unknown operation", ops: []string{"things/get", "nope/b", "nope/a"}, wantErr: "operations not in spec: nope/a, nope/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract(strings.NewReader(miniSpec), tt.ops)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Extract error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			var doc struct {
				OpenAPI string         `json:"openapi"`
				Info    map[string]any `json:"info"`
				Paths   map[string]any `json:"paths"`
			}
			if err := json.Unmarshal(got, &doc); err != nil {
				t.Fatalf("decode output: %v", err)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatalf("decode want: %v", err)
			}
			if diff := cmp.Diff(want, doc.Paths); diff != "" {
				t.Errorf("paths mismatch (-want +got):\n%s", diff)
			}
			if doc.OpenAPI != "3.0.3" || doc.Info["version"] != "1.2.3" {
				t.Errorf("header = %q %v, want 3.0.3 and version 1.2.3", doc.OpenAPI, doc.Info)
			}
		})
	}
}

func TestExtractIsDeterministic(t *testing.T) {
	a, err := Extract(strings.NewReader(miniSpec), []string{"things/create", "things/get"})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := Extract(strings.NewReader(miniSpec), []string{"things/get", "things/create"})
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) {
			t.Fatalf("output differs between runs:\n%s\n---\n%s", a, b)
		}
	}
}
