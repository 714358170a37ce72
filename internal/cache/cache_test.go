package cache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func open(t *testing.T, dir string, limit int64) *Cache {
	t.Helper()
	c, err := Open(dir, limit)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoundTrip(t *testing.T) {
	c := open(t, t.TempDir(), 0)
	k := NewKey([]byte("a"), []byte("b"))
	if _, ok := c.Get(k); ok {
		t.Fatal("hit in an empty cache")
	}
	for _, payload := range [][]byte{[]byte("findings"), {}, bytes.Repeat([]byte{0xff}, 1<<16)} {
		if err := c.Put(k, payload); err != nil {
			t.Fatal(err)
		}
		got, ok := c.Get(k)
		if !ok || !bytes.Equal(got, payload) {
			t.Fatalf("got %d bytes (hit %v), want the %d put", len(got), ok, len(payload))
		}
	}
	if s := c.Stats(); s.Hits != 3 || s.Misses != 1 || s.Writes != 3 {
		t.Errorf("stats %+v, want 3 hits, 1 miss, 3 writes", s)
	}
}

// TestKeysDoNotCollide: parts are length-prefixed, so moving a byte from
// one part to the next gives another key.
func TestKeysDoNotCollide(t *testing.T) {
	if NewKey([]byte("ab"), []byte("c")) == NewKey([]byte("a"), []byte("bc")) {
		t.Error("keys of different parts collide")
	}
	if NewKey([]byte("a")) == NewKey([]byte("a"), nil) {
		t.Error("an empty last part does not change the key")
	}
}

// TestDamagedEntriesAreMisses: every way an entry can be damaged or
// swapped reads as a miss, never as a payload, and a Put repairs it.
func TestDamagedEntriesAreMisses(t *testing.T) {
	payload := []byte(`[{"rule":"A01","message":"RTK plans 4% more than 09N"}]`)
	k, other := NewKey([]byte("k")), NewKey([]byte("other"))
	whole := encode(k, payload)
	tests := []struct {
		name  string
		entry []byte
	}{
		{"empty", nil},
		{"header only", whole[:headerSize]},
		{"truncated payload", whole[:len(whole)-1]},
		{"one byte more", append(append([]byte(nil), whole...), '!')},
		{"payload byte flipped", flip(whole, len(whole)-5)},
		{"hash byte flipped", flip(whole, headerSize-1)},
		{"length changed", flip(whole, len(version)+len(k)+7)},
		{"key byte flipped", flip(whole, len(version))},
		{"entry of another key", encode(other, payload)},
		{"another format", append([]byte("triangulate-cache/0\n"), whole[len(version):]...)},
		{"not an entry", []byte("hello")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, t.TempDir(), 0)
			if err := os.WriteFile(c.path(k), tc.entry, 0o600); err != nil {
				t.Fatal(err)
			}
			if got, ok := c.Get(k); ok {
				t.Fatalf("damaged entry read as %q", got)
			}
			if err := c.Put(k, payload); err != nil {
				t.Fatal(err)
			}
			if got, ok := c.Get(k); !ok || !bytes.Equal(got, payload) {
				t.Fatalf("after Put: %q, %v", got, ok)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x01
	return out
}

// TestConcurrentRuns: runs sharing a directory (separate Cache values, as
// separate processes have) write, read and trim the same keys at once;
// every read is a miss or exactly what was put, and no temporary file is
// left behind.
func TestConcurrentRuns(t *testing.T) {
	dir := t.TempDir()
	payloads := map[Key][]byte{}
	var keys []Key
	for i := range 20 {
		k := NewKey([]byte(fmt.Sprint(i)))
		keys = append(keys, k)
		payloads[k] = bytes.Repeat([]byte{byte(i)}, 1000+i*5000)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for run := range 8 {
		c := open(t, dir, 200_000) // small: trims remove entries under readers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 30 {
				k := keys[(run*7+round)%len(keys)]
				if got, ok := c.Get(k); ok && !bytes.Equal(got, payloads[k]) {
					errs <- fmt.Errorf("run %d read %d bytes for a key put with %d", run, len(got), len(payloads[k]))
				}
				if err := c.Put(k, payloads[k]); err != nil {
					errs <- err
				}
				if round%10 == 0 {
					if err := c.Trim(); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, "results-v1", ".tmp-*"))
	if len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

// TestTrim: past the limit, the least recently used entries go first, a
// read counts as a use, and temporary files left by a dead run are removed
// once stale.
func TestTrim(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, int64(3*(headerSize+1000)))
	base := time.Now().Add(-10 * time.Hour)
	var keys []Key
	for i := range 5 {
		k := NewKey([]byte{byte(i)})
		keys = append(keys, k)
		if err := c.Put(k, make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
		at := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(c.path(k), at, at); err != nil {
			t.Fatal(err)
		}
	}
	// Entry 0, the oldest, is read: it becomes the most recently used.
	if _, ok := c.Get(keys[0]); !ok {
		t.Fatal("miss")
	}
	stale := filepath.Join(c.dir, ".tmp-dead")
	fresh := filepath.Join(c.dir, ".tmp-writing")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("part"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(stale, base, base); err != nil {
		t.Fatal(err)
	}
	if err := c.Trim(); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false, false, true, true} {
		if _, err := os.Stat(c.path(keys[i])); (err == nil) != want {
			t.Errorf("entry %d kept = %v, want %v", i, err == nil, want)
		}
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale temporary file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a temporary file another run may be writing was removed")
	}
}

// TestHitMarksUse: a hit marks an entry used when its last recorded use is
// over touchAfter old, and leaves a recent one as it is (no write to the
// file system for each of a national check's hits).
func TestHitMarksUse(t *testing.T) {
	c := open(t, t.TempDir(), 0)
	for _, c2 := range []struct {
		name    string
		age     time.Duration
		touched bool
	}{
		{"recent", 10 * time.Minute, false},
		{"stale", 2 * time.Hour, true},
	} {
		t.Run(c2.name, func(t *testing.T) {
			k := NewKey([]byte(c2.name))
			if err := c.Put(k, []byte("payload")); err != nil {
				t.Fatal(err)
			}
			at := time.Now().Add(-c2.age).Truncate(time.Second)
			if err := os.Chtimes(c.path(k), at, at); err != nil {
				t.Fatal(err)
			}
			if p, ok := c.Get(k); !ok || string(p) != "payload" {
				t.Fatalf("Get = %q, %v", p, ok)
			}
			fi, err := os.Stat(c.path(k))
			if err != nil {
				t.Fatal(err)
			}
			if touched := !fi.ModTime().Equal(at); touched != c2.touched {
				t.Errorf("touched = %v (%v, was %v), want %v", touched, fi.ModTime(), at, c2.touched)
			}
		})
	}
}

// TestMaybeTrim: a run that wrote trimAfter bytes trims at once; runs that
// wrote little trim now and then, so many of them still keep the
// directory near its limit.
func TestMaybeTrim(t *testing.T) {
	over := func(t *testing.T, c *Cache) bool {
		entries, err := os.ReadDir(c.dir)
		if err != nil {
			t.Fatal(err)
		}
		var size int64
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				size += fi.Size()
			}
		}
		return size > c.limit
	}
	t.Run("wrote much", func(t *testing.T) {
		limit := int64(1 << 20)
		c := open(t, t.TempDir(), limit)
		for i := range 5 {
			if err := c.Put(NewKey([]byte{byte(i)}), make([]byte, limit/4)); err != nil {
				t.Fatal(err)
			}
		}
		if !over(t, c) {
			t.Fatal("not over the limit to begin with")
		}
		if err := c.MaybeTrim(); err != nil || over(t, c) {
			t.Errorf("MaybeTrim after %d bytes written: %v, still over the limit", c.written.Load(), err)
		}
	})
	t.Run("wrote little", func(t *testing.T) {
		dir := t.TempDir()
		// Two entries a run stay under a trimShare-th of the limit.
		limit := int64(trimShare * 3 * (headerSize + 100))
		trimmed := false
		// Each run writes two small entries; one in trimOdds trims, so
		// 400 runs trimming never would be a one-in-10^11 chance.
		for run := range 400 {
			c := open(t, dir, limit)
			for i := range 2 {
				if err := c.Put(NewKey([]byte{byte(run), byte(run >> 8), byte(i)}), make([]byte, 100)); err != nil {
					t.Fatal(err)
				}
			}
			wasOver := over(t, c)
			if err := c.MaybeTrim(); err != nil {
				t.Fatal(err)
			}
			if wasOver && !over(t, c) {
				trimmed = true
				break
			}
		}
		if !trimmed {
			t.Error("400 small runs over the limit never trimmed")
		}
	})
}

// TestTrimOnlyAfterWrites: a run that only read does not walk the
// directory, so a full cache is trimmed by the next run that writes.
func TestTrimOnlyAfterWrites(t *testing.T) {
	dir := t.TempDir()
	w := open(t, dir, 1<<20)
	k := NewKey([]byte("k"))
	if err := w.Put(k, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	r := open(t, dir, 1) // limit below one entry
	if _, ok := r.Get(k); !ok {
		t.Fatal("miss")
	}
	if err := r.Trim(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(r.path(k)); err != nil {
		t.Error("a reading run trimmed the cache")
	}
}

// TestOversizedEntries are refused on write and on read.
func TestOversizedEntries(t *testing.T) {
	c := open(t, t.TempDir(), 0)
	if err := c.Put(NewKey(), make([]byte, maxEntry)); err == nil {
		t.Error("an entry over the limit was written")
	}
	k := NewKey([]byte("big"))
	f, err := os.Create(c.path(k))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxEntry + 10); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, ok := c.Get(k); ok {
		t.Error("an entry over the limit was read")
	}
}

func TestProgramIsStable(t *testing.T) {
	a, err := Program()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := program()
	if len(a) < 16 || !bytes.Equal(a, b) {
		t.Errorf("program identity %q then %q", a, b)
	}
}

// TestJSON: a value put as JSON comes back whole under its key; an entry
// that is damaged, absent or does not decode into the value asked for is a
// miss, counted as one.
func TestJSON(t *testing.T) {
	type gate struct {
		Submittable bool     `json:"submittable"`
		Rules       []string `json:"rules"`
	}
	want := gate{Rules: []string{"A01", "G03"}}
	k := NewKey([]byte("gate/1"), []byte("0123abcd"))
	tests := []struct {
		name   string
		damage func(t *testing.T, c *Cache) // nil: the entry is left as put
		into   func() any
		hit    bool
	}{
		{"round trip", nil, func() any { return new(gate) }, true},
		{"absent", func(t *testing.T, c *Cache) { os.Remove(c.path(k)) }, func() any { return new(gate) }, false},
		{"result edited", func(t *testing.T, c *Cache) {
			b, err := os.ReadFile(c.path(k))
			if err != nil {
				t.Fatal(err)
			}
			edited := bytes.Replace(b, []byte(`"submittable":false`), []byte(`"submittable":true`), 1)
			if bytes.Equal(edited, b) {
				t.Fatalf("nothing to edit in %q", b)
			}
			if err := os.WriteFile(c.path(k), edited, 0o600); err != nil {
				t.Fatal(err)
			}
		}, func() any { return new(gate) }, false},
		{"another shape", nil, func() any { return new(int) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, t.TempDir(), 0)
			if err := c.PutJSON(k, want); err != nil {
				t.Fatal(err)
			}
			if tc.damage != nil {
				tc.damage(t, c)
			}
			v := tc.into()
			if got := c.GetJSON(k, v); got != tc.hit {
				t.Fatalf("GetJSON hit %v, want %v", got, tc.hit)
			}
			if g, ok := v.(*gate); tc.hit && ok && (g.Submittable || !slices.Equal(g.Rules, want.Rules)) {
				t.Errorf("read back %+v, want %+v", *g, want)
			}
			if s := c.Stats(); (s.Hits == 1) != tc.hit || s.Hits+s.Misses != 1 {
				t.Errorf("stats %+v after one %v lookup", s, tc.hit)
			}
		})
	}
	if err := open(t, t.TempDir(), 0).PutJSON(k, func() {}); err == nil {
		t.Error("a value JSON cannot encode was stored")
	}
}

// TestNilCache: a nil cache, a run with the cache turned off, keeps
// nothing and reports no error.
func TestNilCache(t *testing.T) {
	var c *Cache
	k := NewKey([]byte("k"))
	if err := c.Put(k, []byte("x")); err != nil {
		t.Error(err)
	}
	if err := c.PutJSON(k, 1); err != nil {
		t.Error(err)
	}
	var v int
	if _, ok := c.Get(k); ok || c.GetJSON(k, &v) {
		t.Error("a nil cache hit")
	}
	if err := c.Trim(); err != nil {
		t.Error(err)
	}
	if s := c.Stats(); s != (Stats{}) || c.Dir() != "" {
		t.Errorf("a nil cache has stats %+v, directory %q", s, c.Dir())
	}
}
