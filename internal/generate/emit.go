package generate

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/format"

	"github.com/triangulate-nhs/triangulate/internal/planfile"
)

const header = `// SYNTHETIC EXAMPLE DATA. Every number in this file is invented; the
// organisation codes and names are used for illustration only and this is
// not the plan of any real organisation.
//
`

const year, yearDir = "2019/20", "2019-20"

// Validate reports options Generate refuses, in words a user of the command
// can act on.
func (opts Options) Validate() error {
	if opts.Systems < 1 || opts.Systems > MaxSystems {
		return fmt.Errorf("--systems must be between 1 and %d, got %d", MaxSystems, opts.Systems)
	}
	if opts.Faults < 0 || opts.Faults > 1 {
		return fmt.Errorf("--faults must be a share between 0 and 1, got %v", opts.Faults)
	}
	return nil
}

// Generate returns every file of a synthetic repository, by slash path.
// repo is the repository whose schema/, policy/ (but its register),
// cue.mod/ and .github/CODEOWNERS are copied or adapted.
func Generate(repo fs.FS, opts Options) (map[string][]byte, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	e := build(opts)
	plantFaults(e, opts.Seed, opts.Faults)
	out := map[string][]byte{}
	for _, dir := range []string{"schema", "policy", "cue.mod"} {
		err := fs.WalkDir(repo, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.HasPrefix(p, "policy/register/") {
				return nil
			}
			b, err := fs.ReadFile(repo, p)
			if err != nil {
				return err
			}
			out[p] = b
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", dir, err)
		}
	}
	owners, err := fs.ReadFile(repo, ".github/CODEOWNERS")
	if err != nil {
		return nil, fmt.Errorf("read CODEOWNERS: %w", err)
	}
	out[".github/CODEOWNERS"] = codeowners(string(owners), e)

	cue := map[string]string{
		"plans/organisations.cue":             organisations(e),
		"policy/register/" + yearDir + ".cue": register(e),
	}
	for p, src := range cue {
		b, err := format.Source([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("format %s: %w", p, err)
		}
		out[p] = b
	}
	var plans []*planfile.Plan
	for _, s := range e.systems {
		plans = append(plans, systemPlan(s))
	}
	for _, t := range e.trusts {
		plans = append(plans, providerPlan(t))
	}
	for _, c := range e.ccgs {
		plans = append(plans, commissionerPlan(c))
	}
	// Plans are written by the one canonical writer, so a generated plan has
	// the layout an imported workbook gets.
	n := orgNames(e)
	for _, p := range plans {
		b, err := planfile.Format(p, n)
		if err != nil {
			return nil, err
		}
		out[p.Path()] = b
	}
	return out, nil
}

// w builds CUE text; format.Source aligns it afterwards.
type w struct{ bytes.Buffer }

func (b *w) f(format string, args ...any) { fmt.Fprintf(&b.Buffer, format, args...) }

func q(s string) string { return strconv.Quote(s) }

func label(code string) string {
	if code[0] >= '0' && code[0] <= '9' {
		return q(code)
	}
	return code
}

func organisations(e *england) string {
	var b w
	b.WriteString(header)
	b.f("// Organisation reference list: every code a plan may use, with its type.\n\nkind: \"organisations\"\nsynthetic: true\n\norganisations: {\n")
	for _, s := range e.systems {
		b.f("%s: {name: %s, type: \"system\"}\n", label(s.code), q(s.name))
		for _, t := range s.trusts {
			b.f("%s: {name: %s, type: \"trust\", system: %s}\n", label(t.code), q(t.name), q(s.code))
		}
		for _, c := range s.ccgs {
			b.f("%s: {name: %s, type: \"ccg\", system: %s}\n", label(c.code), q(c.name), q(s.code))
		}
		b.f("\n")
	}
	b.f("}\n")
	return b.String()
}

// names is the reference list the plans' counterparty comments come from.
func orgNames(e *england) planfile.Names {
	n := planfile.Names{}
	for _, s := range e.systems {
		n[s.code] = s.name
	}
	for _, t := range e.trusts {
		n[t.code] = t.name
	}
	for _, c := range e.ccgs {
		n[c.code] = c.name
	}
	return n
}

var synthetic = true

func head(code, name string) planfile.Header {
	return planfile.Header{Synthetic: &synthetic, Org: code, Name: name, Year: year}
}

func systemPlan(s *system) *planfile.Plan {
	p := &planfile.System{Header: head(s.code, s.name)}
	for _, t := range s.trusts {
		p.Members = append(p.Members, t.code)
	}
	for _, c := range s.ccgs {
		p.Members = append(p.Members, c.code)
	}
	return &planfile.Plan{System: p}
}

func flow(months []int) planfile.Flow {
	return planfile.Flow{Total: sum(months), Months: months}
}

func moneyFlow(months []int) planfile.MoneyFlow {
	m := make([]float64, len(months))
	for i, x := range months {
		m[i] = float64(x)
	}
	return planfile.MoneyFlow{Total: float64(sum(months)), Months: m}
}

func linesOf(lines []line) planfile.Lines {
	ls := planfile.Lines{}
	for _, l := range lines {
		ls[l.name] = flow(l.months)
	}
	return ls
}

func priorOf(lines []line) planfile.Annual {
	a := planfile.Annual{}
	for _, l := range lines {
		a[l.name] = l.prior
	}
	return a
}

func tenths(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x) / 10
	}
	return out
}

// dec keeps the one decimal place the generated plans have always shown.
func dec(x float64) float64 { return math.Round(x*10) / 10 }

func providerPlan(t *trust) *planfile.Plan {
	f := &t.fin
	p := &planfile.Provider{Header: head(t.code, t.name), System: t.sys.code, Status: "final", Type: t.typ,
		Activity: map[string]planfile.Lines{}, ContractStatus: map[string]planfile.ContractStatus{}}
	for _, k := range t.contracts {
		p.Activity[k.c.code] = linesOf(k.lines)
		p.ContractStatus[k.c.code] = contractStatus(k)
	}
	if rt := t.rtt; rt != nil {
		p.RTT = &planfile.RTT{ClockStarts: flow(rt.starts), CompletedAdmitted: flow(rt.admitted), CompletedNonadmitted: flow(rt.nonAdmitted),
			WaitingList: planfile.Stock{Months: rt.list}, Waits52Weeks: planfile.Stock{Months: rt.waits52}}
	}
	p.Capacity = planfile.Capacity{BedsCore: planfile.Stock{Months: t.beds.core}, BedsEscalation: planfile.Stock{Months: t.beds.escalation},
		BedsOccupied: planfile.Stock{Months: t.beds.occupied}, LOSElectiveOrdinary: dec(t.losOrdinary), LOSNonElective: dec(t.losNonElective)}
	total := make([]int, 12)
	p.Workforce.Groups = map[string]planfile.StaffGroup{}
	for g, name := range groupNames {
		for k := range t.wf.groups[g] {
			for i, x := range t.wf.groups[g][k] {
				total[i] += x
			}
		}
		p.Workforce.Groups[name] = planfile.StaffGroup{Substantive: tenths(t.wf.groups[g][0][:]), Bank: tenths(t.wf.groups[g][1][:]), Agency: tenths(t.wf.groups[g][2][:])}
	}
	p.Workforce.Total = tenths(total)
	pf := &p.Finance
	pf.Income.PatientCare, pf.Income.Other = float64(f.patientCare), float64(f.other)
	pf.Income.ByCommissioner = map[string]planfile.MoneyFlow{}
	for _, k := range t.contracts {
		pf.Income.ByCommissioner[k.c.code] = moneyFlow(k.value)
	}
	pf.Expenditure.Pay.Substantive, pf.Expenditure.Pay.Bank, pf.Expenditure.Pay.Agency = float64(f.substantive), float64(f.bank), float64(f.agency)
	pf.Expenditure.NonPay, pf.Expenditure.Depreciation, pf.Expenditure.Financing = float64(f.nonPay), float64(f.depreciation), float64(f.financing)
	pf.Surplus = float64(f.surplus)
	pf.CIP = planfile.CIP{Total: float64(f.cipTotal), Recurrent: float64(f.cipRecurrent), NonRecurrent: float64(f.cipNonRecurrent), Schemes: []planfile.CIPScheme{}}
	for _, s := range f.schemes {
		pf.CIP.Schemes = append(pf.CIP.Schemes, planfile.CIPScheme{Name: s.name, Category: s.category, Recurrent: s.recurrent, Identified: s.identified,
			Value: float64(s.value), Months: moneyFlow(s.months).Months})
	}
	if len(t.perf) > 0 {
		p.Performance = &planfile.Performance{}
		for _, tr := range t.perf {
			*p.Performance.Get(tr.name) = planfile.Trajectory{Numerator: tr.numerator, Denominator: tr.denominator}
		}
	}
	p.ControlTotalDecision = planfile.Decision{Accepted: true, Date: "2019-03-28", BoardReference: "Board of directors, 28 March 2019, paper BD/19/" + t.code + "/07"}
	py := &p.PriorYear
	py.Year = "2018/19"
	py.Activity, py.Income, py.GrowthPct = map[string]planfile.Annual{}, map[string]float64{}, map[string]float64{}
	for _, k := range t.contracts {
		py.Activity[k.c.code] = priorOf(k.lines)
		py.Income[k.c.code] = float64(k.priorIncome)
	}
	present := map[string]bool{}
	for _, l := range t.contracts[0].lines {
		present[l.name] = true
	}
	for _, n := range growthNames {
		if present[n] {
			py.GrowthPct[n] = dec(t.g.priorTrend)
		}
	}
	wte := dec(t.priorWTE)
	py.WTE = &wte
	py.Pay = float64(t.priorPay)
	if t.rtt != nil {
		py.RTTWaitingListMarch, py.Waits52WeeksMarch = &t.rtt.priorList, &t.rtt.priorWaits52
	}
	return &planfile.Plan{Provider: p}
}

var growthNames = []string{"gp_referrals", "other_referrals", "op_first", "elective", "non_elective", "ae_total"}

func commissionerPlan(c *ccg) *planfile.Plan {
	f := &c.fin
	p := &planfile.Commissioner{Header: head(c.code, c.name), System: c.sys.code, Status: "final", Contracts: map[string]planfile.Contract{}}
	for _, k := range c.contracts {
		lines := k.lines
		if k.ccgLines != nil {
			lines = k.ccgLines
		}
		p.Contracts[k.t.code] = planfile.Contract{Status: contractStatus(k), Value: moneyFlow(k.value), Activity: linesOf(lines)}
	}
	p.Finance = planfile.CommissionerFinance{OtherSpend: float64(f.otherSpend), QIPP: float64(f.qipp), Surplus: float64(f.surplus), MentalHealth: float64(f.mentalHealth)}
	py := &p.PriorYear
	py.Year = "2018/19"
	py.Activity, py.GrowthPct = map[string]planfile.Annual{}, map[string]float64{}
	for _, k := range c.contracts {
		py.Activity[k.t.code] = priorOf(k.lines)
	}
	for _, n := range growthNames {
		py.GrowthPct[n] = dec(f.growth[n])
	}
	py.MentalHealth = float64(f.mentalHealthPrior)
	return &planfile.Plan{Commissioner: p}
}

func register(e *england) string {
	var b w
	b.WriteString(strings.Replace(header, "this is\n// not the plan of any real organisation.", "these are\n// not any regulator's real figures.", 1))
	b.f("// The regulator register for %s. Money is in £000.\n\nkind: \"register\"\nsynthetic: true\nyear: %q\nregulator: \"NHS Improvement and NHS England\"\n\n", year, year)
	b.f("providers: {\n")
	for _, t := range e.trusts {
		f := &t.fin
		b.f("%s: {\ncontrol_total: %d\nsustainability_funding: {amount: %d, conditions: [\"accept_control_total\", \"meet_control_total\"]}\nagency_ceiling: %d\n}\n", label(t.code), f.controlTotal, f.funding, f.agencyCeiling)
	}
	b.f("}\n\ncommissioners: {\n")
	for _, c := range e.ccgs {
		b.f("%s: {allocation: %d, allocation_prior_year: %d, required_surplus: %d}\n", label(c.code), c.fin.allocation, c.fin.allocationPrior, c.fin.required)
	}
	b.f("}\n\n// A system's control total is the sum of its members' control totals and\n// required surpluses (C06).\nsystems: {\n")
	for _, s := range e.systems {
		ct := 0
		for _, t := range s.trusts {
			ct += t.fin.controlTotal
		}
		for _, c := range s.ccgs {
			ct += c.fin.required
		}
		b.f("%s: {control_total: %d}\n", label(s.code), ct)
	}
	b.f("}\n\n")
	b.f(`submission_windows: [
	{name: "draft", opens: "2019-01-10", closes: "2019-02-12"},
	{name: "final", opens: "2019-03-01", closes: "2019-04-04"},
]

national_asks: {
	provider_sector_surplus_min:       0
	rtt_waiting_list_no_growth:        true
	waits_52_weeks_max_pct:            50
	mental_health_investment_standard: true
}
`)
	return b.String()
}

// codeowners keeps the repository's own lines and replaces its
// per-organisation paragraphs with one line per generated organisation.
func codeowners(src string, e *england) []byte {
	paras := strings.Split(src, "\n\n")
	var out []string
	inserted := false
	for _, p := range paras {
		if strings.Contains(p, "\n/plans/**/") || strings.HasPrefix(p, "/plans/**/") {
			if !inserted {
				out = append(out, orgOwners(e)...)
				inserted = true
			}
			continue
		}
		out = append(out, p)
	}
	if !inserted {
		out = append(out, orgOwners(e)...)
	}
	s := strings.Join(out, "\n\n")
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return []byte(s)
}

func orgOwners(e *england) []string {
	var paras []string
	row := func(b *strings.Builder, p, team string) {
		fmt.Fprintf(b, "%-43s @triangulate-nhs/%s\n", p, team)
	}
	for _, s := range e.systems {
		var b strings.Builder
		fmt.Fprintf(&b, "# %s (%s): its trusts, CCGs and system file.\n", s.name, s.code)
		for _, t := range s.trusts {
			row(&b, "/plans/**/providers/"+lower(t.code)+".cue", lower(t.code)+"-planning")
		}
		for _, c := range s.ccgs {
			row(&b, "/plans/**/commissioners/"+lower(c.code)+".cue", lower(c.code)+"-planning")
		}
		row(&b, "/plans/**/system-"+lower(s.code)+".cue", lower(s.code)+"-system-leads")
		paras = append(paras, strings.TrimSuffix(b.String(), "\n"))
	}
	return paras
}

// Paths lists the generated files in a stable order, for writing them out.
func Paths(files map[string][]byte) []string {
	ps := make([]string, 0, len(files))
	for p := range files {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// contractStatus is the status both sides of a contract record: signed in
// March 2019, on a day derived from the two codes rather than drawn from the
// generator's random source, so adding it left every other figure as it was.
func contractStatus(k *contract) planfile.ContractStatus {
	h := fnv.New32a()
	h.Write([]byte(k.t.code + k.c.code))
	return planfile.ContractStatus{State: "signed", Date: fmt.Sprintf("2019-03-%02d", 1+h.Sum32()%28)}
}
