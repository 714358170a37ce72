package workbook

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/planfile"
)

// Options are what a workbook shows beside the plan's own figures.
type Options struct {
	// Orgs is the organisation reference list: counterparty names and the
	// drop-downs of counterparty codes.
	Orgs map[string]planfile.Organisation
	// Register holds the figures the regulator set for this organisation
	// and year, shown read-only on the cover (label -> £000).
	Register []Figure
	// Findings are the plan's findings: each becomes a comment and a
	// highlight on the cell holding the figure it points at, and a row of
	// the Findings sheet.
	Findings []finding.Finding
	// Rules are the rule ids offered in the Explanations drop-down.
	Rules []string
}

// Figure is one regulator figure from the register.
type Figure struct {
	Label string
	Value float64
}

type exporter struct {
	f      *excelize.File
	p      *planfile.Plan
	o      Options
	blank  bool
	cells  map[string]string // CUE path -> Sheet!Cell
	styles struct{ header, input, locked, fill [3]int }
	inputs map[string][]string // sheet -> ranges of input cells
	// grids hold every sheet's cells until flush streams them out in row
	// order: excelize's stream writer skips the worksheet model and its
	// XML marshalling, which dominated the time of an export.
	grids  map[string]*grid
	sheets []string // in workbook order
	// coverRow is the row of each Cover label.
	coverRow map[string]int
	// financeRows are where the Finance sheet's validated rows are.
	financeRows struct {
		surplus, byCommissioner int
		ccg                     map[string]int
	}
}

// grid is a sheet's cells by row and column (0-based).
type grid struct{ rows [][]xcell }

// xcell is one cell waiting to be streamed: a value or a formula, and a
// style.
type xcell struct {
	v     any
	f     string
	style int
	set   bool
}

// Export writes the workbook of p.
func Export(p *planfile.Plan, o Options) (*excelize.File, error) {
	return build(p, o, false)
}

// Write writes f as .xlsx to w.
func Write(w io.Writer, f *excelize.File) error {
	_, err := f.WriteTo(w)
	return err
}

func build(p *planfile.Plan, o Options, blank bool) (*excelize.File, error) {
	x := &exporter{f: excelize.NewFile(), p: p, o: o, blank: blank, cells: map[string]string{}, inputs: map[string][]string{}, grids: map[string]*grid{}}
	if err := x.setup(); err != nil {
		return nil, err
	}
	var err error
	switch {
	case p.Provider != nil:
		err = x.provider(p.Provider)
	case p.Commissioner != nil:
		err = x.commissioner(p.Commissioner)
	case p.System != nil:
		err = x.system(p.System)
	default:
		err = fmt.Errorf("export: empty plan")
	}
	if err != nil {
		return nil, err
	}
	if err := x.lists(); err != nil {
		return nil, err
	}
	if err := x.protect(); err != nil {
		return nil, err
	}
	if !blank {
		if err := x.findings(); err != nil {
			return nil, err
		}
	}
	if err := x.flush(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return x.f, nil
}

// at returns the cell at col, row of a sheet, adding it.
func (x *exporter) at(sheet string, col, row int) *xcell {
	g := x.grids[sheet]
	if g == nil {
		g = &grid{}
		x.grids[sheet] = g
	}
	for len(g.rows) < row {
		g.rows = append(g.rows, nil)
	}
	r := &g.rows[row-1]
	for len(*r) < col {
		*r = append(*r, xcell{})
	}
	c := &(*r)[col-1]
	c.set = true
	return c
}

// row writes values from col along a row.
func (x *exporter) row(sheet string, col, row int, vals []any) {
	for i, v := range vals {
		c := x.at(sheet, col+i, row)
		c.v, c.f = v, ""
	}
}

// style sets the style of every cell of a range ("A2", "E17").
func (x *exporter) style(sheet, from, to string, id int) error {
	c1, r1, err := excelize.CellNameToCoordinates(from)
	if err != nil {
		return err
	}
	c2, r2, err := excelize.CellNameToCoordinates(to)
	if err != nil {
		return err
	}
	for r := min(r1, r2); r <= max(r1, r2); r++ {
		for c := min(c1, c2); c <= max(c1, c2); c++ {
			x.at(sheet, c, r).style = id
		}
	}
	return nil
}

// flush streams every sheet's cells in row order. Everything else about a
// sheet (panes, widths, validation, protection, comments) is set before,
// on the worksheet the stream writer completes.
func (x *exporter) flush() error {
	for _, sheet := range x.sheets {
		sw, err := x.f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		var vals []any
		if g := x.grids[sheet]; g != nil {
			for i, r := range g.rows {
				first := slices.IndexFunc(r, func(c xcell) bool { return c.set })
				if first < 0 {
					continue
				}
				vals = vals[:0]
				for _, c := range r[first:] {
					if c.set {
						vals = append(vals, excelize.Cell{StyleID: c.style, Formula: c.f, Value: c.v})
					} else {
						vals = append(vals, nil)
					}
				}
				if err := sw.SetRow(cell(first+1, i+1), vals); err != nil {
					return err
				}
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func (x *exporter) setup() error {
	var err error
	must := func(id int, e error) int {
		if e != nil && err == nil {
			err = e
		}
		return id
	}
	x.styles.header[0] = must(x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}}))
	x.styles.input[0] = must(x.f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: false}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFFF0"}}}))
	x.styles.locked[0] = must(x.f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}}}))
	for i, c := range []string{"F8696B", "FFC000", "9BC2E6"} { // error, warning, info
		x.styles.fill[i] = must(x.f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: false}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}}}))
	}
	if err != nil {
		return fmt.Errorf("export: styles: %w", err)
	}
	return x.f.SetSheetName("Sheet1", sheetCover)
}

func (x *exporter) sheet(name string, header []any) error {
	if name != sheetCover {
		if _, err := x.f.NewSheet(name); err != nil {
			return err
		}
	}
	x.sheets = append(x.sheets, name)
	if header != nil {
		x.row(name, 1, 1, header)
		if err := x.style(name, "A1", cell(len(header), 1), x.styles.header[0]); err != nil {
			return err
		}
		if err := x.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	return nil
}

func gridHeader(total string) []any {
	h := []any{"Code", "Organisation", "Line", "Ref"}
	for i, m := range monthNames {
		h = append(h, fmt.Sprintf("M%d %s", i+1, m))
	}
	if total != "" {
		h = append(h, total)
	}
	return h
}

// set writes one value; in a template only labels (strings given as
// labels) are written.
func (x *exporter) set(sheet string, col, row int, v any) {
	c := x.at(sheet, col, row)
	c.v, c.f = v, ""
}

func (x *exporter) input(sheet string, from, to string) {
	x.inputs[sheet] = append(x.inputs[sheet], from+":"+to)
}

func (x *exporter) bind(path []string, sheet string, col, row int) {
	if len(x.o.Findings) == 0 {
		return // cells are only looked up to place findings
	}
	x.cells[plan.DisplayPath(path)] = sheet + "!" + cell(col, row)
}

func (x *exporter) num(sheet string, col, row int, v float64, path []string) {
	x.bind(path, sheet, col, row)
	x.input(sheet, cell(col, row), cell(col, row))
	if !x.blank {
		x.set(sheet, col, row, v)
	}
}

// text writes a text cell; a template's text cells are empty unless the
// skeleton fills them (the organisation's code, name, year).
func (x *exporter) text(sheet string, col, row int, v string, path []string) {
	x.bind(path, sheet, col, row)
	x.input(sheet, cell(col, row), cell(col, row))
	if v != "" {
		x.set(sheet, col, row, v)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// labels writes the locked part of a grid row.
func (x *exporter) labels(sheet string, row int, code, label, ref string) {
	x.row(sheet, colCode, row, []any{code, x.o.Orgs[code].Name, label, ref})
}

func (x *exporter) formula(sheet string, col, row int, f string) {
	c := x.at(sheet, col, row)
	c.v, c.f = nil, f
}

// sum adds figures the way the importer does, rounded so that a sum of
// decimals (WTE in tenths) compares equal to the decimal written.
func sum(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return round(s)
}

func round(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 9, 64), 64)
	if err != nil || math.IsInf(r, 0) {
		return v
	}
	return r
}

func ints(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = float64(v)
	}
	return out
}

func f64(v int) *float64 { f := float64(v); return &f }

func p(segs ...string) []string { return segs }

func (x *exporter) cover(rows [][2]any, paths [][]string) error {
	if err := x.sheet(sheetCover, []any{"Field", "Value"}); err != nil {
		return err
	}
	x.coverRow = map[string]int{}
	for i, r := range rows {
		row := i + 2
		x.set(sheetCover, 1, row, r[0])
		if l, ok := r[0].(string); ok {
			x.coverRow[l] = row
		}
		if paths[i] == nil { // read-only: the register's figures
			x.set(sheetCover, 2, row, r[1])
			x.at(sheetCover, 2, row).style = x.styles.locked[0]
			continue
		}
		switch v := r[1].(type) {
		case string:
			x.text(sheetCover, 2, row, v, paths[i])
		case float64:
			x.num(sheetCover, 2, row, v, paths[i])
		case nil:
			x.text(sheetCover, 2, row, "", paths[i])
		}
	}
	return x.f.SetColWidth(sheetCover, "A", "B", 48)
}

func syntheticText(b *bool) string {
	if b == nil {
		return ""
	}
	return yesNo(*b)
}

func (x *exporter) registerRows(rows *[][2]any, paths *[][]string) {
	for _, r := range x.o.Register {
		*rows = append(*rows, [2]any{regPrefix + r.Label, r.Value})
		*paths = append(*paths, nil)
	}
}

func (x *exporter) provider(t *planfile.Provider) error {
	rows := [][2]any{{lCode, t.Org}, {lName, t.Name}, {lKind, "provider"}, {lType, t.Type}, {lSystem, t.System}, {lYear, t.Year}, {lStatus, t.Status},
		{lSynthetic, syntheticText(t.Synthetic)}, {lAccepted, yesNo(t.ControlTotalDecision.Accepted)}, {lDate, t.ControlTotalDecision.Date}, {lBoardRef, t.ControlTotalDecision.BoardReference}}
	paths := [][]string{p("org"), p("name"), p("kind"), p("type"), p("system"), p("year"), p("status"), p("synthetic"),
		p("control_total_decision", "accepted"), p("control_total_decision", "date"), p("control_total_decision", "board_reference")}
	if x.blank {
		rows[8][1] = ""
	}
	x.registerRows(&rows, &paths)
	if err := x.cover(rows, paths); err != nil {
		return err
	}
	if err := x.activity(func(yield func(string, planfile.Lines) bool) {
		for _, c := range sortedKeys(t.Activity) {
			if !yield(c, t.Activity[c]) {
				return
			}
		}
	}, func(c string) []string { return p("activity", c) }); err != nil {
		return err
	}

	// Capacity.
	if err := x.sheet(sheetCapacity, gridHeader("")); err != nil {
		return err
	}
	row := 2
	for _, s := range []struct {
		label string
		m     []int
		key   string
	}{{lBedsCore, t.Capacity.BedsCore.Months, "beds_core"}, {lBedsEscalation, t.Capacity.BedsEscalation.Months, "beds_escalation"}, {lBedsOccupied, t.Capacity.BedsOccupied.Months, "beds_occupied"}} {
		x.labels(sheetCapacity, row, "", s.label, "beds")
		x.monthsAt(sheetCapacity, row, ints(s.m), nil, p("capacity", s.key))
		row++
	}
	for _, s := range []struct {
		label string
		v     float64
		key   string
	}{{lLOSOrdinary, t.Capacity.LOSElectiveOrdinary, "los_elective_ordinary"}, {lLOSNonElective, t.Capacity.LOSNonElective, "los_non_elective"}} {
		x.labels(sheetCapacity, row, "", s.label, "days")
		x.num(sheetCapacity, colValue, row, s.v, p("capacity", s.key))
		row++
	}

	// Workforce: the total row first, a SUM of the staff-group rows below.
	if err := x.sheet(sheetWorkforce, gridHeader("")); err != nil {
		return err
	}
	x.labels(sheetWorkforce, 2, "", lWTETotal, "WTE")
	row = 3
	computed := make([]float64, 12)
	for _, g := range planfile.StaffGroups {
		sg, ok := t.Workforce.Groups[g.Key]
		if !ok && !x.blank {
			continue
		}
		for _, k := range planfile.StaffKinds {
			x.labels(sheetWorkforce, row, "", g.Label, k)
			vals := *sg.Kind(k)
			x.monthsAt(sheetWorkforce, row, vals, nil, p("workforce", "groups", g.Key, k))
			for i, v := range vals {
				if i < 12 {
					computed[i] += v
				}
			}
			row++
		}
	}
	for i := range 12 {
		x.bind(p("workforce", "total", strconv.Itoa(i)), sheetWorkforce, colM1+i, 2)
		col := colLetter(colM1 + i)
		if x.blank || i < len(t.Workforce.Total) && round(computed[i]) == t.Workforce.Total[i] {
			x.formula(sheetWorkforce, colM1+i, 2, fmt.Sprintf("SUM(%s3:%s%d)", col, col, max(row-1, 3)))
		} else if i < len(t.Workforce.Total) {
			x.set(sheetWorkforce, colM1+i, 2, t.Workforce.Total[i])
			x.input(sheetWorkforce, cell(colM1+i, 2), cell(colM1+i, 2))
		}
	}
	x.bind(p("workforce", "total"), sheetWorkforce, colLabel, 2)

	// Finance.
	if err := x.sheet(sheetFinance, gridHeader("Total")); err != nil {
		return err
	}
	f := &t.Finance
	scalars := []struct {
		label string
		v     *float64
		path  []string
	}{
		{lPatientCare, &f.Income.PatientCare, p("finance", "income", "patient_care")},
		{lOtherIncome, &f.Income.Other, p("finance", "income", "other")},
		{lPaySubst, &f.Expenditure.Pay.Substantive, p("finance", "expenditure", "pay", "substantive")},
		{lPayBank, &f.Expenditure.Pay.Bank, p("finance", "expenditure", "pay", "bank")},
		{lPayAgency, &f.Expenditure.Pay.Agency, p("finance", "expenditure", "pay", "agency")},
		{lNonPay, &f.Expenditure.NonPay, p("finance", "expenditure", "non_pay")},
		{lDepreciation, &f.Expenditure.Depreciation, p("finance", "expenditure", "depreciation")},
		{lFinancing, &f.Expenditure.Financing, p("finance", "expenditure", "financing")},
	}
	row = 2
	for _, s := range scalars {
		x.labels(sheetFinance, row, "", s.label, "£000")
		x.num(sheetFinance, colValue, row, *s.v, s.path)
		row++
	}
	// Surplus: income less expenditure (rows 2-3 less rows 4-9).
	x.financeRows.surplus = row
	x.labels(sheetFinance, row, "", lSurplus, "£000")
	x.bind(p("finance", "surplus"), sheetFinance, colValue, row)
	computedSurplus := round(f.Income.PatientCare + f.Income.Other - (f.Expenditure.Pay.Substantive + f.Expenditure.Pay.Bank + f.Expenditure.Pay.Agency + f.Expenditure.NonPay + f.Expenditure.Depreciation + f.Expenditure.Financing))
	if x.blank || computedSurplus == f.Surplus {
		x.formula(sheetFinance, colValue, row, "E2+E3-SUM(E4:E9)")
	} else {
		x.num(sheetFinance, colValue, row, f.Surplus, p("finance", "surplus"))
	}
	row++
	for _, s := range []struct {
		label string
		v     *float64
		path  []string
	}{{lStatedSF, f.Income.SustainabilityFunding, p("finance", "income", "sustainability_funding")}, {lStatedCTFin, f.ControlTotal, p("finance", "control_total")}, {lStatedAC, f.AgencyCeiling, p("finance", "agency_ceiling")}} {
		x.labels(sheetFinance, row, "", s.label, "£000")
		x.bind(s.path, sheetFinance, colValue, row)
		x.input(sheetFinance, cell(colValue, row), cell(colValue, row))
		if s.v != nil && !x.blank {
			x.set(sheetFinance, colValue, row, *s.v)
		}
		row++
	}
	x.financeRows.byCommissioner = row
	for _, c := range sortedKeys(f.Income.ByCommissioner) {
		mf := f.Income.ByCommissioner[c]
		x.labels(sheetFinance, row, c, lIncomeBy, "£000")
		x.input(sheetFinance, cell(colCode, row), cell(colCode, row))
		tot := mf.Total
		x.monthsAt(sheetFinance, row, mf.Months, &tot, p("finance", "income", "by_commissioner", c))
		row++
	}
	if x.blank {
		x.blankRows(sheetFinance, row, 20, lIncomeBy, "£000", true)
	}

	// CIP.
	if err := x.cip(&f.CIP); err != nil {
		return err
	}

	// Performance: RTT and the trajectories.
	if err := x.sheet(sheetPerformance, gridHeader("Total")); err != nil {
		return err
	}
	row = 2
	if r := t.RTT; r != nil || x.blank {
		if r == nil {
			r = &planfile.RTT{}
		}
		for _, s := range []struct {
			label string
			fl    planfile.Flow
			key   string
		}{{lClockStarts, r.ClockStarts, "clock_starts"}, {lAdmitted, r.CompletedAdmitted, "completed_admitted"}, {lNonAdmitted, r.CompletedNonadmitted, "completed_nonadmitted"}} {
			x.labels(sheetPerformance, row, "", s.label, "")
			tot := float64(s.fl.Total)
			x.monthsAt(sheetPerformance, row, ints(s.fl.Months), &tot, p("rtt", s.key))
			row++
		}
		for _, s := range []struct {
			label string
			m     []int
			key   string
		}{{lWaitingList, r.WaitingList.Months, "waiting_list"}, {lWaits52, r.Waits52Weeks.Months, "waits_52_weeks"}} {
			x.labels(sheetPerformance, row, "", s.label, "")
			x.monthsAt(sheetPerformance, row, ints(s.m), nil, p("rtt", s.key))
			row++
		}
	}
	if pf := t.Performance; pf != nil || x.blank {
		if pf == nil {
			pf = &planfile.Performance{}
		}
		for _, tr := range planfile.Trajectories {
			v := pf.Get(tr.Key)
			x.labels(sheetPerformance, row, "", tr.Label+suffixNum, "")
			x.monthsAt(sheetPerformance, row, ints(v.Numerator), nil, p("performance", tr.Key, "numerator"))
			row++
			x.labels(sheetPerformance, row, "", tr.Label+suffixDen, "")
			x.monthsAt(sheetPerformance, row, ints(v.Denominator), nil, p("performance", tr.Key, "denominator"))
			row++
		}
	}

	// Contracts: this trust's side of each contract's status.
	if err := x.sheet(sheetContracts, []any{"Code", "Organisation", contractsState, "Date"}); err != nil {
		return err
	}
	row = 2
	for _, c := range sortedKeys(t.ContractStatus) {
		x.contractRow(row, c, t.ContractStatus[c], p("contract_status", c))
		row++
	}
	if x.blank {
		x.blankContracts(row, false)
	}

	if err := x.explanations(t.Explanations); err != nil {
		return err
	}
	return x.prior(&t.PriorYear.PriorYear, func(row int) int {
		py := &t.PriorYear
		for _, c := range sortedKeys(py.Income) {
			x.labels(sheetPrior, row, c, lPriorIncome, "£000")
			x.input(sheetPrior, cell(colCode, row), cell(colCode, row))
			x.num(sheetPrior, colValue, row, py.Income[c], p("prior_year", "income", c))
			row++
		}
		x.labels(sheetPrior, row, "", lPriorPay, "£000")
		x.num(sheetPrior, colValue, row, py.Pay, p("prior_year", "pay"))
		row++
		for _, s := range []struct {
			label string
			v     *int
			key   string
		}{{lPriorRTT, py.RTTWaitingListMarch, "rtt_waiting_list_march"}, {lPriorWaits52, py.Waits52WeeksMarch, "waits_52_weeks_march"}} {
			x.labels(sheetPrior, row, "", s.label, "")
			x.bind(p("prior_year", s.key), sheetPrior, colValue, row)
			x.input(sheetPrior, cell(colValue, row), cell(colValue, row))
			if s.v != nil && !x.blank {
				x.set(sheetPrior, colValue, row, *s.v)
			}
			row++
		}
		return row
	})
}

// monthsAt writes twelve monthly figures at a row and, for a flow, the
// total: a SUM formula when the stated total is the sum of the months, the
// stated value otherwise (the importer reads a formula as the sum of the
// months and a value as it is, so either way the plan comes back).
func (x *exporter) monthsAt(sheet string, row int, vals []float64, total *float64, path []string) {
	x.input(sheet, cell(colM1, row), cell(colM1+11, row))
	if len(x.o.Findings) > 0 {
		for i := range 12 {
			x.bind(append(slices.Clone(path), strconv.Itoa(i)), sheet, colM1+i, row)
			x.bind(append(slices.Clone(path), "months", strconv.Itoa(i)), sheet, colM1+i, row)
		}
	}
	if !x.blank && len(vals) > 0 {
		r := make([]any, len(vals))
		for i, v := range vals {
			r[i] = v
		}
		x.row(sheet, colM1, row, r)
	}
	if total == nil {
		x.bind(path, sheet, colLabel, row)
		return
	}
	x.bind(append(slices.Clone(path), "total"), sheet, colTotal, row)
	x.bind(path, sheet, colTotal, row)
	if x.blank || *total == sum(vals) {
		x.formula(sheet, colTotal, row, fmt.Sprintf("SUM(%s:%s)", cell(colM1, row), cell(colM1+11, row)))
		return
	}
	x.set(sheet, colTotal, row, *total)
	x.input(sheet, cell(colTotal, row), cell(colTotal, row))
}

// blankRows adds n unfilled rows with a code drop-down, for counterparties
// the template does not list yet.
func (x *exporter) blankRows(sheet string, row, n int, label, ref string, total bool) {
	for i := range n {
		r := row + i
		x.labels(sheet, r, "", label, ref)
		x.input(sheet, cell(colCode, r), cell(colCode, r))
		x.input(sheet, cell(colM1, r), cell(colM1+11, r))
		if total {
			x.formula(sheet, colTotal, r, fmt.Sprintf("IF(COUNT(%s:%s)=0,\"\",SUM(%s:%s))", cell(colM1, r), cell(colM1+11, r), cell(colM1, r), cell(colM1+11, r)))
		}
	}
}

func (x *exporter) activity(blocks func(func(string, planfile.Lines) bool), path func(string) []string) error {
	if err := x.sheet(sheetActivity, gridHeader("Total")); err != nil {
		return err
	}
	row := 2
	for c, ls := range blocks {
		for _, l := range planfile.ActivityLines {
			fl, ok := ls[l.Key]
			if !ok && !x.blank {
				continue
			}
			x.labels(sheetActivity, row, c, l.Label, l.Ref)
			x.input(sheetActivity, cell(colCode, row), cell(colCode, row))
			tot := float64(fl.Total)
			x.monthsAt(sheetActivity, row, ints(fl.Months), &tot, append(path(c), l.Key))
			if _, bound := x.cells[plan.DisplayPath(path(c))]; !bound {
				x.bind(path(c), sheetActivity, colCode, row)
			}
			row++
		}
	}
	return x.f.SetColWidth(sheetActivity, "C", "C", 34)
}

func (x *exporter) contractRow(row int, code string, s planfile.ContractStatus, path []string) {
	x.set(sheetContracts, colCode, row, code)
	x.set(sheetContracts, colName, row, x.o.Orgs[code].Name)
	x.input(sheetContracts, cell(colCode, row), cell(colCode, row))
	x.bind(path, sheetContracts, colCode, row)
	x.text(sheetContracts, 3, row, s.State, append(slices.Clone(path), "state"))
	x.text(sheetContracts, 4, row, s.Date, append(slices.Clone(path), "date"))
}

func (x *exporter) blankContracts(row int, value bool) {
	for r := row; r < row+20; r++ {
		x.input(sheetContracts, cell(colCode, r), cell(4, r))
		if value {
			x.input(sheetContracts, cell(colM1, r), cell(colM1+11, r))
		}
	}
}

func (x *exporter) cip(c *planfile.CIP) error {
	h := []any{"Scheme", "Category", "Recurrent", "Identified", "Value (£000)"}
	for i, m := range monthNames {
		h = append(h, fmt.Sprintf("M%d %s", i+1, m))
	}
	if err := x.sheet(sheetCIP, h); err != nil {
		return err
	}
	// Totals sit above the table: rows 2-4, schemes from row 6.
	first, last := 6, max(6+len(c.Schemes)-1, 6)
	if x.blank {
		last = 6 + 30
	}
	var rec, nonrec, all float64
	for _, s := range c.Schemes {
		all += s.Value
		if s.Recurrent {
			rec += s.Value
		} else {
			nonrec += s.Value
		}
	}
	vr := fmt.Sprintf("E%d:E%d", first, last)
	for i, s := range []struct {
		label    string
		v, sumv  float64
		key, frm string
	}{
		{lCIPTotal, c.Total, all, "total", "SUM(" + vr + ")"},
		{lCIPRecurrent, c.Recurrent, rec, "recurrent", fmt.Sprintf("SUMIF(C%d:C%d,\"yes\",%s)", first, last, vr)},
		{lCIPNonRecurrent, c.NonRecurrent, nonrec, "non_recurrent", fmt.Sprintf("SUMIF(C%d:C%d,\"no\",%s)", first, last, vr)},
	} {
		row := 2 + i
		x.set(sheetCIP, 1, row, s.label)
		x.bind(p("finance", "cip", s.key), sheetCIP, cipValue, row)
		if x.blank || round(s.sumv) == s.v {
			x.formula(sheetCIP, cipValue, row, s.frm)
		} else {
			x.num(sheetCIP, cipValue, row, s.v, p("finance", "cip", s.key))
		}
	}
	x.bind(p("finance", "cip", "schemes"), sheetCIP, cipName, first)
	x.bind(p("finance", "cip"), sheetCIP, cipName, 2)
	for i, s := range c.Schemes {
		row := first + i
		path := p("finance", "cip", "schemes", strconv.Itoa(i))
		x.text(sheetCIP, cipName, row, s.Name, append(slices.Clone(path), "name"))
		x.bind(path, sheetCIP, cipName, row)
		x.text(sheetCIP, cipCategory, row, s.Category, append(slices.Clone(path), "category"))
		x.text(sheetCIP, cipRecurrent, row, yesNo(s.Recurrent), append(slices.Clone(path), "recurrent"))
		x.text(sheetCIP, cipIdentified, row, yesNo(s.Identified), append(slices.Clone(path), "identified"))
		x.num(sheetCIP, cipValue, row, s.Value, append(slices.Clone(path), "value"))
		x.input(sheetCIP, cell(cipM1, row), cell(cipM1+11, row))
		r := make([]any, len(s.Months))
		for j, v := range s.Months {
			r[j] = v
			x.bind(append(slices.Clone(path), "months", strconv.Itoa(j)), sheetCIP, cipM1+j, row)
		}
		x.row(sheetCIP, cipM1, row, r)
	}
	if x.blank {
		x.input(sheetCIP, cell(cipName, first), cell(cipM1+11, last))
	}
	return x.f.SetColWidth(sheetCIP, "A", "A", 48)
}

func (x *exporter) explanations(es []planfile.Explanation) error {
	if err := x.sheet(sheetExplanations, []any{"Rule", "Month (1-12)", "Counterparty", "Acknowledge", "Explanation"}); err != nil {
		return err
	}
	for i, e := range es {
		row := i + 2
		path := p("explanations", strconv.Itoa(i))
		x.bind(path, sheetExplanations, expRule, row)
		x.text(sheetExplanations, expRule, row, e.Rule, append(slices.Clone(path), "rule"))
		if e.Month != nil {
			x.num(sheetExplanations, expMonth, row, float64(*e.Month), append(slices.Clone(path), "month"))
		}
		if e.Counterparty != nil {
			x.text(sheetExplanations, expCounterparty, row, *e.Counterparty, append(slices.Clone(path), "counterparty"))
		}
		if e.Acknowledge != nil {
			x.text(sheetExplanations, expAcknowledge, row, yesNo(*e.Acknowledge), append(slices.Clone(path), "acknowledge"))
		}
		if e.Text != nil {
			x.text(sheetExplanations, expText, row, *e.Text, append(slices.Clone(path), "text"))
		}
	}
	x.input(sheetExplanations, "A2", cell(expText, max(len(es)+2, 2)+50))
	return x.f.SetColWidth(sheetExplanations, "E", "E", 100)
}

func (x *exporter) prior(py *planfile.PriorYear, rest func(int) int) error {
	if err := x.sheet(sheetPrior, []any{"Code", "Organisation", "Line", "Ref", "Value"}); err != nil {
		return err
	}
	x.set(sheetPrior, colLabel, 2, lPriorYear)
	x.text(sheetPrior, colValue, 2, py.Year, p("prior_year", "year"))
	row := 3
	for _, c := range sortedKeys(py.Activity) {
		a := py.Activity[c]
		for _, l := range planfile.ActivityLines {
			v, ok := a[l.Key]
			if !ok && !x.blank {
				continue
			}
			x.labels(sheetPrior, row, c, l.Label, l.Ref)
			x.input(sheetPrior, cell(colCode, row), cell(colCode, row))
			x.num(sheetPrior, colValue, row, float64(v), p("prior_year", "activity", c, l.Key))
			row++
		}
	}
	for _, l := range planfile.GrowthLines {
		v, ok := py.GrowthPct[l.Key]
		if !ok && !x.blank {
			continue
		}
		x.labels(sheetPrior, row, "", prefixGrowth+l.Label, "%")
		x.num(sheetPrior, colValue, row, v, p("prior_year", "growth_pct", l.Key))
		row++
	}
	x.labels(sheetPrior, row, "", lPriorWTE, "WTE")
	x.bind(p("prior_year", "wte"), sheetPrior, colValue, row)
	x.input(sheetPrior, cell(colValue, row), cell(colValue, row))
	if py.WTE != nil && !x.blank {
		x.set(sheetPrior, colValue, row, *py.WTE)
	}
	rest(row + 1)
	return x.f.SetColWidth(sheetPrior, "C", "C", 34)
}

func (x *exporter) commissioner(c *planfile.Commissioner) error {
	rows := [][2]any{{lCode, c.Org}, {lName, c.Name}, {lKind, "commissioner"}, {lSystem, c.System}, {lYear, c.Year}, {lStatus, c.Status}, {lSynthetic, syntheticText(c.Synthetic)}}
	paths := [][]string{p("org"), p("name"), p("kind"), p("system"), p("year"), p("status"), p("synthetic")}
	x.registerRows(&rows, &paths)
	if err := x.cover(rows, paths); err != nil {
		return err
	}
	if err := x.activity(func(yield func(string, planfile.Lines) bool) {
		for _, code := range sortedKeys(c.Contracts) {
			if !yield(code, c.Contracts[code].Activity) {
				return
			}
		}
	}, func(code string) []string { return p("contracts", code, "activity") }); err != nil {
		return err
	}
	if err := x.sheet(sheetFinance, gridHeader("")); err != nil {
		return err
	}
	f := &c.Finance
	row := 2
	for _, s := range []struct {
		label    string
		v        *float64
		key      string
		optional bool
	}{
		{lStatedAlloc, f.Allocation, "allocation", true}, {lOtherSpend, &f.OtherSpend, "other_spend", false}, {lQIPP, &f.QIPP, "qipp", false},
		{lCCGSurplus, &f.Surplus, "surplus", false}, {lMentalSpend, &f.MentalHealth, "mental_health", false}, {lStatedRS, f.RequiredSurplus, "required_surplus", true},
	} {
		if x.financeRows.ccg == nil {
			x.financeRows.ccg = map[string]int{}
		}
		x.financeRows.ccg[s.label] = row
		x.labels(sheetFinance, row, "", s.label, "£000")
		x.bind(p("finance", s.key), sheetFinance, colValue, row)
		x.input(sheetFinance, cell(colValue, row), cell(colValue, row))
		if s.v != nil && !x.blank {
			x.set(sheetFinance, colValue, row, *s.v)
		}
		row++
	}
	h := []any{"Code", "Organisation", contractsState, "Date"}
	for i, m := range monthNames {
		h = append(h, fmt.Sprintf("M%d %s (£000)", i+1, m))
	}
	h = append(h, "Contract value")
	if err := x.sheet(sheetContracts, h); err != nil {
		return err
	}
	row = 2
	for _, code := range sortedKeys(c.Contracts) {
		k := c.Contracts[code]
		path := p("contracts", code)
		x.contractRow(row, code, k.Status, append(slices.Clone(path), "status"))
		x.bind(path, sheetContracts, colCode, row)
		tot := k.Value.Total
		x.monthsAt(sheetContracts, row, k.Value.Months, &tot, append(slices.Clone(path), "value"))
		row++
	}
	if x.blank {
		x.blankContracts(row, true)
	}
	if err := x.explanations(c.Explanations); err != nil {
		return err
	}
	return x.prior(&c.PriorYear.PriorYear, func(row int) int {
		x.labels(sheetPrior, row, "", lPriorMental, "£000")
		x.num(sheetPrior, colValue, row, c.PriorYear.MentalHealth, p("prior_year", "mental_health"))
		return row + 1
	})
}

func (x *exporter) system(s *planfile.System) error {
	rows := [][2]any{{lCode, s.Org}, {lName, s.Name}, {lKind, "system"}, {lYear, s.Year}, {lSynthetic, syntheticText(s.Synthetic)}, {lMembers, strings.Join(s.Members, ", ")}, {lStatedCT, nil}}
	paths := [][]string{p("org"), p("name"), p("kind"), p("year"), p("synthetic"), p("members"), p("control_total")}
	if s.ControlTotal != nil {
		rows[6][1] = *s.ControlTotal
	}
	x.registerRows(&rows, &paths)
	return x.cover(rows, paths)
}

// lists adds the drop-downs and whole-number checks that catch errors at
// entry. Long lists live on a hidden Lists sheet (Excel caps an inline list
// at 255 characters).
func (x *exporter) lists() error {
	if _, err := x.f.NewSheet(sheetLists); err != nil {
		return err
	}
	x.sheets = append(x.sheets, sheetLists)
	var trusts, ccgs []string
	for _, code := range sortedKeys(x.o.Orgs) {
		switch x.o.Orgs[code].Type {
		case "trust":
			trusts = append(trusts, code)
		case "ccg":
			ccgs = append(ccgs, code)
		}
	}
	counterparties := ccgs
	if x.p.Commissioner != nil {
		counterparties = trusts
	}
	cols := [][]string{counterparties, planfile.ContractStates, planfile.CIPCategories, {"yes", "no"}, x.o.Rules, planfile.Statuses, planfile.TrustTypes}
	ranges := make([]string, len(cols))
	for i, vals := range cols {
		for j, v := range vals {
			x.set(sheetLists, i+1, j+1, v)
		}
		c := colLetter(i + 1)
		ranges[i] = fmt.Sprintf("%s!$%s$1:$%s$%d", sheetLists, c, c, max(len(vals), 1))
	}
	if err := x.f.SetSheetVisible(sheetLists, false); err != nil {
		return err
	}
	drop := func(sheet, sqref, src string) error {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = sqref
		dv.SetSqrefDropList(src)
		dv.SetError(excelize.DataValidationErrorStyleStop, "Not in the list", "Choose a value from the list.")
		return x.f.AddDataValidation(sheet, dv)
	}
	whole := func(sheet, sqref string) error {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = sqref
		if err := dv.SetRange(0, 2147483647, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Whole number", "Enter a whole number, 0 or more.")
		return x.f.AddDataValidation(sheet, dv)
	}
	decimal := func(sheet, sqref string) error {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = sqref
		if err := dv.SetRange(0, 1e12, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Number", "Enter a number, 0 or more.")
		return x.f.AddDataValidation(sheet, dv)
	}
	const maxRow = 2000
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if x.p.System == nil {
		add(drop(sheetActivity, fmt.Sprintf("A2:A%d", maxRow), ranges[0]))
		add(whole(sheetActivity, fmt.Sprintf("E2:P%d", maxRow)))
		add(drop(sheetContracts, fmt.Sprintf("A2:A%d", maxRow), ranges[0]))
		add(drop(sheetContracts, fmt.Sprintf("C2:C%d", maxRow), ranges[1]))
		add(drop(sheetExplanations, fmt.Sprintf("A2:A%d", maxRow), ranges[4]))
		add(drop(sheetExplanations, fmt.Sprintf("D2:D%d", maxRow), ranges[3]))
		add(drop(sheetCover, cell(2, x.coverRow[lStatus]), ranges[5]))
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("B2:B%d", maxRow)
		add(dv.SetRange(1, 12, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween))
		dv.SetError(excelize.DataValidationErrorStyleStop, "Month", "Enter the month as 1 (April) to 12 (March).")
		add(x.f.AddDataValidation(sheetExplanations, dv))
	}
	if x.p.Provider != nil {
		add(drop(sheetCover, cell(2, x.coverRow[lType]), ranges[6]))
		add(drop(sheetCover, cell(2, x.coverRow[lAccepted]), ranges[3]))
		// Income and expenditure are 0 or more; the surplus and the
		// figures the register sets may be negative.
		add(decimal(sheetFinance, fmt.Sprintf("E2:E%d", x.financeRows.surplus-1)))
		add(decimal(sheetFinance, fmt.Sprintf("E%d:P%d", x.financeRows.byCommissioner, maxRow)))
		add(drop(sheetFinance, fmt.Sprintf("A%d:A%d", x.financeRows.byCommissioner, maxRow), ranges[0]))
		add(whole(sheetCapacity, "E2:P4"))
		add(decimal(sheetWorkforce, "E3:P17"))
		add(whole(sheetPerformance, "E2:Q20"))
		add(drop(sheetCIP, fmt.Sprintf("B6:B%d", maxRow), ranges[2]))
		add(drop(sheetCIP, fmt.Sprintf("C6:D%d", maxRow), ranges[3]))
		add(decimal(sheetCIP, fmt.Sprintf("E6:Q%d", maxRow)))
	}
	if x.p.Commissioner != nil {
		for _, l := range []string{lStatedAlloc, lOtherSpend, lQIPP, lMentalSpend} {
			add(decimal(sheetFinance, cell(colValue, x.financeRows.ccg[l])))
		}
		add(decimal(sheetContracts, fmt.Sprintf("E2:P%d", maxRow)))
	}
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("export: data validation: %w", err)
		}
	}
	return nil
}

// protect locks every sheet but its input cells, so labels, references and
// formulas cannot be typed over by accident. There is no password: the
// lock guards against slips, not against the owner of the file.
func (x *exporter) protect() error {
	for _, sheet := range x.f.GetSheetList() {
		if sheet == sheetLists {
			continue
		}
		for _, r := range x.inputs[sheet] {
			from, to, _ := strings.Cut(r, ":")
			if err := x.style(sheet, from, to, x.styles.input[0]); err != nil {
				return err
			}
		}
		if err := x.f.ProtectSheet(sheet, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true, InsertRows: true, DeleteRows: true}); err != nil {
			return err
		}
	}
	return nil
}

// findings puts each finding on the cell of the figure it points at (a
// comment and a fill by severity) and lists them all on a Findings sheet.
func (x *exporter) findings() error {
	if err := x.sheet(sheetFindings, []any{"Rule", "Severity", "Organisations", "Cell", "Plan file", "Finding", "Status"}); err != nil {
		return err
	}
	org := x.p.Org()
	type note struct {
		sev  finding.Severity
		text []string
	}
	notes := map[string]*note{}
	row := 2
	for _, f := range x.o.Findings {
		var at []string
		for _, l := range append([]finding.Location{f.Location}, f.Related...) {
			if l.Org != org {
				continue
			}
			if c := x.locate(l.Path); c != "" {
				at = append(at, c)
			}
		}
		if len(at) == 0 && !f.Involves(org) && f.Org != org {
			continue
		}
		where := strings.Join(at, ", ")
		if where == "" {
			where = sheetCover + "!A1"
		}
		vals := []any{f.Rule, string(f.Severity), strings.Join(f.Orgs, ", "), where, f.Location.String(), f.Message, f.StatusNote()}
		x.row(sheetFindings, 1, row, vals)
		row++
		for _, c := range at {
			n := notes[c]
			if n == nil {
				n = &note{sev: f.Severity}
				notes[c] = n
			}
			if f.Severity.Rank() < n.sev.Rank() {
				n.sev = f.Severity
			}
			t := fmt.Sprintf("%s %s: %s", f.Rule, f.Severity, f.Message)
			if s := f.StatusNote(); s != "" {
				t += " [" + s + "]"
			}
			n.text = append(n.text, t)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(notes)) {
		n := notes[c]
		sheet, ref, _ := strings.Cut(c, "!")
		if err := x.style(sheet, ref, ref, x.styles.fill[n.sev.Rank()]); err != nil {
			return err
		}
		text := strings.Join(n.text, "\n")
		if len(text) > 30000 {
			text = text[:30000]
		}
		if err := x.f.AddComment(sheet, excelize.Comment{Cell: ref, Author: "triangulate", Text: text}); err != nil {
			return err
		}
	}
	if err := x.f.SetColWidth(sheetFindings, "F", "F", 100); err != nil {
		return err
	}
	return x.f.ProtectSheet(sheetFindings, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true})
}

// locate maps a finding's path (activity."09N".non_elective.months[3]) to
// the cell holding it, or its nearest bound parent.
func (x *exporter) locate(path string) string {
	if path == "" {
		return ""
	}
	segs := splitPath(path)
	for n := len(segs); n > 0; n-- {
		if c, ok := x.cells[plan.DisplayPath(segs[:n])]; ok {
			return c
		}
	}
	return ""
}

// splitPath splits a display path back into segments.
func splitPath(path string) []string {
	var segs []string
	for i := 0; i < len(path); {
		switch path[i] {
		case '.':
			i++
		case '[':
			j := strings.IndexByte(path[i:], ']')
			if j < 0 {
				return append(segs, path[i+1:])
			}
			segs = append(segs, path[i+1:i+j])
			i += j + 1
		case '"':
			s, err := strconv.QuotedPrefix(path[i:])
			if err != nil {
				return append(segs, path[i:])
			}
			u, _ := strconv.Unquote(s)
			segs = append(segs, u)
			i += len(s)
		default:
			j := strings.IndexAny(path[i:], ".[")
			if j < 0 {
				return append(segs, path[i:])
			}
			segs = append(segs, path[i:i+j])
			i += j
		}
	}
	return segs
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
