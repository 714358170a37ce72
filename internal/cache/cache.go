// Package cache keeps results of checking plans on disk between runs, so an
// unchanged plan is not evaluated again: what loading a file found, keyed by
// the rules and the file's bytes, and what the policies found over a whole
// plan set, keyed by the rules and every file's bytes.
//
// An entry is a plain file named by its key. It is written to a temporary
// file and renamed into place, so concurrent runs see a whole entry or none.
// Each entry carries its key and the SHA-256 of its payload; an entry that
// is truncated, corrupt, for another key or unreadable is a miss, and the
// result is computed again and the entry rewritten. The content hash detects
// damage and mix-ups, not a forger: the directory is trusted as much as the
// user's own files (it is created readable by its owner only), and
// `triangulate check --no-cache` bypasses it.
//
// Other results costly to compute from a git commit share the directory:
// the gate's result at each commit of the submission ledger and the
// contracts' position at each commit of the weekly view, stored as JSON
// (GetJSON, PutJSON) under keys naming the program, the kind of result and
// the commit. `triangulate submissions` and `triangulate contracts --weekly`
// take --no-cache and --cache-dir.
//
// The directory is bounded: once a run has written to it, the entries least
// recently used are removed until the total is under the limit
// (DefaultLimit).
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultLimit bounds the directory's size. One national plan set (about
// 450 plans) takes about 11 MiB, so 256 MiB keeps over twenty versions of
// it, enough for a day of edits across branches, while staying small beside
// a Go build cache.
const DefaultLimit = 256 << 20

// maxEntry bounds one entry read back: a plan file is at most 1 MiB and its
// result a few times that; anything larger is not an entry this tool wrote.
const maxEntry = 64 << 20

// version names the entry format; entries of another format are misses.
const version = "triangulate-cache/2\n"

// headerSize is the magic, the key, the payload length and its checksum.
const headerSize = len(version) + sha256.Size + 8 + 4

// castagnoli is the CRC-32C table, computed in hardware where the CPU can.
// The checksum finds an entry damaged on disk (a torn write is already
// prevented by the rename); it guards against accidents, not against
// someone who can write the user's cache directory, and it costs a
// national check's reads a millisecond where SHA-256 cost twenty.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// staleTemp is how old a temporary file must be before a trim removes it:
// an older one was left by a run that died while writing.
const staleTemp = time.Hour

// Key names an entry; build it with NewKey.
type Key = [sha256.Size]byte

// NewKey hashes its parts, each length-prefixed so that no two different
// lists of parts give the same key.
func NewKey(parts ...[]byte) Key {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	var k Key
	h.Sum(k[:0])
	return k
}

// Cache is a directory of entries. It is safe for concurrent use, by
// goroutines and by processes. A nil *Cache keeps nothing: every Get is a
// miss and every Put is dropped, so a run with the cache turned off needs
// no other path.
type Cache struct {
	dir   string
	limit int64
	wrote atomic.Bool
	// written counts the payload bytes this cache wrote (MaybeTrim).
	written atomic.Int64

	hits, misses, writes atomic.Int64
}

// DefaultDir is the user cache directory's triangulate folder
// (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux).
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache directory: %w", err)
	}
	return filepath.Join(d, "triangulate"), nil
}

// Open uses dir (created when missing, readable by its owner only) for
// entries, keeping it under limit bytes (0: DefaultLimit).
func Open(dir string, limit int64) (*Cache, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	dir = filepath.Join(dir, "results-v1")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open result cache: %w", err)
	}
	return &Cache{dir: dir, limit: limit}, nil
}

// Stats counts what a cache was asked since it was opened.
type Stats struct {
	Hits, Misses, Writes int64
}

// Stats returns the counts so far.
func (c *Cache) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Writes: c.writes.Load()}
}

// Dir is the directory holding the entries, one file each ("" for nil).
func (c *Cache) Dir() string {
	if c == nil {
		return ""
	}
	return c.dir
}

func (c *Cache) path(k Key) string { return filepath.Join(c.dir, fmt.Sprintf("%x", k)) }

// Get returns the payload stored under k, or false when there is none or
// the entry is not whole and intact.
func (c *Cache) Get(k Key) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	p, used, err := c.read(k)
	if err != nil {
		c.misses.Add(1)
		return nil, false
	}
	c.hit(k, used)
	return p, true
}

// touchAfter is how stale an entry's last use may be before a hit records
// a new one: the trim only needs to know which entries went unused for
// long, and a hit on every file of a national check would otherwise cost a
// write to the file system each.
const touchAfter = time.Hour

// hit counts a hit and marks the entry used, for the trim; a failure to
// mark it only makes it look older.
func (c *Cache) hit(k Key, used time.Time) {
	c.hits.Add(1)
	if now := time.Now(); now.Sub(used) > touchAfter {
		_ = os.Chtimes(c.path(k), now, now)
	}
}

// GetJSON decodes the JSON payload stored under k (by PutJSON) into v,
// which must be a pointer. It returns false when there is no intact entry
// or its payload does not decode into v; v may then hold part of the
// payload, so decode into a fresh value and compute it afresh on false.
func (c *Cache) GetJSON(k Key, v any) bool {
	if c == nil {
		return false
	}
	p, used, err := c.read(k)
	if err == nil {
		err = json.Unmarshal(p, v)
	}
	if err != nil {
		c.misses.Add(1)
		return false
	}
	c.hit(k, used)
	return true
}

// PutJSON stores v, encoded as JSON, under k. Like Put, it changes nothing
// when it fails.
func (c *Cache) PutJSON(k Key, v any) error {
	if c == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("write cache entry: %w", err)
	}
	return c.Put(k, b)
}

var errBad = errors.New("not an intact entry")

func (c *Cache) read(k Key) ([]byte, time.Time, error) {
	f, err := os.Open(c.path(k))
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	if fi.Size() < int64(headerSize) || fi.Size() > maxEntry {
		return nil, time.Time{}, errBad
	}
	// Read at its size, in one allocation; an entry that changes size
	// meanwhile is not intact (the checksum says so).
	b := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, time.Time{}, err
	}
	p, err := decode(k, b)
	return p, fi.ModTime(), err
}

func decode(k Key, b []byte) ([]byte, error) {
	if len(b) < headerSize || len(b) > maxEntry || string(b[:len(version)]) != version {
		return nil, errBad
	}
	rest := b[len(version):]
	if !bytes.Equal(rest[:sha256.Size], k[:]) {
		return nil, errBad
	}
	rest = rest[sha256.Size:]
	n := binary.BigEndian.Uint64(rest[:8])
	sum := binary.BigEndian.Uint32(rest[8:12])
	payload := rest[12:]
	if n != uint64(len(payload)) {
		return nil, errBad
	}
	if crc32.Checksum(payload, castagnoli) != sum {
		return nil, errBad
	}
	return payload, nil
}

// encode frames payload as the entry for k.
func encode(k Key, payload []byte) []byte {
	b := make([]byte, 0, headerSize+len(payload))
	b = append(b, version...)
	b = append(b, k[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(len(payload)))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(payload, castagnoli))
	return append(b, payload...)
}

// Put stores payload under k. A cache is an optimisation: when the entry
// cannot be written, the error is returned for the caller to ignore or
// report, and nothing else changes.
func (c *Cache) Put(k Key, payload []byte) error {
	if c == nil {
		return nil
	}
	if len(payload)+headerSize > maxEntry {
		return fmt.Errorf("cache entry of %d bytes is over the %d-byte limit", len(payload), maxEntry)
	}
	tmp, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("write cache entry: %w", err)
	}
	_, werr := tmp.Write(encode(k, payload))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write cache entry: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path(k)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write cache entry: %w", err)
	}
	c.wrote.Store(true)
	c.writes.Add(1)
	c.written.Add(int64(len(payload)))
	return nil
}

// trimShare and trimOdds decide MaybeTrim: a cache that wrote a
// trimShare-th of its limit since it last trimmed (4 MiB of the default
// 256) trims, and one that wrote less trims with trimOdds odds, so many
// small writers (reviews, or a server's reviews) keep the directory near
// its limit without each paying for a walk of thousands of entries.
const (
	trimShare = 64
	trimOdds  = 16
)

// MaybeTrim trims (Trim) when this cache wrote at least a trimShare-th of
// its limit since it last trimmed, and otherwise once in trimOdds calls on
// average: the directory may run over its limit by what a few dozen small
// runs write between trims. A process that lives long (serve) calls it
// after each piece of work.
func (c *Cache) MaybeTrim() error {
	if c == nil || !c.wrote.Load() {
		return nil
	}
	if c.written.Load() < c.limit/trimShare && rand.IntN(trimOdds) != 0 {
		return nil
	}
	c.written.Store(0)
	return c.Trim()
}

// Trim removes the least recently used entries until the directory is
// under its limit, and temporary files left by runs that died while
// writing. It does nothing when this cache has written nothing, so a run
// that only reads costs no directory walk. Entries another run removes at
// the same time are skipped.
func (c *Cache) Trim() error {
	if c == nil || !c.wrote.Load() {
		return nil
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("trim result cache: %w", err)
	}
	type file struct {
		name string
		size int64
		used time.Time
	}
	var files []file
	var total int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if strings.HasPrefix(e.Name(), ".tmp-") {
			if time.Since(info.ModTime()) > staleTemp {
				os.Remove(filepath.Join(c.dir, e.Name()))
			}
			continue
		}
		files = append(files, file{e.Name(), info.Size(), info.ModTime()})
		total += info.Size()
	}
	slices.SortFunc(files, func(a, b file) int { return a.used.Compare(b.used) })
	for _, f := range files {
		if total <= c.limit {
			break
		}
		if err := os.Remove(filepath.Join(c.dir, f.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("trim result cache: %w", err)
		}
		total -= f.size
	}
	return nil
}
