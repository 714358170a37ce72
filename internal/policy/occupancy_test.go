package policy_test

import (
	"context"
	"math"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// The occupancy the dashboard draws is the one B01 judges: RTK's January
// and RXX's declared January are the numbers the bundled plans' B01
// findings quote.
func TestOccupancyIsWhatB01Judges(t *testing.T) {
	ctx := context.Background()
	fsys := testutil.RepoFS(t)
	rules, err := check.LoadRules(ctx, fsys, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(ctx, rules, fsys, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	occ, err := rules.Engine().Occupancy(ctx, res.Set, rules.Registers)
	if err != nil {
		t.Fatal(err)
	}
	year := occ["2019/20"]
	if len(year) != 4 {
		t.Fatalf("providers with occupancy = %d, want the 4 bundled trusts: %v", len(year), year)
	}
	for _, tc := range []struct {
		org, basis         string
		month              int
		bedDays, open, pct float64
	}{
		{"RTK", "derived", 10, 14981, 15996, 93.7},
		{"RXX", "declared", 10, 316 * 31, 338 * 31, 93.5},
	} {
		ms := year[tc.org]
		if len(ms) != 12 {
			t.Fatalf("%s: %d months, want 12", tc.org, len(ms))
		}
		o := ms[tc.month-1]
		if o.Month != tc.month || o.Basis != tc.basis || o.Days != 31 {
			t.Errorf("%s M%d: %+v, want month %d basis %s over 31 days", tc.org, tc.month, o, tc.month, tc.basis)
		}
		if math.Round(o.BedDays) != tc.bedDays || o.BedDaysOpen != tc.open {
			t.Errorf("%s M%d: bed-days %v of %v, want %v of %v", tc.org, tc.month, o.BedDays, o.BedDaysOpen, tc.bedDays, tc.open)
		}
		if o.Pct == nil || math.Round(*o.Pct*10)/10 != tc.pct {
			t.Errorf("%s M%d: pct %v, want %v", tc.org, tc.month, o.Pct, tc.pct)
		}
	}
}

// BenchmarkOccupancyNational evaluates the occupancy of every provider of a
// national-size set (220 trusts), as the dashboard does once per run.
func BenchmarkOccupancyNational(b *testing.B) {
	ctx := context.Background()
	fsys := testutil.EnglandFS(b, 42, 1)
	rules, err := check.LoadRules(ctx, fsys, check.Options{})
	if err != nil {
		b.Fatal(err)
	}
	res, err := check.Run(ctx, rules, fsys, check.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		occ, err := rules.Engine().Occupancy(ctx, res.Set, rules.Registers)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(occ["2019/20"]); n < 200 {
			b.Fatalf("%d providers, want a national set", n)
		}
	}
}
