package resultcache_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/resultcache"
)

type result struct {
	Pass  bool     `json:"pass"`
	Rules []string `json:"rules"`
}

func TestCache(t *testing.T) {
	dir := t.TempDir()
	c := resultcache.Cache{Dir: filepath.Join(dir, "x"), Version: "v1"}
	want := result{Pass: false, Rules: []string{"A06"}}
	if err := c.Store("abc", want); err != nil {
		t.Fatal(err)
	}
	entry := func() string {
		files, _ := filepath.Glob(filepath.Join(c.Dir, "*.json"))
		if len(files) != 1 {
			t.Fatalf("entries %v", files)
		}
		return files[0]
	}
	var got result
	if !c.Load("abc", &got) || got.Pass || len(got.Rules) != 1 {
		t.Fatalf("round trip: %+v", got)
	}
	for name, other := range map[string]resultcache.Cache{
		"another version": {Dir: c.Dir, Version: "v2"},
		"unversioned":     {Dir: c.Dir},
	} {
		if other.Load("abc", &got) {
			t.Errorf("%s read the entry", name)
		}
	}
	if c.Load("abd", &got) {
		t.Error("another key read the entry")
	}
	// An entry moved to another key's name is refused.
	f := entry()
	b, _ := os.ReadFile(f)
	if err := c.Store("other", want); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(c.Dir, "*.json"))
	for _, g := range files {
		if g != f {
			if err := os.WriteFile(g, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if c.Load("other", &got) {
		t.Error("an entry written for another key was used")
	}
	flipped := strings.Replace(string(b), `"pass":false`, `"pass":true`, 1)
	if flipped == string(b) || !json.Valid([]byte(flipped)) {
		t.Fatalf("cannot flip the result in %s", b)
	}
	for name, corrupt := range map[string][]byte{
		"truncated":             b[:len(b)/2],
		"result edited to pass": []byte(flipped), // valid JSON: only the checksum tells
		"empty":                 nil,
	} {
		if err := os.WriteFile(f, corrupt, 0o600); err != nil {
			t.Fatal(err)
		}
		if got = (result{}); c.Load("abc", &got) {
			t.Errorf("%s entry used: %+v", name, got)
		}
	}
	if (resultcache.Cache{}).Store("abc", want) != nil || (resultcache.Cache{}).Load("abc", &got) {
		t.Error("the zero cache stored or loaded")
	}
}
