package dashboard_test

import (
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/dashboard"
	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// BenchmarkWriteNational writes the dashboard of a national-size set (42
// systems: 452 plans) from its check result: the pages, charts and matrix.
// The target is under 5 s.
func BenchmarkWriteNational(b *testing.B) {
	in := judged(b, testutil.EnglandFS(b, generate.DefaultSystems, 1))
	if n := len(in.Set.Documents); n < 450 {
		b.Fatalf("%d documents, want a national-size set", n)
	}
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		if err := dashboard.Write(filepath.Join(dir, strconv.Itoa(i)), in); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReportNational is the whole of `triangulate report` on the same
// set: check, occupancy, contracts and the site (the git history aside).
func BenchmarkReportNational(b *testing.B) {
	fsys := testutil.EnglandFS(b, generate.DefaultSystems, 1)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		in := judged(b, fsys)
		if err := dashboard.Write(filepath.Join(dir, strconv.Itoa(i)), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}
