// Package resultcache keeps results that are costly to compute from a git
// commit (the gate's verdict at a submission, the contracts' position) in
// files under the user's cache directory, keyed by the commit and by the
// build of the tool that computed them. An entry is written atomically and
// carries its key and a checksum: one that is truncated, edited, misplaced
// or from another build is not used, and the result is computed again.
package resultcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
)

// MaxEntry bounds an entry read back: anything larger was not written by
// this package for a result of this kind, and is recomputed.
const MaxEntry = 64 << 20

// Dir is where results are kept between runs: <user cache dir>/triangulate.
func Dir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache directory: %w", err)
	}
	return filepath.Join(base, "triangulate"), nil
}

// ToolVersion names the running build, so a cached result is reused only by
// the code that computed it: the VCS revision of a clean build, or else a
// hash of the executable itself (a development build changes with every
// edit). It is "" when neither can be read: nothing is then cached.
var ToolVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			return "rev:" + rev
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return "exe:" + hex.EncodeToString(h.Sum(nil))
})

// Cache is one kind of result in one directory. The zero Cache, or one
// without a Version, caches nothing.
type Cache struct {
	// Dir holds the entries, one file each.
	Dir string
	// Version names the code that computes the results; an entry written
	// under another version is never read.
	Version string
}

// Usable reports whether the cache reads and writes anything.
func (c Cache) Usable() bool { return c.Dir != "" && c.Version != "" }

// entry is what a cache file holds.
type entry struct {
	Version string          `json:"version"`
	Key     string          `json:"key"`
	Sum     string          `json:"sum"`
	Result  json.RawMessage `json:"result"`
}

func (c Cache) path(key string) string {
	h := sha256.Sum256([]byte(c.Version + "\x00" + key))
	return filepath.Join(c.Dir, hex.EncodeToString(h[:])+".json")
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Load decodes the entry for key into v; false when there is none that
// verifies (v is then untouched).
func (c Cache) Load(key string, v any) bool {
	if !c.Usable() {
		return false
	}
	f, err := os.Open(c.path(key))
	if err != nil {
		return false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxEntry+1))
	if err != nil || len(b) > MaxEntry {
		return false
	}
	var e entry
	if err := json.Unmarshal(b, &e); err != nil || e.Version != c.Version || e.Key != key || e.Sum != sum(e.Result) {
		return false
	}
	return json.Unmarshal(e.Result, v) == nil
}

// Store writes v as the entry for key: to a temporary file renamed into
// place, so a reader sees a whole entry or none, even while another run
// writes the same one. A cache that cannot be written costs the next run
// time, not correctness, so callers may ignore the error.
func (c Cache) Store(key string, v any) error {
	if !c.Usable() {
		return nil
	}
	res, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b, err := json.Marshal(entry{Version: c.Version, Key: key, Sum: sum(res), Result: res})
	if err != nil {
		return err
	}
	if len(b) > MaxEntry {
		return fmt.Errorf("cache entry of %d bytes is over %d", len(b), MaxEntry)
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.Dir, ".entry-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	if _, err := io.Copy(tmp, bytes.NewReader(b)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.path(key))
}
