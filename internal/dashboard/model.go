package dashboard

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/diff"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/ledger"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/policy"
	"github.com/triangulate-nhs/triangulate/internal/register"
)

// ErrNoPlans is returned when the set has no plan for the year shown.
var ErrNoPlans = errors.New("no plans to show")

// counts tallies findings.
type counts struct {
	Errors, Warnings, Infos, Blocking, Settled int
}

func (c *counts) add(f finding.Finding) {
	switch f.Severity {
	case finding.Error:
		c.Errors++
	case finding.Warning:
		c.Warnings++
	default:
		c.Infos++
	}
	if f.Blocking() {
		c.Blocking++
	}
	if f.Status != finding.Open {
		c.Settled++
	}
}

// link is an internal or external address with its text.
type link struct {
	Text, Href string
}

// findingView is one finding as a page shows it.
type findingView struct {
	ID, Rule, Title, Severity, Class string
	Blocking                         bool
	Status, Scope, Month, Message    string
	Orgs                             []link
	// Where lists the primary location, then the other sides'.
	Where []link
}

// orgView is one organisation and its plan for the year.
type orgView struct {
	Code, Name, Type, TypeLabel string
	System                      link
	File                        link
	HasPlan, Valid              bool
	Submission                  *ledger.Entry
	Latest                      *ledger.Version
	SubmissionText, SubClass    string
	// Surplus is the plan's surplus before sustainability funding; Target
	// the register's control total (trust) or required surplus (CCG).
	Surplus, Target *float64
	TargetLabel     string
	Counts          counts
	Findings        []findingView
	Occupancy       []policy.Occupancy
	PeakOccupancy   *float64
	PeakMonth       string
	Contracts       []contractView
	Href            string
}

// contractView is one contract from one side's page.
type contractView struct {
	Counterparty                     link
	Provider, Commissioner           string
	ProviderValue, CommissionerValue *float64
	MoneyGap                         *float64
	ProviderState, CommissionerState string
	StatesAgree, BothSides           bool
	Worst                            cell
	WidestLine                       string
	WidestGap                        *float64
}

// systemView is one system.
type systemView struct {
	Code, Name, Href string
	Members          []*orgView
	Counts           counts
	Surplus, Target  *float64
	Findings         []findingView // system-scope findings
	Submitted        map[string]int
}

// site is the whole model, built once and rendered page by page.
type site struct {
	Year, YearFolder string
	Source           Source
	SourceHref       string
	Orgs             map[string]*orgView
	OrgList          []*orgView
	Systems          []*systemView
	NoSystem         []*orgView
	Counts           counts
	National         []findingView
	ByRule           []ruleCount
	Pairs            map[[2]string]*pairView
	Weeks            []contractWeek
	WeekList         []string
	HasLedger        bool
	Submitted        map[string]int
}

type ruleCount struct {
	Rule, Title string
	counts
}

// pairView is one commissioner-provider contract: its position and the
// alignment findings about it.
type pairView struct {
	Row   contracts.Row
	Worst cell
}

// reference is the organisation reference list's entries.
type reference struct {
	Organisations map[string]struct {
		Name   string `json:"name"`
		Type   string `json:"type"`
		System string `json:"system"`
	} `json:"organisations"`
}

type registerFigures struct {
	Providers map[string]struct {
		ControlTotal *float64 `json:"control_total"`
	} `json:"providers"`
	Commissioners map[string]struct {
		RequiredSurplus *float64 `json:"required_surplus"`
	} `json:"commissioners"`
	Systems map[string]struct {
		ControlTotal *float64 `json:"control_total"`
	} `json:"systems"`
}

func decode[T any](data map[string]any) (*T, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	v := new(T)
	return v, json.Unmarshal(raw, v)
}

// fileName is a page's file name for a code: ODS codes are letters and
// digits; anything else (a hostile code the schema refused but a finding
// still names) is hex-encoded so no name escapes its folder.
func fileName(code string) string {
	ok := code != ""
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			ok = false
			break
		}
	}
	if ok {
		return code + ".html"
	}
	return fmt.Sprintf("x%x.html", code)
}

// yearFolder is the plans/ folder of a year: "2019/20" -> "2019-20".
func yearFolder(year string) string { return strings.ReplaceAll(year, "/", "-") }

// build assembles the site's model.
func build(in Input) (*site, error) {
	if in.Set == nil {
		return nil, ErrNoPlans
	}
	year := in.Year
	if year == "" {
		ys := in.Set.Years()
		if len(ys) == 0 {
			return nil, ErrNoPlans
		}
		year = ys[len(ys)-1]
	}
	s := &site{Year: year, YearFolder: yearFolder(year), Source: in.Source, Orgs: map[string]*orgView{},
		Pairs: map[[2]string]*pairView{}, HasLedger: in.Ledger != nil, Submitted: map[string]int{}}
	if in.Source.RepoURL != "" && in.Source.Commit != "" {
		s.SourceHref = strings.TrimSuffix(in.Source.RepoURL, "/") + "/tree/" + in.Source.Commit
	}

	// Organisations from the reference list, then their plans for the year.
	systemNames := map[string]string{}
	for _, d := range in.Set.Documents {
		if d.Kind != "organisations" || d.File != plan.ReferenceListFile {
			continue
		}
		ref, err := decode[reference](d.Data)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", d.File, err)
		}
		for code, o := range ref.Organisations {
			if o.Type == "system" {
				systemNames[code] = o.Name
				continue
			}
			s.Orgs[code] = &orgView{Code: code, Name: o.Name, Type: o.Type, System: link{Text: o.System}}
		}
	}
	plans := 0
	for _, d := range in.Set.Documents {
		if d.Year != year || d.Org == "" || (d.Kind != "provider" && d.Kind != "commissioner") {
			continue
		}
		o := s.Orgs[d.Org]
		if o == nil {
			o = &orgView{Code: d.Org}
			s.Orgs[d.Org] = o
		}
		if o.HasPlan {
			continue // a duplicate is an S01 error; the first file counts, as for the policies
		}
		plans++
		o.HasPlan, o.Valid = true, d.Valid
		o.File = link{Text: d.File, Href: in.Source.Blob(d.File, 0)}
		if o.Type == "" {
			o.Type = map[string]string{"provider": "trust", "commissioner": "ccg"}[d.Kind]
		}
		if n := diff.PlanName(d); n != "" && o.Name == "" {
			o.Name = n
		}
		if !d.Valid {
			continue
		}
		ms, err := diff.Compare(nil, d, diff.Options{})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Key == "surplus" {
				o.Surplus = m.After
			}
		}
	}
	if plans == 0 {
		return nil, fmt.Errorf("%w for %s", ErrNoPlans, year)
	}

	var regs *registerFigures
	if d := in.Registers[year]; d != nil {
		r, err := decode[registerFigures](d.Data)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", d.File, err)
		}
		regs = r
	}
	for code, o := range s.Orgs {
		o.Href = "orgs/" + fileName(code)
		o.TypeLabel = map[string]string{"trust": "Trust", "ccg": "CCG"}[o.Type]
		switch o.Type {
		case "trust":
			o.TargetLabel = "control total"
			if regs != nil {
				o.Target = regs.Providers[code].ControlTotal
			}
		case "ccg":
			o.TargetLabel = "required surplus"
			if regs != nil {
				o.Target = regs.Commissioners[code].RequiredSurplus
			}
		}
		o.Occupancy = in.Occupancy[year][code]
		for _, m := range o.Occupancy {
			if m.Pct != nil && (o.PeakOccupancy == nil || *m.Pct > *o.PeakOccupancy) {
				p := *m.Pct
				o.PeakOccupancy, o.PeakMonth = &p, monthNames[m.Month-1]
			}
		}
		s.OrgList = append(s.OrgList, o)
	}
	slices.SortFunc(s.OrgList, func(a, b *orgView) int { return cmp.Compare(a.Code, b.Code) })

	// Systems and their members.
	byCode := map[string]*systemView{}
	for code, name := range systemNames {
		sv := &systemView{Code: code, Name: name, Href: "systems/" + fileName(code), Submitted: map[string]int{}}
		if regs != nil {
			sv.Target = regs.Systems[code].ControlTotal
		}
		byCode[code] = sv
		s.Systems = append(s.Systems, sv)
	}
	for _, o := range s.OrgList {
		sv := byCode[o.System.Text]
		if sv == nil {
			o.System = link{}
			s.NoSystem = append(s.NoSystem, o)
			continue
		}
		o.System = link{Text: sv.Code, Href: sv.Href}
		sv.Members = append(sv.Members, o)
		if o.Surplus != nil {
			t := *o.Surplus
			if sv.Surplus != nil {
				t += *sv.Surplus
			}
			sv.Surplus = &t
		}
	}

	// Submissions.
	if in.Ledger != nil {
		for i := range in.Ledger.Entries {
			e := &in.Ledger.Entries[i]
			if o := s.Orgs[e.Org]; o != nil && e.Year == year {
				o.Submission, o.Latest = e, e.Latest()
			}
		}
	}
	for _, o := range s.OrgList {
		o.SubmissionText, o.SubClass = submissionText(o.Submission, s.HasLedger)
		s.Submitted[o.SubClass]++
		if sv := byCode[o.System.Text]; sv != nil {
			sv.Submitted[o.SubClass]++
		}
	}

	// Findings: the year's, each shown on every organisation's page it
	// names, on its system's page when it is a system roll-up, and on the
	// national page when it is national or about the rules' own files.
	rules := map[string]*ruleCount{}
	for i, f := range in.Findings {
		if !inYear(f, s.YearFolder) {
			continue
		}
		v := s.findingView(f, i)
		s.Counts.add(f)
		rc := rules[f.Rule]
		if rc == nil {
			rc = &ruleCount{Rule: f.Rule, Title: f.Title}
			rules[f.Rule] = rc
		}
		rc.add(f)
		switch {
		case f.Scope == finding.ScopeSystem:
			code := f.Org
			if code == "" && len(f.Orgs) > 0 {
				code = f.Orgs[0]
			}
			if sv := byCode[code]; sv != nil {
				sv.Findings = append(sv.Findings, v)
				sv.Counts.add(f)
				continue
			}
			s.National = append(s.National, v)
		case f.Scope == finding.ScopeNational:
			s.National = append(s.National, v)
		default:
			named := orgsOf(f)
			shown := false
			counted := map[*systemView]bool{}
			for _, code := range named {
				if o := s.Orgs[code]; o != nil {
					o.Findings = append(o.Findings, v)
					o.Counts.add(f)
					shown = true
					if sv := byCode[o.System.Text]; sv != nil && !counted[sv] {
						counted[sv] = true
						sv.Counts.add(f)
					}
				}
			}
			if !shown {
				s.National = append(s.National, v)
			}
		}
	}
	for _, rc := range rules {
		s.ByRule = append(s.ByRule, *rc)
	}
	slices.SortFunc(s.ByRule, func(a, b ruleCount) int { return cmp.Compare(a.Rule, b.Rule) })
	// Worst first: a regulator's eye goes to what blocks.
	slices.SortFunc(s.Systems, func(a, b *systemView) int {
		return cmp.Or(cmp.Compare(b.Counts.Blocking, a.Counts.Blocking), cmp.Compare(a.Code, b.Code))
	})
	for _, sv := range s.Systems {
		slices.SortStableFunc(sv.Members, func(a, b *orgView) int { return cmp.Compare(b.Counts.Blocking, a.Counts.Blocking) })
	}

	// Contracts: every pair's position, coloured by its alignment findings.
	for _, r := range in.Contracts {
		if r.Year != year {
			continue
		}
		s.Pairs[[2]string{r.Commissioner, r.Provider}] = &pairView{Row: r, Worst: pairCell(r)}
	}
	for _, f := range in.Findings {
		if !alignmentRules[f.Rule] || !inYear(f, s.YearFolder) {
			continue
		}
		orgs := orgsOf(f)
		for _, c := range orgs {
			for _, p := range orgs {
				if pv := s.Pairs[[2]string{c, p}]; pv != nil {
					pv.Worst = worse(pv.Worst, findingCell(f))
				}
			}
		}
	}
	for _, pv := range s.Pairs {
		for _, side := range []struct{ self, other string }{{pv.Row.Provider, pv.Row.Commissioner}, {pv.Row.Commissioner, pv.Row.Provider}} {
			o := s.Orgs[side.self]
			if o == nil {
				continue
			}
			cv := contractView{Provider: pv.Row.Provider, Commissioner: pv.Row.Commissioner, MoneyGap: pv.Row.MoneyGap,
				StatesAgree: pv.Row.StatesAgree, Worst: pv.Worst, WidestLine: pv.Row.WidestLine}
			cv.Counterparty = s.orgLink(side.other)
			if ps := pv.Row.ProviderSide; ps != nil {
				v := ps.Value
				cv.ProviderValue, cv.ProviderState = &v, ps.State
			}
			if cs := pv.Row.CommissionerSide; cs != nil {
				v := cs.Value
				cv.CommissionerValue, cv.CommissionerState = &v, cs.State
			}
			cv.BothSides = pv.Row.ProviderSide != nil && pv.Row.CommissionerSide != nil
			if g, ok := pv.Row.ActivityGaps[pv.Row.WidestLine]; ok {
				cv.WidestGap = &g
			}
			o.Contracts = append(o.Contracts, cv)
		}
	}
	for _, o := range s.OrgList {
		slices.SortFunc(o.Contracts, func(a, b contractView) int { return cmp.Compare(a.Counterparty.Text, b.Counterparty.Text) })
	}

	// Weekly contract status.
	weeks := map[string]bool{}
	if in.Weekly != nil {
		for _, wk := range in.Weekly.Weeks {
			for _, r := range wk.Contracts {
				if r.Year != year {
					continue
				}
				weeks[wk.Friday] = true
				w := contractWeek{Week: wk.Friday, Provider: r.Provider, Commissioner: r.Commissioner, WeeksSinceMoved: r.WeeksSinceMoved}
				if r.ProviderSide != nil {
					w.ProviderState = r.ProviderSide.State
				}
				if r.CommissionerSide != nil {
					w.CommissionerState = r.CommissionerSide.State
				}
				s.Weeks = append(s.Weeks, w)
			}
		}
	}
	s.WeekList = slices.Sorted(func(yield func(string) bool) {
		for w := range weeks {
			if !yield(w) {
				return
			}
		}
	})
	return s, nil
}

// alignmentRules are the findings the matrix is coloured by: the activity
// (A01) and money (A02) gaps the policies judge for each contract.
var alignmentRules = map[string]bool{"A01": true, "A02": true}

var monthNames = [12]string{"Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"}

// inYear keeps findings about the year's plans, and those not filed under
// a year (the reference list, the rules' own files).
func inYear(f finding.Finding, folder string) bool {
	if reg, ok := strings.CutPrefix(f.File, register.Dir+"/"); ok {
		return strings.HasPrefix(reg, folder)
	}
	if !strings.HasPrefix(f.File, "plans/") {
		return true
	}
	rest := strings.TrimPrefix(f.File, "plans/")
	i := strings.IndexByte(rest, '/')
	return i < 0 || rest[:i] == folder
}

// orgsOf lists every organisation a finding names, its own first.
func orgsOf(f finding.Finding) []string {
	out := []string{}
	if f.Org != "" {
		out = append(out, f.Org)
	}
	for _, o := range f.Orgs {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

func (s *site) orgLink(code string) link {
	if o := s.Orgs[code]; o != nil {
		return link{Text: code, Href: o.Href}
	}
	return link{Text: code}
}

var severityClass = map[finding.Severity]string{finding.Error: "err", finding.Warning: "warn", finding.Info: "info"}

func (s *site) findingView(f finding.Finding, i int) findingView {
	v := findingView{ID: fmt.Sprintf("f%d", i), Rule: f.Rule, Title: f.Title, Severity: string(f.Severity),
		Class: severityClass[f.Severity], Blocking: f.Blocking(), Status: f.StatusNote(), Scope: f.ScopeLabel(), Message: f.Message}
	if f.Status != finding.Open {
		v.Class = "settled"
	}
	if f.Month >= 1 && f.Month <= 12 {
		v.Month = fmt.Sprintf("M%d (%s)", f.Month, monthNames[f.Month-1])
	}
	for _, o := range orgsOf(f) {
		v.Orgs = append(v.Orgs, s.orgLink(o))
	}
	for _, l := range append([]finding.Location{f.Location}, f.Related...) {
		if l.File == "" {
			continue
		}
		text := l.File
		if l.Line > 0 {
			text = fmt.Sprintf("%s:%d", l.File, l.Line)
		}
		v.Where = append(v.Where, link{Text: text, Href: s.Source.Blob(l.File, l.Line)})
	}
	return v
}

// timeliness words for the ledger's states.
var timeliness = map[string]string{
	ledger.OnTime: "on time", ledger.Late: "late", ledger.Resubmission: "resubmitted", ledger.Due: "due",
	ledger.Missing: "missing", ledger.NoWindow: "no window",
}

// submissionText says where an organisation's submissions stand, and the
// class a page colours it by: "final" (final in on time), "late", "missing",
// "draft" (draft in, final not yet due), "due" (nothing yet, not late) or
// "unknown" (history not read).
func submissionText(e *ledger.Entry, read bool) (string, string) {
	if !read {
		return "not read (no git history)", "unknown"
	}
	if e == nil {
		return "no submission", "missing"
	}
	var b strings.Builder
	if v := e.Latest(); v != nil {
		fmt.Fprintf(&b, "%s v%d on %s; ", cmp.Or(v.Status, "unreadable plan"), v.N, v.Date.Format("2006-01-02"))
	} else {
		b.WriteString("none yet; ")
	}
	fmt.Fprintf(&b, "draft %s, final %s", cmp.Or(timeliness[e.Draft], e.Draft), cmp.Or(timeliness[e.Final], e.Final))
	class := "due"
	switch {
	case e.Draft == ledger.Missing || e.Final == ledger.Missing:
		class = "missing"
	case e.Draft == ledger.Late || e.Final == ledger.Late:
		class = "late"
	case e.Final == ledger.OnTime || e.Final == ledger.Resubmission:
		class = "final"
	case e.Latest() != nil:
		class = "draft"
	}
	return b.String(), class
}

// cell is how a contract shows in the matrix: a class for its colour, a
// symbol so colour is never the only sign, and words for the label.
type cell struct {
	Class, Symbol, Words string
	rank                 int
}

var (
	cellNone   = cell{"none", "", "no contract", 0}
	cellOne    = cell{"one", "½", "only one side plans it", 2}
	cellOK     = cell{"ok", "✓", "aligned", 1}
	cellSettle = cell{"settled", "~", "gap explained or waived", 3}
	cellWarn   = cell{"warn", "!", "gap: warning", 4}
	cellErr    = cell{"err", "✕", "gap: error", 5}
)

func worse(a, b cell) cell {
	if b.rank > a.rank {
		return b
	}
	return a
}

func pairCell(r contracts.Row) cell {
	if r.ProviderSide == nil || r.CommissionerSide == nil {
		return cellOne
	}
	return cellOK
}

func findingCell(f finding.Finding) cell {
	switch {
	case f.Status != finding.Open:
		return cellSettle
	case f.Severity == finding.Error:
		return cellErr
	case f.Severity == finding.Warning:
		return cellWarn
	}
	return cellOK
}
