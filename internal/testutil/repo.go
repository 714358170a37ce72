// Package testutil gives tests an in-memory copy of the repository's own
// schema, policies and plans, so they exercise exactly what ships.
package testutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/fstest"
)

// Root is the repository root, found from this file's location.
func Root(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the repository root")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// RepoFS copies schema/, policy/, plans/ and .github/ into a map file system that a
// test may change freely.
func RepoFS(t testing.TB) fstest.MapFS {
	t.Helper()
	root := Root(t)
	out := fstest.MapFS{}
	for _, dir := range []string{"schema", "policy", "plans", ".github"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out[filepath.ToSlash(rel)] = &fstest.MapFile{Data: b, Mode: 0o644}
			return nil
		})
		if err != nil {
			t.Fatalf("copy %s: %v", dir, err)
		}
	}
	return out
}
