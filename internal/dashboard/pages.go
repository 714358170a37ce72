package dashboard

import (
	"bufio"
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/triangulate-nhs/triangulate/internal/panics"
	"github.com/triangulate-nhs/triangulate/internal/report"
)

//go:embed assets/style.css templates/*.html
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"money":       moneyPtr,
	"signedMoney": signedMoney,
	"pct":         pct,
	"stateWords":  stateWords,
	"stateCode":   stateCode,
	"f1":          func(x float64) string { return fmt.Sprintf("%.1f", x) },
	"lower":       strings.ToLower,
	"timeliness": func(s string) string {
		if t, ok := timeliness[s]; ok {
			return t
		}
		return s
	},
	"shortSHA": func(s string) string { return s[:min(12, len(s))] },
	"plus":     func(a, b float64) float64 { return a + b },
	"add":      func(a, b int) int { return a + b },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"minus": func(a, b float64) float64 { return a - b },
	"signedNum": func(x *float64) string {
		switch {
		case x == nil:
			return "-"
		case *x > 0:
			return "+" + report.Whole(*x)
		}
		return report.Whole(*x)
	},
	"matrixArgs": func(root string, m *matrix) any {
		return struct {
			Root string
			M    *matrix
		}{root, m}
	},
	"weekArgs": func(root string, weeks []string, rows []weekRow) any {
		return struct {
			Root  string
			Weeks []string
			Rows  []weekRow
		}{root, weeks, rows}
	},
	"findingsArgs": func(root string, fs []findingView) any {
		return struct {
			Root     string
			Findings []findingView
		}{root, fs}
	},
}).ParseFS(assets, "templates/*.html"))

// page is what every page template reads.
type page struct {
	Title string
	// Root is the way back to the site's root from the page: "" or "../".
	Root   string
	Site   *site
	Crumbs []link
}

type nationalPage struct {
	page
	Surplus *barChart
	Matrix  *matrix
	Weeks   *stackChart
}

type systemPage struct {
	page
	System  *systemView
	Surplus *barChart
	Matrix  *matrix
	Weeks   *stackChart
	// WeekRows is each contract of the system, week by week.
	WeekRows []weekRow
	Findings []findingView
}

type orgPage struct {
	page
	Org     *orgView
	Beds    *lineChart
	Surplus *barChart
	// WeekRows is each of the organisation's contracts, week by week.
	WeekRows []weekRow
}

type weekRow struct {
	Provider, Commissioner link
	Cells                  []weekCell
	Moved                  int
}

type weekCell struct {
	Text, Class, Label string
}

// matrix is the commissioner x provider alignment table.
type matrix struct {
	ID, Caption, Note, Corner string
	Cols                      []link
	Rows                      []matrixRow
	Legend                    []cell
}

type matrixRow struct {
	Head  link
	Cells []matrixCell
}

type matrixCell struct {
	Class, Text, Label, Href string
}

var legend = []cell{cellErr, cellWarn, cellSettle, cellOne, cellOK, cellNone}

// systemMatrix is every contract a system's members hold: commissioners
// (rows) against providers (columns), the members and their counterparties.
func (s *site) systemMatrix(sv *systemView) *matrix {
	rows, cols := map[string]bool{}, map[string]bool{}
	for _, m := range sv.Members {
		switch m.Type {
		case "ccg":
			rows[m.Code] = true
		case "trust":
			cols[m.Code] = true
		}
	}
	for k := range s.Pairs {
		if rows[k[0]] || cols[k[1]] {
			if s.memberOf(k[0], sv) || s.memberOf(k[1], sv) {
				rows[k[0]], cols[k[1]] = true, true
			}
		}
	}
	if len(rows) == 0 || len(cols) == 0 {
		return nil
	}
	m := &matrix{ID: "matrix", Corner: "Commissioner \\ provider", Legend: legend,
		Caption: fmt.Sprintf("Contract alignment in %s, commissioners by provider", sv.Code),
		Note:    "Each commissioner (row) against each provider (column), this system's members first. The symbol and colour are the worst A01 (activity) or A02 (money) finding on the contract; the figure is the money gap in £m, provider less commissioner. Select a cell for the provider's contracts."}
	sortedKeys := func(set map[string]bool) []string {
		ks := make([]string, 0, len(set))
		for k := range set {
			ks = append(ks, k)
		}
		// Members first, then counterparties from elsewhere.
		slices.SortFunc(ks, func(a, b string) int {
			ma, mb := s.memberOf(a, sv), s.memberOf(b, sv)
			if ma != mb {
				if ma {
					return -1
				}
				return 1
			}
			return cmp.Compare(a, b)
		})
		return ks
	}
	cs := sortedKeys(cols)
	for _, p := range cs {
		m.Cols = append(m.Cols, s.orgLink(p))
	}
	for _, c := range sortedKeys(rows) {
		r := matrixRow{Head: s.orgLink(c)}
		for _, p := range cs {
			pv := s.Pairs[[2]string{c, p}]
			if pv == nil {
				r.Cells = append(r.Cells, matrixCell{Class: cellNone.Class, Label: fmt.Sprintf("%s and %s: no contract", c, p)})
				continue
			}
			label := fmt.Sprintf("%s and %s: %s", c, p, pv.Worst.Words)
			if pv.Row.MoneyGap != nil {
				label += "; money gap " + signedMoney(pv.Row.MoneyGap) + " (provider less commissioner)"
			}
			href := ""
			if o := s.Orgs[p]; o != nil {
				href = o.Href + "#contracts"
			}
			text := pv.Worst.Symbol
			if g := shortGap(pv.Row.MoneyGap); g != "" {
				text += " " + g
			}
			r.Cells = append(r.Cells, matrixCell{Class: pv.Worst.Class, Text: text, Label: label, Href: href})
		}
		m.Rows = append(m.Rows, r)
	}
	return m
}

func (s *site) memberOf(code string, sv *systemView) bool {
	o := s.Orgs[code]
	return o != nil && o.System.Text == sv.Code
}

// nationalMatrix rolls contracts up by system: commissioners' systems
// (rows) against providers' systems (columns).
func (s *site) nationalMatrix() *matrix {
	type agg struct {
		n, bad int
		worst  cell
	}
	cells := map[[2]string]*agg{}
	used := map[string]bool{}
	for k, pv := range s.Pairs {
		co, po := s.Orgs[k[0]], s.Orgs[k[1]]
		if co == nil || po == nil || co.System.Text == "" || po.System.Text == "" {
			continue
		}
		key := [2]string{co.System.Text, po.System.Text}
		a := cells[key]
		if a == nil {
			a = &agg{worst: cellOK}
			cells[key] = a
		}
		a.n++
		if pv.Worst.rank >= cellWarn.rank {
			a.bad++
		}
		a.worst = worse(a.worst, pv.Worst)
		used[key[0]], used[key[1]] = true, true
	}
	if len(cells) == 0 {
		return nil
	}
	var codes []string
	href := map[string]string{}
	for _, sv := range s.Systems {
		if used[sv.Code] {
			codes = append(codes, sv.Code)
			href[sv.Code] = sv.Href
		}
	}
	slices.Sort(codes)
	m := &matrix{ID: "matrix", Corner: "Commissioners in \\ providers in", Legend: legend,
		Caption: "Contract alignment by system, commissioners' system by providers' system",
		Note:    "Commissioners in each system (row) against providers in each system (column). The symbol and colour are the worst A01 (activity) or A02 (money) finding among those contracts; the figure is how many of them have an open gap. Select a cell for the commissioners' system."}
	for _, c := range codes {
		m.Cols = append(m.Cols, link{Text: c, Href: href[c]})
	}
	for _, rc := range codes {
		r := matrixRow{Head: link{Text: rc, Href: href[rc]}}
		for _, pc := range codes {
			a := cells[[2]string{rc, pc}]
			if a == nil {
				r.Cells = append(r.Cells, matrixCell{Class: cellNone.Class, Label: fmt.Sprintf("no contracts between commissioners in %s and providers in %s", rc, pc)})
				continue
			}
			text := a.worst.Symbol
			if a.bad > 0 {
				text += fmt.Sprintf(" %d", a.bad)
			}
			r.Cells = append(r.Cells, matrixCell{Class: a.worst.Class, Text: text, Href: href[rc] + "#matrix",
				Label: fmt.Sprintf("commissioners in %s with providers in %s: %d contracts, %d with an open gap; worst: %s", rc, pc, a.n, a.bad, a.worst.Words)})
		}
		m.Rows = append(m.Rows, r)
	}
	return m
}

// weekRows lays out the weekly status of the contracts keep accepts.
func (s *site) weekRows(keep func(contractWeek) bool) ([]weekRow, []contractWeek) {
	type key struct{ p, c string }
	byKey := map[key]map[string]contractWeek{}
	var kept []contractWeek
	for _, w := range s.Weeks {
		if !keep(w) {
			continue
		}
		kept = append(kept, w)
		k := key{w.Provider, w.Commissioner}
		if byKey[k] == nil {
			byKey[k] = map[string]contractWeek{}
		}
		byKey[k][w.Week] = w
	}
	keys := make([]key, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.p, b.p), cmp.Compare(a.c, b.c)) })
	var out []weekRow
	for _, k := range keys {
		r := weekRow{Provider: s.orgLink(k.p), Commissioner: s.orgLink(k.c)}
		for _, wk := range s.WeekList {
			w, ok := byKey[k][wk]
			if !ok {
				r.Cells = append(r.Cells, weekCell{Text: "", Class: "none", Label: "not in the plans that week"})
				continue
			}
			cl := weekClass(w)
			text := stateCode(w.ProviderState)
			if w.ProviderState != w.CommissionerState {
				text += "/" + stateCode(w.CommissionerState)
			}
			r.Cells = append(r.Cells, weekCell{Text: text, Class: cl,
				Label: fmt.Sprintf("%s: %s says %s, %s says %s", wk, k.p, stateWords(w.ProviderState), k.c, stateWords(w.CommissionerState))})
			r.Moved = w.WeeksSinceMoved
		}
		out = append(out, r)
	}
	return out, kept
}

// write renders the site into dir.
func (s *site) write(dir string) error {
	for _, sub := range []string{"", "systems", "orgs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	css, err := assets.ReadFile("assets/style.css")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "style.css"), css, 0o644); err != nil {
		return err
	}

	// National.
	np := nationalPage{page: page{Title: "Operational plans " + s.Year + ": national view", Site: s}}
	var items []surplusItem
	for _, sv := range s.Systems {
		items = append(items, surplusItem{Label: sv.Code, Href: sv.Href, Surplus: sv.Surplus, Target: sv.Target, TargetLabel: "system control total"})
	}
	slices.SortFunc(items, func(a, b surplusItem) int { return cmp.Compare(a.Label, b.Label) })
	np.Surplus = surplusChart("surplus", "Members' planned surplus against the system control total", "System", items)
	np.Matrix = s.nationalMatrix()
	np.Weeks = weeksChart("weeks", "Contracts by status, week by week (all systems)", s.WeekList, s.Weeks)
	if err := render(filepath.Join(dir, "index.html"), "national", np); err != nil {
		return err
	}

	home := link{Text: "National", Href: "index.html"}
	var jobs []func() error
	for _, sv := range s.Systems {
		jobs = append(jobs, func() error { return s.writeSystem(dir, sv, home) })
	}
	for _, o := range s.OrgList {
		jobs = append(jobs, func() error { return s.writeOrg(dir, o, home) })
	}
	return parallel(jobs)
}

// parallel runs jobs on every core and returns the first error. The model
// is read-only while pages are rendered.
func parallel(jobs []func() error) error {
	next := make(chan func() error)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range next {
				if err := panics.Call(job); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, job := range jobs {
		select {
		case err := <-errs:
			close(next)
			wg.Wait()
			return err
		case next <- job:
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func (s *site) writeSystem(dir string, sv *systemView, home link) error {
	sp := systemPage{page: page{Title: sv.Code + " " + sv.Name + ": " + s.Year, Root: "../", Site: s, Crumbs: []link{home}}, System: sv}
	var items []surplusItem
	for _, m := range sv.Members {
		items = append(items, surplusItem{Label: m.Code, Href: m.Href, Surplus: m.Surplus, Target: m.Target, TargetLabel: m.TargetLabel})
	}
	items = append(items, surplusItem{Label: "System", Surplus: sv.Surplus, Target: sv.Target, TargetLabel: "system control total"})
	sp.Surplus = surplusChart("surplus", "Planned surplus against target, by member", "Organisation", items)
	sp.Matrix = s.systemMatrix(sv)
	var kept []contractWeek
	sp.WeekRows, kept = s.weekRows(func(w contractWeek) bool { return s.memberOf(w.Provider, sv) || s.memberOf(w.Commissioner, sv) })
	sp.Weeks = weeksChart("weeks", "Contracts held by "+sv.Code+"'s members, by status, week by week", s.WeekList, kept)
	// The system's own findings, then each member's, each once.
	sp.Findings = slices.Clone(sv.Findings)
	seen := map[string]bool{}
	for _, f := range sp.Findings {
		seen[f.ID] = true
	}
	for _, m := range sv.Members {
		for _, f := range m.Findings {
			if !seen[f.ID] {
				seen[f.ID] = true
				sp.Findings = append(sp.Findings, f)
			}
		}
	}
	return render(filepath.Join(dir, sv.Href), "system", sp)
}

func (s *site) writeOrg(dir string, o *orgView, home link) error {
	op := orgPage{page: page{Title: o.Code + " " + o.Name + ": " + s.Year, Root: "../", Site: s, Crumbs: []link{home}}, Org: o}
	if o.System.Href != "" {
		op.Crumbs = append(op.Crumbs, o.System)
	}
	op.Beds = bedsChart(o)
	if o.Surplus != nil || o.Target != nil {
		op.Surplus = surplusChart("surplus", "Planned surplus against "+o.TargetLabel, "Organisation",
			[]surplusItem{{Label: o.Code, Surplus: o.Surplus, Target: o.Target, TargetLabel: o.TargetLabel}})
	}
	op.WeekRows, _ = s.weekRows(func(w contractWeek) bool { return w.Provider == o.Code || w.Commissioner == o.Code })
	return render(filepath.Join(dir, o.Href), "org", op)
}

func render(name, tmpl string, data any) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	err = pages.ExecuteTemplate(w, tmpl, data)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// Write builds the site for in and writes it into dir, creating dir when
// it does not exist. Files of an earlier site there are overwritten.
func Write(dir string, in Input) error {
	s, err := build(in)
	if err != nil {
		return err
	}
	return s.write(dir)
}
