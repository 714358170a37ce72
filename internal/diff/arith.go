package diff

import "slices"

// add sums xs; nil when any is missing, since a part of a total is not
// the total.
func add(xs ...*float64) *float64 {
	t := 0.0
	for _, x := range xs {
		if x == nil {
			return nil
		}
		t += *x
	}
	return &t
}

// sumSeries adds monthly series month by month; its total is the sum of
// every month. No series, no reading.
func sumSeries(ms [][]float64) reading {
	if len(ms) == 0 {
		return reading{}
	}
	out := make([]float64, 12)
	t := 0.0
	for _, m := range ms {
		for i, x := range m {
			if i < 12 {
				out[i] += x
			}
			t += x
		}
	}
	return reading{total: &t, months: out}
}

// mean is the average of xs; nil for none.
func mean(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	t := 0.0
	for _, x := range xs {
		t += x
	}
	m := t / float64(len(xs))
	return &m
}

func months(f *flow) []float64 {
	if f == nil {
		return nil
	}
	return f.Months
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// values lists a map's values in key order, so sums add up the same way on
// every run.
func values[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range keys(m) {
		out = append(out, m[k])
	}
	return out
}

// keys lists the keys of every map, sorted and once each.
func keys[V any](ms ...map[string]V) []string {
	var out []string
	for _, m := range ms {
		for k := range m {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
