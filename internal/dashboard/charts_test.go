package dashboard

import (
	"math"
	"testing"
)

// Axis ticks are round and whole in the unit shown, even for figures that
// are all zero.
func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		c      *barChart
		wholes bool
	}{
		{"all zero", surplusChart("s", "t", "Organisation", []surplusItem{{Label: "09N", Surplus: ptr(0), Target: ptr(0)}}), true},
		{"mixed", surplusChart("s", "t", "Organisation", []surplusItem{{Label: "RTK", Surplus: ptr(-7500), Target: ptr(-7000)}, {Label: "09Y", Surplus: ptr(200), Target: ptr(0)}}), true},
	} {
		seen := map[string]bool{}
		for _, tk := range tc.c.Ticks {
			if seen[tk.Text] {
				t.Errorf("%s: tick %q twice: %+v", tc.name, tk.Text, tc.c.Ticks)
			}
			seen[tk.Text] = true
		}
		if len(tc.c.Ticks) < 2 {
			t.Errorf("%s: %d ticks", tc.name, len(tc.c.Ticks))
		}
	}
	for _, tc := range []struct{ lo, hi float64 }{{0, 1000}, {-7500, 200}, {0, 516}, {0, 12}, {3, 97}} {
		ts := niceTicks(tc.lo, tc.hi, 4)
		if ts[0] > tc.lo || ts[len(ts)-1] < tc.hi {
			t.Errorf("niceTicks(%v, %v) = %v: does not cover the range", tc.lo, tc.hi, ts)
		}
		for _, v := range ts {
			if v != math.Round(v) {
				t.Errorf("niceTicks(%v, %v) = %v: not whole", tc.lo, tc.hi, ts)
			}
		}
	}
}

func ptr(x float64) *float64 { return &x }
