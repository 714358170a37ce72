// build.go makes every figure of the synthetic England. It is longer than
// the project's usual 400 lines on purpose: the figures are built so each
// rule passes by construction (contract sides equal, months summing to
// totals, occupancy, read-across, control totals and national asks), and
// those constraints depend on one another; kept in one file, they read in
// the order they are satisfied.

package generate

import (
	"math"
	"math/rand/v2"
	"slices"
)

type england struct {
	systems []*system
	trusts  []*trust
	ccgs    []*ccg
}

// build draws the organisations and every figure. All randomness comes
// from r, in a fixed order, so a seed fixes the result.
func build(opts Options) *england {
	r := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	cs := &codes{r: r, used: map[string]bool{}}
	ns := &names{r: r, used: map[string]bool{}}
	e := &england{}
	nTrusts := counts(r, opts.Systems, 220, 4, 7)
	nCCGs := counts(r, opts.Systems, 190, 3, 7)
	for si := range opts.Systems {
		place := ns.place()
		s := &system{code: cs.system(), name: place + " Health and Care Partnership"}
		for i := range nTrusts[si] {
			typ := typeAcute
			if i > 0 {
				switch x := r.IntN(100); {
				case x < 17:
					typ = typeMental
				case x < 30:
					typ = typeCommunity
				case x < 38:
					typ = typeSpecialist
				}
			}
			p := place
			if i > 0 {
				p = ns.place()
			}
			t := &trust{code: cs.trust(), typ: typ, sys: s, name: trustName(p, typ, r)}
			s.trusts = append(s.trusts, t)
			e.trusts = append(e.trusts, t)
		}
		for range nCCGs[si] {
			c := &ccg{code: cs.ccg(), sys: s, name: "NHS " + ns.place() + " CCG"}
			s.ccgs = append(s.ccgs, c)
			e.ccgs = append(e.ccgs, c)
		}
		e.systems = append(e.systems, s)
	}
	// Contracts: every CCG with every trust of its own system, plus up to
	// three across the border, within 3-15 providers.
	for _, s := range e.systems {
		for _, c := range s.ccgs {
			for _, t := range s.trusts {
				link(c, t, between(r, 0.6, 1.4))
			}
			if len(e.systems) > 1 {
				extra := 1 + r.IntN(3)
				for tries := 0; extra > 0 && tries < 20 && len(c.contracts) < 15; tries++ {
					t := e.trusts[r.IntN(len(e.trusts))]
					if t.sys == s || hasContract(c, t) {
						continue
					}
					link(c, t, between(r, 0.05, 0.15))
					extra--
				}
			}
		}
	}
	for _, t := range e.trusts {
		buildTrust(r, t)
	}
	for _, c := range e.ccgs {
		buildCCG(r, c)
	}
	return e
}

// counts shares out the national total (scaled to n systems of the 42)
// between systems, each getting between lo and hi organisations.
func counts(r *rand.Rand, n, national, lo, hi int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = lo
	}
	extra := int(math.Round(float64(national)*float64(n)/DefaultSystems)) - lo*n
	for extra > 0 {
		i := r.IntN(n)
		if out[i] < hi {
			out[i]++
			extra--
		}
		if slices.Min(out) == hi {
			break
		}
	}
	return out
}

func hasContract(c *ccg, t *trust) bool {
	return slices.ContainsFunc(c.contracts, func(k *contract) bool { return k.t == t })
}

func link(c *ccg, t *trust, w float64) {
	k := &contract{t: t, c: c, weight: w}
	c.contracts = append(c.contracts, k)
	t.contracts = append(t.contracts, k)
}

func buildTrust(r *rand.Rand, t *trust) {
	acute := t.typ == typeAcute || t.typ == typeSpecialist
	t.scale = between(r, 0.45, 1.5)
	if t.typ == typeSpecialist {
		t.scale = between(r, 0.2, 0.45)
	}
	t.g = growth{activity: between(r, 0.01, 0.018)}
	t.g.priorTrend = t.g.activity*100 + between(r, 0.5, 1.5)
	t.k = between(r, 1.3, 1.45)
	if !acute {
		t.k = between(r, 15, 30)
	}
	total := 0.0
	for _, k := range t.contracts {
		total += k.weight
	}
	// Activity by contract: one set of figures both sides print.
	value, priorValue := 0.0, 0.0
	for _, k := range t.contracts {
		share := t.scale * k.weight / total
		kv, kp := 0.0, 0.0
		add := func(name string, n float64, prof []float64) {
			annual := int(math.Round(n * share))
			ln := line{name: name, months: spread(annual, prof), prior: int(math.Round(float64(annual) / (1 + t.g.activity)))}
			k.lines = append(k.lines, ln)
			kv += float64(annual) * unitPrices[name]
			kp += float64(ln.prior) * unitPrices[name]
		}
		if acute {
			for _, l := range acuteRef {
				if t.typ == typeSpecialist && (l.name == "ae_type1" || l.name == "ae_other") {
					continue
				}
				add(l.name, l.n, l.prof)
			}
		} else {
			for _, l := range communityRef {
				add(l.name, l.n*between(r, 0.8, 1.2), l.prof)
			}
		}
		k.lines = withWholes(k.lines)
		income := int(math.Round(kv * t.k / 1000))
		k.value = spread(income, valueProfile(k.lines, acute))
		k.priorIncome = int(math.Round(float64(income) * kp / kv / 1.025))
		value += kv
		priorValue += kp
	}
	if acute {
		buildBeds(r, t)
		buildRTT(r, t)
		if t.typ == typeAcute {
			buildPerformance(r, t)
		}
	} else {
		t.losOrdinary, t.losNonElective = 28, 35
		core := int(math.Round(t.scale * between(r, 120, 300)))
		t.beds = beds{core: constant(core), escalation: make([]int, 12), occupied: make([]int, 12)}
		for i := range 12 {
			t.beds.occupied[i] = int(math.Floor(float64(core) * (0.86 + 0.02*winter[i] - 0.02)))
		}
	}
	buildFinance(r, t)
}

func constant(n int) []int {
	out := make([]int, 12)
	for i := range out {
		out[i] = n
	}
	return out
}

// withWholes adds the parent lines (I02) as month-by-month sums of their
// parts, in the order the bundled plans use.
func withWholes(parts []line) []line {
	by := map[string]line{}
	for _, l := range parts {
		by[l.name] = l
	}
	whole := func(name, a, b string) {
		la, oka := by[a]
		lb, okb := by[b]
		if !oka || !okb {
			return
		}
		m := make([]int, 12)
		for i := range m {
			m[i] = la.months[i] + lb.months[i]
		}
		by[name] = line{name: name, months: m, prior: la.prior + lb.prior}
	}
	whole("elective", "elective_daycase", "elective_ordinary")
	whole("non_elective", "non_elective_zero_los", "non_elective_los")
	whole("ae_total", "ae_type1", "ae_other")
	var out []line
	for _, n := range lineOrder {
		if l, ok := by[n]; ok {
			out = append(out, l)
		}
	}
	return out
}

var lineOrder = []string{
	"gp_referrals", "other_referrals", "op_first", "op_followup", "elective", "elective_daycase",
	"elective_ordinary", "non_elective", "non_elective_zero_los", "non_elective_los", "ae_total",
	"ae_type1", "ae_other", "diagnostics",
}

// valueProfile phases a contract's money with its priced activity; block
// contracts (mental health, community) are paid in twelfths.
func valueProfile(lines []line, acute bool) []float64 {
	p := make([]float64, 12)
	if !acute {
		for i := range p {
			p[i] = 1
		}
		return p
	}
	for _, l := range lines {
		for i, n := range l.months {
			p[i] += float64(n) * unitPrices[l.name]
		}
	}
	for i := range p {
		if p[i] == 0 {
			p[i] = 1
		}
	}
	return p
}

func monthly(t *trust, name string) []int {
	out := make([]int, 12)
	for _, k := range t.contracts {
		for _, l := range k.lines {
			if l.name == name {
				for i, n := range l.months {
					out[i] += n
				}
			}
		}
	}
	return out
}

// buildBeds opens enough beds for the planned spells at about 89% (B01,
// below 92%) and declares the occupied beds those spells need (R03).
func buildBeds(r *rand.Rand, t *trust) {
	t.losOrdinary = math.Round(between(r, 3.0, 3.6)*10) / 10
	t.losNonElective = math.Round(between(r, 5.4, 6.4)*10) / 10
	ord, nel := monthly(t, "elective_ordinary"), monthly(t, "non_elective_los")
	need := make([]float64, 12) // beds occupied on average
	for i := range need {
		need[i] = (float64(ord[i])*t.losOrdinary + float64(nel[i])*t.losNonElective) / float64(daysIn[i])
	}
	target := between(r, 0.87, 0.9)
	core := 0
	for i := range 8 {
		core = max(core, int(math.Ceil(need[i]/target)))
	}
	esc := 0
	for i := 8; i < 12; i++ {
		esc = max(esc, int(math.Ceil(need[i]/target))-core)
	}
	t.beds = beds{core: constant(core), escalation: make([]int, 12), occupied: make([]int, 12)}
	for i := range 12 {
		if i >= 8 {
			t.beds.escalation[i] = esc
		}
		t.beds.occupied[i] = int(math.Round(need[i]))
	}
}

// buildRTT plans more clock stops than starts, so the waiting list falls a
// little (B03, N02), and halves 52-week waits (N03).
func buildRTT(r *rand.Rand, t *trust) {
	refs := monthly(t, "gp_referrals")
	other := monthly(t, "other_referrals")
	starts := make([]int, 12)
	for i := range starts {
		starts[i] = int(math.Round(float64(refs[i]+other[i]) * 0.55))
	}
	rt := &rtt{starts: starts}
	rt.priorList = int(math.Round(float64(sum(starts)) * between(r, 0.33, 0.42)))
	rt.admitted, rt.nonAdmitted, rt.list = make([]int, 12), make([]int, 12), make([]int, 12)
	list := rt.priorList
	for i, s := range starts {
		stops := s + int(math.Ceil(float64(s)*0.004))
		rt.admitted[i] = int(math.Round(float64(stops) * 0.32))
		rt.nonAdmitted[i] = stops - rt.admitted[i]
		list += s - stops
		rt.list[i] = list
	}
	rt.priorWaits52 = r.IntN(40)
	rt.waits52 = make([]int, 12)
	for i := range 12 {
		rt.waits52[i] = rt.priorWaits52 - (rt.priorWaits52-rt.priorWaits52/2)*(i+1)/12
	}
	t.rtt = rt
}

// buildPerformance plans trajectories that reach their standard by March
// (P01 asks for recovery when a standard is missed all year).
func buildPerformance(r *rand.Rand, t *trust) {
	ae := monthly(t, "ae_total")
	rising := func(name string, denom []int, from, to float64) trajectory {
		tr := trajectory{name: name, denominator: denom, numerator: make([]int, 12)}
		for i, d := range denom {
			rate := from + (to-from)*float64(i)/11
			tr.numerator[i] = min(d, int(math.Floor(float64(d)*rate)))
		}
		return tr
	}
	cancer := make([]int, 12)
	diag := make([]int, 12)
	for i := range 12 {
		cancer[i] = int(math.Round(t.scale * 60 * working[i]))
		diag[i] = int(math.Round(t.scale * 6000 * (1 - 0.002*float64(i))))
	}
	t.perf = []trajectory{
		rising("ae_4h", ae, between(r, 0.86, 0.93), 0.952),
		rising("rtt_18w", t.rtt.list, between(r, 0.84, 0.9), 0.925),
		rising("cancer_62d", cancer, between(r, 0.76, 0.84), 0.87),
		rising("diagnostics_6w", diag, between(r, 0.015, 0.04), 0.008),
	}
}

// buildFinance balances the I&E (I03), prices pay per WTE at £42-52k with
// pay growth = WTE growth + the award (R02), and sets CIP at 3-3.8% of
// operating expenditure (B06) with a small unidentified share (R04).
func buildFinance(r *rand.Rand, t *trust) {
	f := &t.fin
	for _, k := range t.contracts {
		f.patientCare += sum(k.value)
	}
	f.other = int(math.Round(float64(f.patientCare) * between(r, 0.06, 0.1)))
	income := f.patientCare + f.other
	pay := int(math.Round(float64(income) * between(r, 0.6, 0.66)))
	f.agency = int(math.Round(float64(pay) * between(r, 0.02, 0.03)))
	f.bank = int(math.Round(float64(pay) * between(r, 0.04, 0.06)))
	f.substantive = pay - f.agency - f.bank
	f.depreciation = int(math.Round(float64(income) * between(r, 0.015, 0.02)))
	f.financing = int(math.Round(float64(income) * between(r, 0.006, 0.01)))
	f.surplus = int(math.Round(float64(income) * between(r, -0.012, 0.008)))
	f.nonPay = income - pay - f.depreciation - f.financing - f.surplus
	f.controlTotal = f.surplus - int(math.Round(between(r, 100, 800)))
	f.funding = int(math.Round(float64(income)*between(r, 0.012, 0.02)/100)) * 100
	f.agencyCeiling = int(math.Ceil(float64(f.agency)*between(r, 1.08, 1.2)/100)) * 100

	// Workforce: mean WTE from pay per WTE, grown through the year, with
	// bank and agency up in winter.
	perWTE := between(r, 42, 52)
	wte := float64(pay) / perWTE
	agencyShare, bankShare := 0.025, 0.05
	for g, share := range groupShares {
		base := wte * share * 10 // tenths
		for i := range 12 {
			season := 1.0
			if i >= 8 && i <= 10 {
				season = 1.08
			}
			trend := 1 + 0.001*float64(i-6)
			t.wf.groups[g][0][i] = int(math.Round(base * (1 - agencyShare - bankShare) * trend))
			t.wf.groups[g][1][i] = int(math.Round(base * bankShare * season))
			t.wf.groups[g][2][i] = int(math.Round(base * agencyShare * season))
		}
	}
	mean := float64(sumWTE(t.wf)) / 120
	wteGrowth := between(r, 0.004, 0.012)
	t.priorWTE = math.Round(mean/(1+wteGrowth)*10) / 10
	t.priorPay = int(math.Round(float64(pay) / (1 + wteGrowth + 0.025)))

	// CIP.
	opex := pay + f.nonPay
	f.cipTotal = int(math.Round(float64(opex) * between(r, 0.03, 0.038)))
	f.cipNonRecurrent = int(math.Round(float64(f.cipTotal) * between(r, 0.1, 0.2)))
	f.cipRecurrent = f.cipTotal - f.cipNonRecurrent
	shares := []float64{0.25, 0.2, 0.18, 0.14, 0.1, 0.13}
	left := f.cipRecurrent
	for i, s := range cipSchemes {
		v := int(math.Round(float64(f.cipRecurrent) * shares[i]))
		if i == len(cipSchemes)-1 {
			v = left
		}
		left -= v
		f.schemes = append(f.schemes, scheme{name: s.name, category: s.category, recurrent: true, identified: !s.unidentified, value: v, months: spread(v, cipPhasing)})
	}
	f.schemes = append(f.schemes, scheme{name: "Non-recurrent: vacancy control and balance sheet review", category: "other", identified: true, value: f.cipNonRecurrent, months: spread(f.cipNonRecurrent, cipPhasing)})
}

func sumWTE(w workforce) int {
	n := 0
	for g := range w.groups {
		for k := range w.groups[g] {
			n += sum(w.groups[g][k][:])
		}
	}
	return n
}

var cipPhasing = []float64{7, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9}

var cipSchemes = []struct {
	name, category string
	unidentified   bool
}{
	{"Theatre productivity: session utilisation to 85%", "productivity", false},
	{"Length of stay: ward rounds and criteria-led discharge", "productivity", false},
	{"Agency reduction: bank incentive scheme", "workforce", false},
	{"Procurement: regional consumables framework", "procurement", false},
	{"Medicines: biosimilar switching", "medicines", false},
	{"Estates and back office: schemes still to be identified", "estates", true},
}

// buildCCG sets the allocation so that contracts are 55-70% of it, the
// surplus at or above the required surplus (C04) and balancing (I03), and
// mental health spend growing faster than the allocation (N04).
func buildCCG(r *rand.Rand, c *ccg) {
	f := &c.fin
	contracts, mh := 0, 0
	for _, k := range c.contracts {
		contracts += sum(k.value)
		if k.t.typ == typeMental {
			mh += sum(k.value)
		}
	}
	f.allocation = int(math.Round(float64(contracts)/between(r, 0.55, 0.7)/1000)) * 1000
	growth := between(r, 0.045, 0.06)
	f.allocationPrior = int(math.Round(float64(f.allocation) / (1 + growth)))
	if r.IntN(3) == 0 {
		f.required = int(math.Round(float64(f.allocation)*0.01/100)) * 100
	}
	f.surplus = f.required + int(math.Round(between(r, 0, 500)))
	f.otherSpend = f.allocation - contracts - f.surplus
	f.qipp = int(math.Round(float64(f.allocation) * between(r, 0.015, 0.025)))
	f.mentalHealth = max(mh+int(float64(f.allocation)*0.03), int(float64(f.allocation)*between(r, 0.11, 0.14)))
	f.mentalHealthPrior = int(math.Floor(float64(f.mentalHealth) * float64(f.allocationPrior) / float64(f.allocation) * between(r, 0.99, 0.998)))
	f.growth = map[string]float64{}
	for _, n := range []string{"gp_referrals", "other_referrals", "op_first", "elective", "non_elective", "ae_total"} {
		f.growth[n] = math.Round(between(r, 1.8, 3.2)*10) / 10
	}
}
