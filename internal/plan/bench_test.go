package plan

import (
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// BenchmarkLoadNational is the loader alone on the generated England (452
// plans): bound, parse, build, validate, cross-check; no policies.
func BenchmarkLoadNational(b *testing.B) {
	fsys := testutil.EnglandFS(b, generate.DefaultSystems, 1)
	s, err := LoadSchema(fsys)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(fsys, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadNationalCached is the loader with every file's result in
// the cache: read, hash, decode, cross-check.
func BenchmarkLoadNationalCached(b *testing.B) {
	fsys := testutil.EnglandFS(b, generate.DefaultSystems, 1)
	s, err := LoadSchema(fsys)
	if err != nil {
		b.Fatal(err)
	}
	c := &memCache{}
	o := Options{Cache: c, CacheSalt: []byte("rules")}
	if _, err := s.Load(fsys, o); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Load(fsys, o); err != nil {
			b.Fatal(err)
		}
	}
	if c.puts != len(c.entries) {
		b.Errorf("%d results stored again after the first load", c.puts-len(c.entries))
	}
}
