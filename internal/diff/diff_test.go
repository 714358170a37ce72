package diff

import (
	"slices"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const rtk = "plans/2019-20/providers/rtk.cue"

// load reads the shipped plans with edits applied (old -> new, in rtk.cue).
func load(t *testing.T, edits ...string) *plan.Set {
	t.Helper()
	fsys := testutil.RepoFS(t)
	for i := 0; i < len(edits); i += 2 {
		src := string(fsys[rtk].Data)
		if strings.Count(src, edits[i]) != 1 {
			t.Fatalf("%q must occur once", edits[i])
		}
		fsys[rtk].Data = []byte(strings.Replace(src, edits[i], edits[i+1], 1))
	}
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		t.Fatal(err)
	}
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func keysOf(ms []Measure) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Key)
	}
	return out
}

func TestSets(t *testing.T) {
	base := load(t)
	head := load(t, "surplus: -7500\n", "surplus: -7000\n", "beds_occupied: months: [433,", "beds_occupied: months: [434,")
	fixed := finding.Finding{Rule: "B01", Orgs: []string{"RTK"}, Location: finding.Location{Org: "RTK", File: rtk}}
	other := finding.Finding{Rule: "A04", Orgs: []string{"09N", "RXX"}, Location: finding.Location{Org: "09N"}}
	tests := []struct {
		name    string
		o       Options
		f       Filter
		plans   map[string][]string
		systems int
		fixed   int
	}{
		{"everything", Options{}, Filter{}, map[string][]string{"RTK": {"surplus", "beds.occupied"}}, 1, 2},
		{"one organisation", Options{Counterparties: true}, Filter{Orgs: []string{"RTK"}}, map[string][]string{"RTK": {"surplus", "beds.occupied"}}, 0, 1},
		{"monthly", Options{Monthly: true}, Filter{Orgs: []string{"RTK"}}, map[string][]string{"RTK": {"surplus", "beds.occupied", "beds.occupied.m01"}}, 0, 1},
		{"its system", Options{}, Filter{System: "QXU"}, map[string][]string{"RTK": {"surplus", "beds.occupied"}}, 1, 2},
		{"another organisation", Options{}, Filter{Orgs: []string{"RA2"}}, map[string][]string{}, 0, 0},
		{"another system", Options{}, Filter{System: "QYY"}, map[string][]string{}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Sets(Side{Set: base, Findings: []finding.Finding{fixed, other}}, Side{Set: head}, tc.o, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, p := range r.Plans {
				got[p.Org] = keysOf(p.Measures)
			}
			if len(got) != len(tc.plans) {
				t.Errorf("plans %v, want %v", got, tc.plans)
			}
			for org, want := range tc.plans {
				for _, k := range want {
					if !slices.Contains(got[org], k) {
						t.Errorf("%s: measures %v, want %s among them", org, got[org], k)
					}
				}
			}
			if len(r.Systems) != tc.systems || len(r.Fixed) != tc.fixed || len(r.New) != 0 {
				t.Errorf("%d systems, %d fixed, %d new; want %d, %d, 0", len(r.Systems), len(r.Fixed), len(r.New), tc.systems, tc.fixed)
			}
			for _, s := range r.Systems {
				if !slices.Contains(keysOf(s.Measures), "trusts.surplus") || slices.Contains(keysOf(s.Measures), "ccgs.surplus") {
					t.Errorf("system measures %v, want the trusts' surplus alone", keysOf(s.Measures))
				}
			}
		})
	}
}

func TestUnchangedSetsShowNothing(t *testing.T) {
	s := load(t)
	r, err := Sets(Side{Set: s}, Side{Set: s}, Options{Monthly: true}, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Plans)+len(r.Systems)+len(r.New)+len(r.Fixed) != 0 {
		t.Errorf("%+v, want nothing", r)
	}
}

// TestPairKeepsLineOrder: a measure only the old version states stays
// where it was among the others.
func TestPairKeepsLineOrder(t *testing.T) {
	v := func(keys ...string) []value {
		var out []value
		for _, k := range keys {
			out = append(out, value{key: k})
		}
		return out
	}
	got := keysOf(pair(v("a", "b", "c", "d"), v("a", "c", "e")))
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestMeasureChange(t *testing.T) {
	n := func(x float64) *float64 { return &x }
	tests := []struct {
		m       Measure
		changed bool
		pct     *float64
	}{
		{Measure{Before: n(100), After: n(110)}, true, n(10)},
		{Measure{Before: n(-100), After: n(-90)}, true, n(10)},
		{Measure{Before: n(0), After: n(5)}, true, nil},
		{Measure{Before: n(5), After: n(5)}, false, n(0)},
		{Measure{After: n(5)}, true, nil},
		{Measure{}, false, nil},
	}
	for _, tc := range tests {
		p := tc.m.Pct()
		if tc.m.Changed() != tc.changed || (p == nil) != (tc.pct == nil) || (p != nil && *p != *tc.pct) {
			t.Errorf("%v -> %v: changed %v, pct %v; want %v, %v", tc.m.Before, tc.m.After, tc.m.Changed(), p, tc.changed, tc.pct)
		}
	}
}
