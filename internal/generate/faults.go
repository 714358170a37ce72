package generate

import (
	"math"
	"math/rand/v2"
)

// fault is one kind of planted problem and the rule it must trip. Plants
// change the model after it is built, from their own random stream, so a
// set with faults differs from the clean set of the same seed only where
// a fault was planted.
type fault struct {
	rule    string
	applies func(t *trust) bool
	plant   func(r *rand.Rand, t *trust)
}

func always(*trust) bool       { return true }
func hasBeds(t *trust) bool    { return t.typ == typeAcute || t.typ == typeSpecialist }
func hasTargets(t *trust) bool { return len(t.perf) > 0 }

// Faults lists the rule each planted fault kind is built to trip: one or
// more per rule family (consistency, alignment, believability, control
// totals, performance), in the order trusts receive them.
func Faults() []string {
	ids := make([]string, len(faults))
	for i, f := range faults {
		ids[i] = f.rule
	}
	return ids
}

var faults = []fault{
	// Consistency: the surplus no longer follows from income and spend.
	{"I03", always, func(r *rand.Rand, t *trust) { t.fin.surplus += 500 + r.IntN(1000) }},
	// Alignment: the commissioner plans 8% fewer first outpatient
	// attendances than the trust on one contract.
	{"A01", always, func(r *rand.Rand, t *trust) {
		k := t.contracts[r.IntN(len(t.contracts))]
		k.ccgLines = make([]line, len(k.lines))
		for i, l := range k.lines {
			k.ccgLines[i] = l
			if l.name == "op_first" {
				m := make([]int, 12)
				for j, n := range l.months {
					m[j] = int(math.Round(float64(n) * 0.92))
				}
				k.ccgLines[i].months = m
			}
		}
	}},
	// Believability: beds cut by 7%, so occupancy runs above 92%.
	{"B01", hasBeds, func(_ *rand.Rand, t *trust) {
		for i := range t.beds.core {
			t.beds.core[i] = int(math.Floor(float64(t.beds.core[i]) * 0.93))
		}
	}},
	// Believability: agency spend above the register's ceiling.
	{"B05", always, func(r *rand.Rand, t *trust) { t.fin.agencyCeiling = t.fin.agency - 200 - r.IntN(500) }},
	// Control totals: the register asks for more than the trust plans.
	{"C01", always, func(r *rand.Rand, t *trust) { t.fin.controlTotal = t.fin.surplus + 1000 + r.IntN(2000) }},
	// Performance: A&E 4 hours below 95% all year and drifting down.
	{"P01", hasTargets, func(_ *rand.Rand, t *trust) {
		for _, tr := range t.perf {
			if tr.name == "ae_4h" {
				for i, d := range tr.denominator {
					tr.numerator[i] = int(math.Floor(float64(d) * (0.86 - 0.01*float64(i)/11)))
				}
			}
		}
	}},
}

// plantFaults gives each trust a fault with probability rate, cycling
// through the kinds so that every family appears in a large enough set.
func plantFaults(e *england, seed uint64, rate float64) {
	if rate <= 0 {
		return
	}
	r := rand.New(rand.NewPCG(seed^0x5bd1e995, seed+0x7f4a7c15))
	next := 0
	for _, t := range e.trusts {
		if r.Float64() >= rate {
			continue
		}
		for range faults {
			f := faults[next%len(faults)]
			next++
			if f.applies(t) {
				f.plant(r, t)
				break
			}
		}
	}
}
