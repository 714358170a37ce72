package gitrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestFetchOverThePackBound: a pack over the bound stops the fetch, leaves
// no partial pack behind, and the cache still works for a fetch within it.
func TestFetchOverThePackBound(t *testing.T) {
	g := testutil.NewGit(t)
	srv := testutil.ServeGit(t, g, "")
	dir := t.TempDir()
	c, err := NewCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	c.maxPack = 10_000
	if r, err := c.Fetch(context.Background(), srv.CloneURL, Auth{}, "refs/heads/main"); !errors.Is(err, ErrPackTooLarge) {
		if r != nil {
			r.Close()
		}
		t.Fatalf("fetch of a 130 KB pack under a 10 KB bound: %v, want ErrPackTooLarge", err)
	}
	for _, glob := range []string{"tmp_pack_*", "*.pack"} {
		if m, _ := filepath.Glob(filepath.Join(dir, "*", "objects", "pack", glob)); len(m) != 0 {
			t.Errorf("left behind %v", m)
		}
	}
	c.maxPack = MaxPackBytes
	r, err := c.Fetch(context.Background(), srv.CloneURL, Auth{}, "refs/heads/main")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := r.Resolve("refs/heads/main"); err != nil || got.Hash != g.Head() {
		t.Errorf("main is %s (%v), want %s", got.Hash, err, g.Head())
	}
}

// TestFetchIntoAHalfMadeCache: a repository directory a crash left unusable
// is made again, not failed on for ever.
func TestFetchIntoAHalfMadeCache(t *testing.T) {
	g := testutil.NewGit(t)
	srv := testutil.ServeGit(t, g, "")
	dir := t.TempDir()
	c, err := NewCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := checkCloneURL(srv.CloneURL, Auth{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, cacheName(ep), "objects"), 0o700); err != nil {
		t.Fatal(err)
	}
	r, err := c.Fetch(context.Background(), srv.CloneURL, Auth{}, "refs/heads/main")
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}
