package planfile

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cuelang.org/go/cue/format"
)

// Names maps ODS codes to organisation names, from the reference list
// (plans/organisations.cue): the counterparty comments come from it.
type Names map[string]string

const syntheticHeader = `// SYNTHETIC EXAMPLE DATA. Every number in this file is invented; the
// organisation codes and names are used for illustration only and this is
// not the plan of any real organisation.
//
`

// Format writes p in the canonical layout. The result is its own `cue fmt`.
func Format(p *Plan, names Names) ([]byte, error) {
	var b w
	switch {
	case p.Provider != nil:
		b.provider(p.Provider, names)
	case p.Commissioner != nil:
		b.commissioner(p.Commissioner, names)
	case p.System != nil:
		b.system(p.System)
	default:
		return nil, fmt.Errorf("format plan: empty plan")
	}
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format plan %s: %w", p.Org(), err)
	}
	return out, nil
}

// Org returns the plan's organisation code.
func (p *Plan) Org() string {
	switch {
	case p.Provider != nil:
		return p.Provider.Org
	case p.Commissioner != nil:
		return p.Commissioner.Org
	case p.System != nil:
		return p.System.Org
	}
	return ""
}

// Kind returns "provider", "commissioner" or "system".
func (p *Plan) Kind() string {
	switch {
	case p.Provider != nil:
		return "provider"
	case p.Commissioner != nil:
		return "commissioner"
	case p.System != nil:
		return "system"
	}
	return ""
}

// Year returns the plan's financial year.
func (p *Plan) Year() string {
	switch {
	case p.Provider != nil:
		return p.Provider.Year
	case p.Commissioner != nil:
		return p.Commissioner.Year
	case p.System != nil:
		return p.System.Year
	}
	return ""
}

// Path is the one path of the plan in a repository (S01):
// plans/2019-20/providers/rtk.cue.
func (p *Plan) Path() string {
	dir := strings.ReplaceAll(p.Year(), "/", "-")
	org := strings.ToLower(p.Org())
	switch {
	case p.Provider != nil:
		return "plans/" + dir + "/providers/" + org + ".cue"
	case p.Commissioner != nil:
		return "plans/" + dir + "/commissioners/" + org + ".cue"
	default:
		return "plans/" + dir + "/system-" + org + ".cue"
	}
}

type w struct{ bytes.Buffer }

func (b *w) f(format string, args ...any) { fmt.Fprintf(&b.Buffer, format, args...) }

// comment writes text as // lines; text from data is made one line first.
func (b *w) comment(lines ...string) {
	for _, l := range lines {
		b.WriteString(strings.TrimRight("// "+l, " ") + "\n")
	}
}

func (b *w) header(kind string, h Header, system string, status string) {
	b.f("kind: %s\n", Quote(kind))
	if h.Synthetic != nil {
		b.f("synthetic: %t\n", *h.Synthetic)
	}
	b.f("org: %s\nname: %s\n", Quote(h.Org), Quote(h.Name))
	if system != "" || kind != "system" {
		b.f("system: %s\n", Quote(system))
	}
	b.f("year: %s\n", Quote(h.Year))
	if kind != "system" {
		b.f("status: %s\n", Quote(status))
	}
}

func (b *w) synthetic(h Header) {
	if h.Synthetic != nil && *h.Synthetic {
		b.WriteString(syntheticHeader)
	}
}

// months describes the year's months, "M1 = April 2019 .. M12 = March 2020",
// or "" when the year is not of the form 2019/20.
func months(year string) string {
	y, err := strconv.Atoi(strings.SplitN(year, "/", 2)[0])
	if err != nil || len(year) != 7 {
		return ""
	}
	return fmt.Sprintf("Months run M1 = April %d .. M12 = March %d; money is in £000.", y, y+1)
}

// march names the end of a financial year: "March 2019" for "2018/19".
func march(year string) string {
	y, err := strconv.Atoi(strings.SplitN(year, "/", 2)[0])
	if err != nil || len(year) != 7 {
		return "the year (March)"
	}
	return fmt.Sprintf("March %d", y+1)
}

// previous returns the year before a financial year: "2017/18" for "2018/19".
func previous(year string) string {
	y, err := strconv.Atoi(strings.SplitN(year, "/", 2)[0])
	if err != nil || len(year) != 7 || y < 1 {
		return ""
	}
	return fmt.Sprintf("%d/%02d", y-1, y%100)
}

var typeWords = map[string]string{
	"acute": "an acute trust", "mental_health": "a mental health trust",
	"community": "a community trust", "specialist": "a specialist trust",
}

func (b *w) title(h Header, kind, typ, system string, names Names) {
	b.synthetic(h)
	b.comment(fmt.Sprintf("%s (%s)", oneLine(h.Name), oneLine(h.Org)))
	sys := oneLine(system)
	if n := names[system]; n != "" {
		sys = fmt.Sprintf("%s (%s)", oneLine(n), oneLine(system))
	}
	if tw, ok := typeWords[typ]; ok && kind == "provider" {
		b.comment(fmt.Sprintf("Operational plan %s: %s,", oneLine(h.Year), tw), "a member of "+sys+".")
	} else {
		b.comment(fmt.Sprintf("Operational plan %s, a member of", oneLine(h.Year)), sys+".")
	}
	if m := months(h.Year); m != "" {
		b.comment(m)
	}
	b.WriteString("\n")
}

// activityComment introduces a trust's activity: which parent lines are
// sums of their parts depends on the lines a trust of its type plans.
func activityComment(typ string) []string {
	head := []string{"Activity by commissioner: this trust's side of each contract. Each line",
		"must agree with the commissioner's plan for the same contract (A01)."}
	switch typ {
	case "acute":
		return append(head, "Totals are the sums of their months (I01); elective = day case + ordinary,",
			"non-elective = zero-day + 1+ day stays, A&E = type 1 + other (I02).")
	case "specialist":
		return append(head, "Totals are the sums of their months (I01); elective = day case + ordinary,",
			"non-elective = zero-day + 1+ day stays (I02).")
	default: // mental health and community trusts: referrals and outpatients
		return append(head, "Totals are the sums of their months (I01).")
	}
}

// capacityComments describe a trust's beds, and its lengths of stay, in
// the terms of its type: general and acute beds (KH03) in acute and
// specialist trusts; in mental health and community trusts their own wards,
// whose occupancy is read from the beds they declare occupied (B01).
func capacityComments(typ string) (beds, los []string) {
	switch typ {
	case "mental_health":
		return []string{"Mental health beds (adult acute and older adult wards), monthly averages.",
				"Occupancy is read from the declared beds_occupied (B01)."},
			[]string{"Planned and unplanned admissions, days."}
	case "community":
		return []string{"Community beds (community hospitals and intermediate care), monthly",
				"averages. Occupancy is read from the declared beds_occupied (B01)."},
			[]string{"Planned and unplanned admissions, days."}
	default:
		return []string{"General and acute beds (KH03), monthly averages; lengths of stay in days."}, nil
	}
}

func (b *w) provider(t *Provider, names Names) {
	b.title(t.Header, "provider", t.Type, t.System, names)
	b.header("provider", t.Header, t.System, t.Status)
	b.f("type: %s\n\n", Quote(t.Type))

	b.comment(activityComment(t.Type)...)
	b.WriteString("activity: {\n")
	for _, c := range sorted(t.Activity) {
		if n := names[c]; n != "" {
			b.comment(oneLine(n))
		}
		b.f("%s: {\n", Label(c))
		b.lines(t.Activity[c])
		b.WriteString("}\n")
	}
	b.WriteString("}\n\n")

	if r := t.RTT; r != nil {
		b.comment("Referral to treatment, whole trust. The waiting list is the month-end",
			"position of incomplete pathways.")
		b.f("rtt: {\nclock_starts: %s\ncompleted_admitted: %s\ncompleted_nonadmitted: %s\n", flow(r.ClockStarts), flow(r.CompletedAdmitted), flow(r.CompletedNonadmitted))
		b.f("waiting_list: months: %s\nwaits_52_weeks: months: %s\n}\n\n", ints(r.WaitingList.Months), ints(r.Waits52Weeks.Months))
	}

	c := t.Capacity
	beds, los := capacityComments(t.Type)
	b.comment(beds...)
	b.f("capacity: {\nbeds_core: months: %s\nbeds_escalation: months: %s\nbeds_occupied: months: %s\n", ints(c.BedsCore.Months), ints(c.BedsEscalation.Months), ints(c.BedsOccupied.Months))
	b.comment(los...)
	b.f("los_elective_ordinary: %s\nlos_non_elective: %s\n}\n\n", Decimal(c.LOSElectiveOrdinary), Decimal(c.LOSNonElective))

	b.comment("Whole-time equivalents, monthly averages.")
	b.f("workforce: {\ntotal: %s\ngroups: {\n", decimals(t.Workforce.Total))
	for _, g := range StaffGroups {
		sg, ok := t.Workforce.Groups[g.Key]
		if !ok {
			continue
		}
		b.f("%s: {\nsubstantive: %s\nbank: %s\nagency: %s\n}\n", g.Key, decimals(sg.Substantive), decimals(sg.Bank), decimals(sg.Agency))
	}
	b.WriteString("}\n}\n\n")

	f := &t.Finance
	b.comment("Income and expenditure for the year, £000. The surplus is on the control-total",
		"basis: before sustainability funding, which the register sets and an",
		"accepted control total earns.")
	b.f("finance: {\nincome: {\npatient_care: %s\n", Money(f.Income.PatientCare))
	b.comment("Patient-care income by commissioner, phased by month: this trust's",
		"side of each contract value (A02, A05).")
	b.WriteString("by_commissioner: {\n")
	for _, code := range sorted(f.Income.ByCommissioner) {
		b.f("%s: %s\n", Label(code), moneyFlow(f.Income.ByCommissioner[code]))
	}
	b.f("}\nother: %s\n", Money(f.Income.Other))
	if f.Income.SustainabilityFunding != nil {
		b.f("sustainability_funding: %s\n", Money(*f.Income.SustainabilityFunding))
	}
	e := &f.Expenditure
	b.f("}\nexpenditure: {\npay: {\nsubstantive: %s\nbank: %s\nagency: %s\n}\nnon_pay: %s\ndepreciation: %s\nfinancing: %s\n}\n",
		Money(e.Pay.Substantive), Money(e.Pay.Bank), Money(e.Pay.Agency), Money(e.NonPay), Money(e.Depreciation), Money(e.Financing))
	b.f("surplus: %s\n", Money(f.Surplus))
	if f.ControlTotal != nil {
		b.f("control_total: %s\n", Money(*f.ControlTotal))
	}
	if f.AgencyCeiling != nil {
		b.f("agency_ceiling: %s\n", Money(*f.AgencyCeiling))
	}
	b.comment("Cost improvement programme.")
	b.f("cip: {\ntotal: %s\nrecurrent: %s\nnon_recurrent: %s\nschemes: [", Money(f.CIP.Total), Money(f.CIP.Recurrent), Money(f.CIP.NonRecurrent))
	if len(f.CIP.Schemes) > 0 {
		b.WriteString("\n")
	}
	for _, s := range f.CIP.Schemes {
		b.f("{name: %s, category: %s, recurrent: %t, identified: %t, value: %s, months: %s},\n", Quote(s.Name), Quote(s.Category), s.Recurrent, s.Identified, Money(s.Value), moneys(s.Months))
	}
	b.WriteString("]\n}\n}\n\n")

	if pf := t.Performance; pf != nil {
		b.comment("Trajectories against the constitutional standards: A&E 4 hours 95%,",
			"RTT 18 weeks 92%, cancer 62 days 85%, diagnostics over 6 weeks at most 1%.")
		b.WriteString("performance: {\n")
		for _, tr := range Trajectories {
			x := pf.Get(tr.Key)
			b.f("%s: {\nnumerator: %s\ndenominator: %s\n}\n", tr.Key, ints(x.Numerator), ints(x.Denominator))
		}
		b.WriteString("}\n\n")
	}

	py := &t.PriorYear
	b.priorYear(&py.PriorYear, "commissioner", func() {
		b.comment(fmt.Sprintf("Patient-care income by commissioner and the pay bill in %s, £000:", oneLine(py.Year)),
			"the base for income and pay growth (R01, R02).")
		b.WriteString("income: {\n")
		for _, code := range sorted(py.Income) {
			b.f("%s: %s\n", Label(code), Money(py.Income[code]))
		}
		b.f("}\npay: %s\n", Money(py.Pay))
		if py.RTTWaitingListMarch != nil || py.Waits52WeeksMarch != nil {
			b.comment(fmt.Sprintf("RTT waiting list and 52-week waits at the end of %s.", march(py.Year)))
		}
		if py.RTTWaitingListMarch != nil {
			b.f("rtt_waiting_list_march: %d\n", *py.RTTWaitingListMarch)
		}
		if py.Waits52WeeksMarch != nil {
			b.f("waits_52_weeks_march: %d\n", *py.Waits52WeeksMarch)
		}
	})

	d := t.ControlTotalDecision
	b.comment(fmt.Sprintf("The board's decision on the control total the regulator set for %s", oneLine(t.Year)),
		fmt.Sprintf("(policy/register/%s.cue). The figure itself is the regulator's.", strings.ReplaceAll(oneLine(t.Year), "/", "-")))
	b.f("control_total_decision: {\naccepted: %t\ndate: %s\nboard_reference: %s\n}\n\n", d.Accepted, Quote(d.Date), Quote(d.BoardReference))

	b.explanations(t.Explanations)

	b.comment("Where this trust says each contract stands, by commissioner: its side of",
		"the weekly contract-status return (A06).")
	b.WriteString("contract_status: {\n")
	for _, code := range sorted(t.ContractStatus) {
		b.f("%s: %s\n", Label(code), status(t.ContractStatus[code]))
	}
	b.WriteString("}\n")
}

func (b *w) commissioner(c *Commissioner, names Names) {
	b.title(c.Header, "commissioner", "", c.System, names)
	b.header("commissioner", c.Header, c.System, c.Status)
	b.WriteString("\n")
	b.comment("Contracts by provider: this CCG's side of each contract, in money and in",
		"activity. Each must agree with the provider's plan (A01, A02). Totals are",
		"the sums of their months; parent lines are the sums of their parts.")
	b.WriteString("contracts: {\n")
	for _, code := range sorted(c.Contracts) {
		k := c.Contracts[code]
		if n := names[code]; n != "" {
			b.comment(oneLine(n))
		}
		b.f("%s: {\nstatus: %s\nvalue: %s\nactivity: {\n", Label(code), status(k.Status), moneyFlow(k.Value))
		b.lines(k.Activity)
		b.WriteString("}\n}\n")
	}
	b.WriteString("}\n\n")
	f := &c.Finance
	b.comment("Allocation and spend for the year, £000. Other spend covers primary care,",
		"prescribing, continuing healthcare and providers outside this plan set.")
	b.WriteString("finance: {\n")
	if f.Allocation != nil {
		b.f("allocation: %s\n", Money(*f.Allocation))
	}
	b.f("other_spend: %s\nqipp: %s\nsurplus: %s\n", Money(f.OtherSpend), Money(f.QIPP), Money(f.Surplus))
	b.comment("Mental health spend within the contracts and other spend above.")
	b.f("mental_health: %s\n", Money(f.MentalHealth))
	if f.RequiredSurplus != nil {
		b.f("required_surplus: %s\n", Money(*f.RequiredSurplus))
	}
	b.WriteString("}\n\n")
	py := &c.PriorYear
	b.priorYear(&py.PriorYear, "provider", func() {
		b.comment(fmt.Sprintf("Mental health spend in %s, £000 (N04).", oneLine(py.Year)))
		b.f("mental_health: %s\n", Money(py.MentalHealth))
	})
	b.explanations(c.Explanations)
}

func (b *w) system(s *System) {
	b.synthetic(s.Header)
	b.comment(fmt.Sprintf("%s (%s), %s:", oneLine(s.Name), oneLine(s.Org), oneLine(s.Year)),
		"the members whose plans make up the system, as the system leads record",
		"them. The system control total the members share is the regulator's, in",
		fmt.Sprintf("policy/register/%s.cue (C03, C06).", strings.ReplaceAll(oneLine(s.Year), "/", "-")))
	b.WriteString("\n")
	b.header("system", s.Header, "", "")
	b.WriteString("\n")
	q := make([]string, len(s.Members))
	for i, m := range s.Members {
		q[i] = Quote(m)
	}
	b.f("members: [%s]\n", strings.Join(q, ", "))
	if s.ControlTotal != nil {
		b.f("control_total: %s\n", Money(*s.ControlTotal))
	}
}

func (b *w) priorYear(py *PriorYear, by string, rest func()) {
	b.comment(fmt.Sprintf("Forecast outturn %s by %s, the base for planned growth.", oneLine(py.Year), by))
	b.f("prior_year: {\nyear: %s\nactivity: {\n", Quote(py.Year))
	for _, code := range sorted(py.Activity) {
		b.f("%s: {\n", Label(code))
		a := py.Activity[code]
		for _, l := range ActivityLines {
			if n, ok := a[l.Key]; ok {
				b.f("%s: %d\n", l.Key, n)
			}
		}
		b.WriteString("}\n")
	}
	b.WriteString("}\n")
	if p := previous(py.Year); p != "" {
		b.comment(fmt.Sprintf("Growth seen in %s over %s, percent.", oneLine(py.Year), p))
	} else {
		b.comment("Growth seen in the prior year over the year before it, percent.")
	}
	b.WriteString("growth_pct: {\n")
	for _, l := range GrowthLines {
		if g, ok := py.GrowthPct[l.Key]; ok {
			b.f("%s: %s\n", l.Key, Decimal(g))
		}
	}
	b.WriteString("}\n")
	if py.WTE != nil {
		b.f("wte: %s\n", Decimal(*py.WTE))
	}
	rest()
	b.WriteString("}\n\n")
}

func (b *w) explanations(es []Explanation) {
	if len(es) == 0 {
		return
	}
	b.comment("Warnings and misalignments this plan carries knowingly, with the reason.",
		"A misalignment is explained only when both sides of the contract carry it.")
	b.WriteString("explanations: [")
	for i, e := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		b.f("{\nrule: %s\n", Quote(e.Rule))
		if e.Month != nil {
			b.f("month: %d\n", *e.Month)
		}
		if e.Counterparty != nil {
			b.f("counterparty: %s\n", Quote(*e.Counterparty))
		}
		if e.Acknowledge != nil {
			b.f("acknowledge: %t\n", *e.Acknowledge)
		}
		if e.Text != nil {
			b.f("text: %s\n", Quote(*e.Text))
		}
		b.WriteString("}")
	}
	b.WriteString("]\n\n")
}

func (b *w) lines(ls Lines) {
	for _, l := range ActivityLines {
		if f, ok := ls[l.Key]; ok {
			b.f("%s: %s\n", l.Key, flow(f))
		}
	}
}

func sorted[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func flow(f Flow) string { return fmt.Sprintf("{total: %d, months: %s}", f.Total, ints(f.Months)) }

func moneyFlow(f MoneyFlow) string {
	return fmt.Sprintf("{total: %s, months: %s}", Money(f.Total), moneys(f.Months))
}

func status(s ContractStatus) string {
	return fmt.Sprintf("{state: %s, date: %s}", Quote(s.State), Quote(s.Date))
}

func list[T any](xs []T, f func(T) string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = f(x)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func ints(xs []int) string { return list(xs, strconv.Itoa) }

func moneys(xs []float64) string { return list(xs, Money) }

func decimals(xs []float64) string { return list(xs, Decimal) }

// Money writes an amount in its shortest exact form: 270000, -7500, 12.5.
func Money(x float64) string {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return "0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// Decimal writes a measure that is a decimal by nature (WTE, a length of
// stay, a growth percentage) with at least one decimal place: 3798.0, 5.4.
func Decimal(x float64) string {
	s := Money(x)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// Quote writes s as a CUE string literal: the escapes CUE and JSON share,
// and \u for every other control or format character, so a name or an
// explanation can never end a string or start an interpolation.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError, unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029':
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Label writes a map key: bare when it is an identifier, quoted otherwise
// ("09N").
func Label(code string) string {
	for i, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r == '_' || r >= '0' && r <= '9')) {
			return Quote(code)
		}
	}
	if code == "" || isKeyword(code) {
		return Quote(code)
	}
	return code
}

func isKeyword(s string) bool {
	switch s {
	case "if", "for", "in", "let", "true", "false", "null", "import", "package":
		return true
	}
	return strings.HasPrefix(s, "__")
}

// oneLine makes data fit on a comment line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}
