package review_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/review"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// BenchmarkReviewNational: pull requests that each change one trust's plan
// (its surplus, so the change reaches its system's sums and the national
// ones) in the generated England (452 plans), reviewed as merged into main:
// with no result cache ("cold"), and with one holding main's results, as it
// does once main has been checked ("warm"). Each iteration reviews a change
// the cache has not seen.
func BenchmarkReviewNational(b *testing.B) {
	src := testutil.EnglandFS(b, generate.DefaultSystems, 1)
	g := testutil.NewGitOf(b, src)
	var providers []string
	for _, n := range slices.Sorted(maps.Keys(src)) {
		if strings.HasPrefix(n, "plans/2019-20/providers/") {
			providers = append(providers, n)
		}
	}
	surplus := regexp.MustCompile(`(?m)^\tsurplus: +(-?\d+)$`)
	var heads []string
	for i, name := range providers[:min(len(providers), 12)] {
		g.Checkout("main")
		g.Branch(fmt.Sprintf("one-plan-%d", i))
		m := surplus.FindStringSubmatch(g.Read(name))
		if m == nil {
			b.Fatalf("%s: no surplus line", name)
		}
		g.Replace(name, m[0], strings.Replace(m[0], m[1], m[1]+"0", 1))
		heads = append(heads, g.Commit("one plan changed"))
	}
	g.Checkout("main")
	repo := gitrepo.Wrap(g.Repo)
	ctx := context.Background()
	run := func(b *testing.B, c *cache.Cache, memo *check.Memo) {
		o := review.Options{Check: check.Options{Today: opts.Check.Today, Cache: c, Memo: memo}}
		if c != nil {
			// main's own check fills the cache (and the memo).
			if _, err := review.RunMerged(ctx, repo, review.PullRequest{Base: "main", Head: "main"}, o); err != nil {
				b.Fatal(err)
			}
		}
		stop := peakMemory(b)
		defer stop()
		i := 0
		for b.Loop() {
			if i == len(heads) {
				b.Fatalf("more iterations than prepared changes (%d): use -benchtime %dx or fewer", len(heads), len(heads))
			}
			if _, err := review.RunMerged(ctx, repo, review.PullRequest{Base: "main", Head: heads[i]}, o); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	b.Run("cold", func(b *testing.B) { run(b, nil, nil) })
	b.Run("warm", func(b *testing.B) {
		c, err := cache.Open(b.TempDir(), 0)
		if err != nil {
			b.Fatal(err)
		}
		run(b, c, nil)
	})
	// As `serve` reviews: main's rules and check also kept in memory.
	b.Run("server", func(b *testing.B) {
		c, err := cache.Open(b.TempDir(), 0)
		if err != nil {
			b.Fatal(err)
		}
		run(b, c, check.NewMemo())
	})
}

// peakMemory reports, when stop is called, the process's peak resident
// size since it was called, as peak-MiB (Linux: the high-water mark is reset
// through /proc/self/clear_refs and read from /proc/self/status; elsewhere
// nothing is reported), the benchmark's own repository included; and the
// live heap after a collection, as live-MiB.
func peakMemory(b *testing.B) (stop func()) {
	// What setting up the benchmark left behind is handed back first.
	debug.FreeOSMemory()
	reset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	return func() {
		if reset {
			if st, err := os.ReadFile("/proc/self/status"); err == nil {
				if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(st); m != nil {
					kb, _ := strconv.Atoi(string(m[1]))
					b.ReportMetric(float64(kb)/1024, "peak-MiB")
				}
			}
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-MiB")
	}
}
