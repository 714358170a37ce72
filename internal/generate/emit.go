package generate

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/format"
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
	for _, s := range e.systems {
		cue[fmt.Sprintf("plans/%s/system-%s.cue", yearDir, lower(s.code))] = systemPlan(s)
	}
	for _, t := range e.trusts {
		cue[fmt.Sprintf("plans/%s/providers/%s.cue", yearDir, lower(t.code))] = providerPlan(t)
	}
	for _, c := range e.ccgs {
		cue[fmt.Sprintf("plans/%s/commissioners/%s.cue", yearDir, lower(c.code))] = commissionerPlan(c)
	}
	for p, src := range cue {
		b, err := format.Source([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("format %s: %w", p, err)
		}
		out[p] = b
	}
	return out, nil
}

// w builds CUE text; format.Source aligns it afterwards.
type w struct{ bytes.Buffer }

func (b *w) f(format string, args ...any) { fmt.Fprintf(&b.Buffer, format, args...) }

func ints(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func tenths(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%d.%d", x/10, x%10)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func dec(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

func q(s string) string { return strconv.Quote(s) }

func label(code string) string {
	if code[0] >= '0' && code[0] <= '9' {
		return q(code)
	}
	return code
}

func flow(months []int) string {
	return fmt.Sprintf("{total: %d, months: %s}", sum(months), ints(months))
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

func systemPlan(s *system) string {
	var b w
	b.WriteString(header)
	b.f("// %s (%s), %s: the members whose plans make up the system. The system\n// control total is the regulator's, in policy/register/%s.cue (C03, C06).\n\n", s.name, s.code, year, yearDir)
	b.f("kind: \"system\"\nsynthetic: true\norg: %s\nname: %s\nyear: %q\n\n", q(s.code), q(s.name), year)
	var m []string
	for _, t := range s.trusts {
		m = append(m, q(t.code))
	}
	for _, c := range s.ccgs {
		m = append(m, q(c.code))
	}
	b.f("members: [%s]\n", strings.Join(m, ", "))
	return b.String()
}

func linesBlock(b *w, lines []line) {
	for _, l := range lines {
		b.f("%s: %s\n", l.name, flow(l.months))
	}
}

func priorBlock(b *w, lines []line) {
	for _, l := range lines {
		b.f("%s: %d\n", l.name, l.prior)
	}
}

var typeLabel = map[string]string{typeAcute: "an acute trust", typeMental: "a mental health trust", typeCommunity: "a community trust", typeSpecialist: "a specialist trust"}

func providerPlan(t *trust) string {
	var b w
	f := &t.fin
	b.WriteString(header)
	b.f("// %s (%s)\n// Operational plan %s: %s,\n// a member of %s (%s).\n// Months run M1 = April 2019 .. M12 = March 2020; money is in £000.\n\n", t.name, t.code, year, typeLabel[t.typ], t.sys.name, t.sys.code)
	b.f("kind: \"provider\"\nsynthetic: true\norg: %s\nname: %s\nsystem: %s\nyear: %q\nstatus: \"final\"\ntype: %q\n\n", q(t.code), q(t.name), q(t.sys.code), year, t.typ)
	b.f("// Activity by commissioner: this trust's side of each contract (A01).\nactivity: {\n")
	for _, k := range t.contracts {
		b.f("// %s\n%s: {\n", k.c.name, label(k.c.code))
		linesBlock(&b, k.lines)
		b.f("}\n")
	}
	b.f("}\n\n")
	if rt := t.rtt; rt != nil {
		b.f("// Referral to treatment, whole trust.\nrtt: {\n")
		b.f("clock_starts: %s\ncompleted_admitted: %s\ncompleted_nonadmitted: %s\n", flow(rt.starts), flow(rt.admitted), flow(rt.nonAdmitted))
		b.f("waiting_list: months: %s\nwaits_52_weeks: months: %s\n}\n\n", ints(rt.list), ints(rt.waits52))
	}
	b.f("capacity: {\nbeds_core: months: %s\nbeds_escalation: months: %s\nbeds_occupied: months: %s\nlos_elective_ordinary: %s\nlos_non_elective: %s\n}\n\n",
		ints(t.beds.core), ints(t.beds.escalation), ints(t.beds.occupied), dec(t.losOrdinary), dec(t.losNonElective))
	b.f("// Whole-time equivalents, monthly averages.\nworkforce: {\n")
	total := make([]int, 12)
	for g := range t.wf.groups {
		for k := range t.wf.groups[g] {
			for i, x := range t.wf.groups[g][k] {
				total[i] += x
			}
		}
	}
	b.f("total: %s\ngroups: {\n", tenths(total))
	for g, name := range groupNames {
		b.f("%s: {\nsubstantive: %s\nbank: %s\nagency: %s\n}\n", name, tenths(t.wf.groups[g][0][:]), tenths(t.wf.groups[g][1][:]), tenths(t.wf.groups[g][2][:]))
	}
	b.f("}\n}\n\n")
	b.f("// Income and expenditure for the year, £000, before sustainability funding.\nfinance: {\nincome: {\npatient_care: %d\nby_commissioner: {\n", f.patientCare)
	for _, k := range t.contracts {
		b.f("%s: %s\n", label(k.c.code), flow(k.value))
	}
	b.f("}\nother: %d\n}\n", f.other)
	b.f("expenditure: {\npay: {\nsubstantive: %d\nbank: %d\nagency: %d\n}\nnon_pay: %d\ndepreciation: %d\nfinancing: %d\n}\n", f.substantive, f.bank, f.agency, f.nonPay, f.depreciation, f.financing)
	b.f("surplus: %d\ncip: {\ntotal: %d\nrecurrent: %d\nnon_recurrent: %d\nschemes: [\n", f.surplus, f.cipTotal, f.cipRecurrent, f.cipNonRecurrent)
	for _, s := range f.schemes {
		b.f("{name: %s, category: %q, recurrent: %t, identified: %t, value: %d, months: %s},\n", q(s.name), s.category, s.recurrent, s.identified, s.value, ints(s.months))
	}
	b.f("]\n}\n}\n\n")
	if len(t.perf) > 0 {
		b.f("// Trajectories against the constitutional standards, reached by March.\nperformance: {\n")
		for _, tr := range t.perf {
			b.f("%s: {\nnumerator: %s\ndenominator: %s\n}\n", tr.name, ints(tr.numerator), ints(tr.denominator))
		}
		b.f("}\n\n")
	}
	b.f("control_total_decision: {\naccepted: true\ndate: \"2019-03-28\"\nboard_reference: %s\n}\n\n", q("Board of directors, 28 March 2019, paper BD/19/"+t.code+"/07"))
	b.f("// Forecast outturn 2018/19 by commissioner, the base for planned growth.\nprior_year: {\nyear: \"2018/19\"\nactivity: {\n")
	for _, k := range t.contracts {
		b.f("%s: {\n", label(k.c.code))
		priorBlock(&b, k.lines)
		b.f("}\n")
	}
	b.f("}\ngrowth_pct: {\n")
	present := map[string]bool{}
	for _, l := range t.contracts[0].lines {
		present[l.name] = true
	}
	for _, n := range []string{"gp_referrals", "other_referrals", "op_first", "elective", "non_elective", "ae_total"} {
		if present[n] {
			b.f("%s: %s\n", n, dec(t.g.priorTrend))
		}
	}
	b.f("}\nwte: %s\nincome: {\n", dec(t.priorWTE))
	for _, k := range t.contracts {
		b.f("%s: %d\n", label(k.c.code), k.priorIncome)
	}
	b.f("}\npay: %d\n", t.priorPay)
	if t.rtt != nil {
		b.f("rtt_waiting_list_march: %d\nwaits_52_weeks_march: %d\n", t.rtt.priorList, t.rtt.priorWaits52)
	}
	b.f("}\n\n// Where this trust says each contract stands, by commissioner (A06).\ncontract_status: {\n")
	for _, k := range t.contracts {
		b.f("%s: %s\n", label(k.c.code), contractStatus(k))
	}
	b.f("}\n")
	return b.String()
}

func commissionerPlan(c *ccg) string {
	var b w
	f := &c.fin
	b.WriteString(header)
	b.f("// %s (%s)\n// Operational plan %s, a member of %s (%s).\n// Months run M1 = April 2019 .. M12 = March 2020; money is in £000.\n\n", c.name, c.code, year, c.sys.name, c.sys.code)
	b.f("kind: \"commissioner\"\nsynthetic: true\norg: %s\nname: %s\nsystem: %s\nyear: %q\nstatus: \"final\"\n\n", q(c.code), q(c.name), q(c.sys.code), year)
	b.f("// Contracts by provider: this CCG's side of each contract (A01, A02).\ncontracts: {\n")
	for _, k := range c.contracts {
		b.f("// %s\n%s: {\nstatus: %s\nvalue: %s\nactivity: {\n", k.t.name, label(k.t.code), contractStatus(k), flow(k.value))
		if k.ccgLines != nil {
			linesBlock(&b, k.ccgLines)
		} else {
			linesBlock(&b, k.lines)
		}
		b.f("}\n}\n")
	}
	b.f("}\n\n// Allocation and spend for the year, £000.\nfinance: {\nother_spend: %d\nqipp: %d\nsurplus: %d\nmental_health: %d\n}\n\n", f.otherSpend, f.qipp, f.surplus, f.mentalHealth)
	b.f("prior_year: {\nyear: \"2018/19\"\nactivity: {\n")
	for _, k := range c.contracts {
		b.f("%s: {\n", label(k.t.code))
		priorBlock(&b, k.lines)
		b.f("}\n")
	}
	b.f("}\ngrowth_pct: {\n")
	for _, n := range []string{"gp_referrals", "other_referrals", "op_first", "elective", "non_elective", "ae_total"} {
		b.f("%s: %s\n", n, dec(f.growth[n]))
	}
	b.f("}\nmental_health: %d\n}\n", f.mentalHealthPrior)
	return b.String()
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
func contractStatus(k *contract) string {
	h := fnv.New32a()
	h.Write([]byte(k.t.code + k.c.code))
	return fmt.Sprintf("{state: \"signed\", date: \"2019-03-%02d\"}", 1+h.Sum32()%28)
}
