package workbook

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/planfile"
)

// Rules of workbook findings: S00 for a workbook refused as a whole (the
// rule for input refused before it is read), S03 for a cell that cannot be
// read as the figure its line needs.
const (
	ruleRefused = "S00"
	ruleCell    = "S03"
)

type reader struct {
	file     string
	x        *excelize.File
	lim      Limits
	cells    int
	org      string
	findings []finding.Finding
	sheets   map[string][][]string
	formulas map[string]map[string]bool
	// fast holds the worksheets the byte scanner read; when it is nil the
	// workbook is read through x.
	fast map[string]*sheetScan
}

// Read reads a filled workbook into a plan. name is the workbook's path as
// findings show it. It never fails: a workbook it cannot read, or a cell it
// cannot read, is a finding at the workbook or at Sheet!Cell, and the plan
// is nil whenever any finding is an error.
func Read(name string, data []byte, l Limits) (*planfile.Plan, []finding.Finding) {
	l = l.orDefault()
	r := &reader{file: name, lim: l, sheets: map[string][][]string{}}
	why, ext, in := inspect(data, l)
	r.formulas, r.fast = in.formulas, in.sheets
	if why != "" {
		r.refuse(why)
		return nil, r.findings
	} else if len(ext) > 0 {
		for _, c := range ext {
			r.at(c.at, c.why+": paste the figure as a value")
		}
		return nil, r.findings
	}
	if r.fast != nil {
		return r.finish(r.plan())
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: l.MaxUncompressed, UnzipXMLSizeLimit: l.MaxUncompressed})
	if err != nil {
		r.refuse("the workbook cannot be opened: " + err.Error())
		return nil, r.findings
	}
	defer x.Close()
	r.x = x
	return r.finish(r.plan())
}

func (r *reader) finish(p *planfile.Plan) (*planfile.Plan, []finding.Finding) {
	if slices.ContainsFunc(r.findings, func(f finding.Finding) bool { return f.Severity == finding.Error }) {
		return nil, r.findings
	}
	return p, r.findings
}

func (r *reader) refuse(why string) {
	r.add(ruleRefused, finding.Location{File: r.file}, why)
}

func (r *reader) add(rule string, loc finding.Location, msg string) {
	if len(r.findings) >= 200 {
		return
	}
	if len(r.findings) == 199 {
		msg = "more cells cannot be read; fix these first"
	}
	f := finding.Finding{Rule: rule, Severity: finding.Error, Message: msg, Location: loc}
	if r.org != "" {
		f.Orgs, f.Org = []string{r.org}, r.org
	}
	for _, rule := range plan.Rules {
		if rule.ID == f.Rule {
			f.Title, f.Category = rule.Title, rule.Category
		}
	}
	r.findings = append(r.findings, f)
}

// at records a finding at Sheet!Cell: the cell is both the location's path
// and the start of the message, so every report format shows it.
func (r *reader) at(ref, msg string) {
	r.add(ruleCell, finding.Location{File: r.file, Path: ref}, ref+": "+msg)
}

func (r *reader) bad(sheet string, col, row int, format string, args ...any) {
	r.at(sheet+"!"+cell(col, row), fmt.Sprintf(format, args...))
}

// rows reads a sheet's raw values, bounded; nil when the sheet is absent.
func (r *reader) rows(sheet string) [][]string {
	if rows, ok := r.sheets[sheet]; ok {
		return rows
	}
	r.sheets[sheet] = nil
	var next func(n int) ([]string, bool, error)
	if r.fast != nil {
		s := r.fast[sheet]
		if s == nil {
			for _, name := range sortedKeys(r.fast) { // sheet names match whatever their case
				if strings.EqualFold(name, sheet) {
					s = r.fast[name]
					break
				}
			}
		}
		if s == nil {
			return nil
		}
		next = func(n int) ([]string, bool, error) {
			if n >= len(s.rows) {
				return nil, false, nil
			}
			return s.rows[n], true, nil
		}
	} else {
		if idx, err := r.x.GetSheetIndex(sheet); err != nil || idx < 0 {
			return nil
		}
		it, err := r.x.Rows(sheet)
		if err != nil {
			r.bad(sheet, 1, 1, "the sheet cannot be read: %v", err)
			return nil
		}
		defer it.Close()
		next = func(int) ([]string, bool, error) {
			if !it.Next() {
				return nil, false, nil
			}
			cols, err := it.Columns(excelize.Options{RawCellValue: true})
			return cols, true, err
		}
	}
	var out [][]string
	for n := 0; ; n++ {
		cols, more, err := next(n)
		if !more {
			break
		}
		if n >= r.lim.MaxRows {
			r.bad(sheet, 1, n+1, "the sheet has more than %d rows", r.lim.MaxRows)
			break
		}
		if err != nil {
			r.bad(sheet, 1, n+1, "the row cannot be read: %v", err)
			break
		}
		if len(cols) > r.lim.MaxCols {
			if slices.ContainsFunc(cols[r.lim.MaxCols:], func(s string) bool { return s != "" }) {
				r.bad(sheet, r.lim.MaxCols+1, n+1, "the sheet has figures beyond column %s", colLetter(r.lim.MaxCols))
			}
			cols = cols[:r.lim.MaxCols]
		}
		r.cells += len(cols)
		if r.cells > r.lim.MaxCells {
			r.bad(sheet, 1, n+1, "the workbook has more than %d cells", r.lim.MaxCells)
			break
		}
		out = append(out, cols)
	}
	r.sheets[sheet] = out
	return out
}

func get(rows [][]string, col, row int) string {
	if row-1 < len(rows) && col-1 < len(rows[row-1]) {
		return rows[row-1][col-1]
	}
	return ""
}

func (r *reader) isFormula(sheet string, col, row int) bool {
	return r.formulas[sheet][cell(col, row)]
}

// number reads a figure: finite, and rounded to the 15 significant digits
// a spreadsheet holds (a recalculated sum may carry float noise).
func (r *reader) number(sheet string, col, row int, s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		r.bad(sheet, col, row, "is empty: enter a number")
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		r.bad(sheet, col, row, "%s is not a number", strconv.Quote(clip(s)))
		return 0, false
	}
	if math.Abs(v) >= 1e15 {
		r.bad(sheet, col, row, "%s is too large for a plan figure", clip(s))
		return 0, false
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if v == 0 {
		v = 0 // no negative zero
	}
	return v, true
}

func (r *reader) count(sheet string, col, row int, s string) (int, bool) {
	if t := strings.TrimSpace(s); t != "" {
		if _, err := strconv.ParseFloat(t, 64); err != nil {
			r.bad(sheet, col, row, "%s is not a whole number", strconv.Quote(clip(t)))
			return 0, false
		}
	}
	v, ok := r.number(sheet, col, row, s)
	if !ok {
		return 0, false
	}
	if v != math.Trunc(v) {
		r.bad(sheet, col, row, "%s is not a whole number", strconv.Quote(clip(strings.TrimSpace(s))))
		return 0, false
	}
	if v < 0 {
		r.bad(sheet, col, row, "%s is negative: counts are 0 or more", clip(strings.TrimSpace(s)))
		return 0, false
	}
	return int(v), true
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

var dateRe = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

func (r *reader) date(sheet string, col, row int, s string) string {
	s = strings.TrimSpace(s)
	if dateRe.MatchString(s) {
		return s
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && v > 0 && v < 2958466 {
		if t, err := excelize.ExcelDateToTime(v, false); err == nil {
			return t.Format("2006-01-02")
		}
	}
	if s == "" {
		r.bad(sheet, col, row, "is empty: enter a date (YYYY-MM-DD)")
	} else {
		r.bad(sheet, col, row, "%s is not a date (YYYY-MM-DD)", strconv.Quote(clip(s)))
	}
	return ""
}

func (r *reader) yesNo(sheet string, col, row int, s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "1":
		return true, true
	case "no", "false", "0":
		return false, true
	}
	r.bad(sheet, col, row, "%s is not yes or no", strconv.Quote(clip(s)))
	return false, false
}

func (r *reader) oneOf(sheet string, col, row int, s string, vals []string) string {
	s = strings.TrimSpace(s)
	if !slices.Contains(vals, s) {
		r.bad(sheet, col, row, "%s is not one of %s", strconv.Quote(clip(s)), strings.Join(vals, ", "))
	}
	return s
}

// cover reads the label/value pairs of the Cover sheet.
type field struct {
	row int
	val string
}

func (r *reader) cover() map[string]field {
	out := map[string]field{}
	for i, row := range r.rows(sheetCover) {
		if len(row) == 0 || i == 0 {
			continue
		}
		label := strings.TrimSpace(row[0])
		if label == "" || strings.HasPrefix(label, regPrefix) {
			continue
		}
		v := ""
		if len(row) > 1 {
			v = row[1]
		}
		out[label] = field{i + 1, v}
	}
	return out
}

func (r *reader) plan() *planfile.Plan {
	if r.rows(sheetCover) == nil {
		r.refuse("the workbook has no Cover sheet: start from `triangulate template`")
		return nil
	}
	c := r.cover()
	need := func(label string) string {
		f, ok := c[label]
		if !ok {
			r.bad(sheetCover, 1, len(r.rows(sheetCover))+1, "the Cover has no %q row", label)
			return ""
		}
		v := strings.TrimSpace(f.val)
		if v == "" {
			r.bad(sheetCover, 2, f.row, "%s is empty", label)
		}
		return v
	}
	text := func(label string) string {
		if f, ok := c[label]; ok && strings.TrimSpace(f.val) == "" {
			r.bad(sheetCover, 2, f.row, "%s is empty", label)
			return ""
		} else if ok {
			return f.val
		}
		return need(label)
	}
	r.org = need(lCode)
	h := planfile.Header{Org: r.org, Name: text(lName), Year: need(lYear)}
	if f, ok := c[lSynthetic]; ok && strings.TrimSpace(f.val) != "" {
		b, _ := r.yesNo(sheetCover, 2, f.row, f.val)
		h.Synthetic = &b
	}
	switch kind := need(lKind); kind {
	case "provider":
		t := &planfile.Provider{Header: h, System: need(lSystem), Type: r.oneOf(sheetCover, 2, c[lType].row, c[lType].val, planfile.TrustTypes)}
		t.Status = r.oneOf(sheetCover, 2, c[lStatus].row, c[lStatus].val, planfile.Statuses)
		if f, ok := c[lAccepted]; ok {
			t.ControlTotalDecision.Accepted, _ = r.yesNo(sheetCover, 2, f.row, f.val)
		} else {
			need(lAccepted)
		}
		if f, ok := c[lDate]; ok {
			t.ControlTotalDecision.Date = r.date(sheetCover, 2, f.row, f.val)
		} else {
			need(lDate)
		}
		t.ControlTotalDecision.BoardReference = text(lBoardRef)
		r.provider(t)
		return &planfile.Plan{Provider: t}
	case "commissioner":
		k := &planfile.Commissioner{Header: h, System: need(lSystem)}
		k.Status = r.oneOf(sheetCover, 2, c[lStatus].row, c[lStatus].val, planfile.Statuses)
		r.commissioner(k)
		return &planfile.Plan{Commissioner: k}
	case "system":
		s := &planfile.System{Header: h, Members: []string{}}
		if m := strings.TrimSpace(c[lMembers].val); m != "" {
			for _, code := range strings.Split(m, ",") {
				s.Members = append(s.Members, strings.TrimSpace(code))
			}
		}
		if f, ok := c[lStatedCT]; ok && strings.TrimSpace(f.val) != "" {
			if v, ok := r.number(sheetCover, 2, f.row, f.val); ok {
				s.ControlTotal = &v
			}
		}
		return &planfile.Plan{System: s}
	case "":
		return nil
	default:
		r.bad(sheetCover, 2, c[lKind].row, "%s is not a plan kind: provider, commissioner or system", strconv.Quote(clip(kind)))
		return nil
	}
}

func lineByLabel(label string) (planfile.Line, bool) {
	i := slices.IndexFunc(planfile.ActivityLines, func(l planfile.Line) bool { return l.Label == label })
	if i < 0 {
		return planfile.Line{}, false
	}
	return planfile.ActivityLines[i], true
}

func blankRange(row []string, from, to int) bool {
	for c := from; c <= to; c++ {
		if c-1 < len(row) && strings.TrimSpace(row[c-1]) != "" {
			return false
		}
	}
	return true
}

// monthly reads M1..M12 of a row as numbers.
func (r *reader) monthly(sheet string, rows [][]string, row int) ([]float64, bool) {
	out := make([]float64, 12)
	ok := true
	for i := range 12 {
		v, good := r.number(sheet, colM1+i, row, get(rows, colM1+i, row))
		out[i], ok = v, ok && good
	}
	return out, ok
}

func (r *reader) counts(sheet string, rows [][]string, row int) ([]int, bool) {
	out := make([]int, 12)
	ok := true
	for i := range 12 {
		v, good := r.count(sheet, colM1+i, row, get(rows, colM1+i, row))
		out[i], ok = v, ok && good
	}
	return out, ok
}

// flow reads a flow row: the months, and the total a formula computes (the
// sum) or the value typed over it.
func (r *reader) flow(sheet string, rows [][]string, row int) planfile.Flow {
	m, _ := r.counts(sheet, rows, row)
	total := 0
	for _, v := range m {
		total += v
	}
	if s := get(rows, colTotal, row); !r.isFormula(sheet, colTotal, row) && strings.TrimSpace(s) != "" {
		total, _ = r.count(sheet, colTotal, row, s)
	}
	return planfile.Flow{Total: total, Months: m}
}

func (r *reader) moneyFlow(sheet string, rows [][]string, row int) planfile.MoneyFlow {
	m, _ := r.monthly(sheet, rows, row)
	total := sum(m)
	if s := get(rows, colTotal, row); !r.isFormula(sheet, colTotal, row) && strings.TrimSpace(s) != "" {
		total, _ = r.number(sheet, colTotal, row, s)
	}
	return planfile.MoneyFlow{Total: total, Months: m}
}

// grid finds a sheet's rows by label (column C), and rows keyed by code
// and label, in sheet order.
type gridRow struct {
	row         int
	code, label string
}

func (r *reader) grid(sheet string, keyed func(label string) bool) (map[string]int, []gridRow) {
	rows := r.rows(sheet)
	single := map[string]int{}
	var multi []gridRow
	for i := 1; i < len(rows); i++ {
		row := i + 1
		label := strings.TrimSpace(get(rows, colLabel, row))
		code := strings.TrimSpace(get(rows, colCode, row))
		if label == "" {
			if !blankRange(rows[i], 1, colTotal) {
				r.bad(sheet, colLabel, row, "the row has figures but no line label")
			}
			continue
		}
		if keyed(label) {
			if code == "" {
				if !blankRange(rows[i], colM1, colTotal) || label == lPriorIncome && !blankRange(rows[i], colValue, colValue) {
					r.bad(sheet, colCode, row, "the row has figures but no organisation code")
				}
				continue
			}
			multi = append(multi, gridRow{row, code, label})
			continue
		}
		if _, dup := single[label]; dup {
			r.bad(sheet, colLabel, row, "%q appears twice", label)
			continue
		}
		single[label] = row
	}
	return single, multi
}

func (r *reader) activity(set func(code, key string, f planfile.Flow)) {
	rows := r.rows(sheetActivity)
	_, multi := r.grid(sheetActivity, func(string) bool { return true })
	seen := map[[2]string]bool{}
	for _, g := range multi {
		l, ok := lineByLabel(g.label)
		if !ok {
			r.bad(sheetActivity, colLabel, g.row, "%s is not an activity line", strconv.Quote(clip(g.label)))
			continue
		}
		if seen[[2]string{g.code, l.Key}] {
			r.bad(sheetActivity, colLabel, g.row, "%s %s appears twice", g.code, l.Label)
			continue
		}
		seen[[2]string{g.code, l.Key}] = true
		if blankRange(rows[g.row-1], colM1, colTotal) {
			continue // a line the plan does not have
		}
		set(g.code, l.Key, r.flow(sheetActivity, rows, g.row))
	}
}

func (r *reader) single(sheet string, labels map[string]int, label string) int {
	row, ok := labels[label]
	if !ok {
		r.bad(sheet, colLabel, len(r.rows(sheet))+1, "the sheet has no %q row", label)
		return 0
	}
	return row
}

func (r *reader) provider(t *planfile.Provider) {
	t.Activity = map[string]planfile.Lines{}
	r.activity(func(code, key string, f planfile.Flow) {
		if t.Activity[code] == nil {
			t.Activity[code] = planfile.Lines{}
		}
		t.Activity[code][key] = f
	})

	capRows := r.rows(sheetCapacity)
	labels, _ := r.grid(sheetCapacity, func(string) bool { return false })
	stock := func(label string) planfile.Stock {
		if row := r.single(sheetCapacity, labels, label); row > 0 {
			m, _ := r.counts(sheetCapacity, capRows, row)
			return planfile.Stock{Months: m}
		}
		return planfile.Stock{}
	}
	scalar := func(sheet string, rows [][]string, labels map[string]int, label string) float64 {
		if row := r.single(sheet, labels, label); row > 0 {
			v, _ := r.number(sheet, colValue, row, get(rows, colValue, row))
			return v
		}
		return 0
	}
	t.Capacity = planfile.Capacity{BedsCore: stock(lBedsCore), BedsEscalation: stock(lBedsEscalation), BedsOccupied: stock(lBedsOccupied),
		LOSElectiveOrdinary: scalar(sheetCapacity, capRows, labels, lLOSOrdinary), LOSNonElective: scalar(sheetCapacity, capRows, labels, lLOSNonElective)}

	r.workforce(t)
	r.providerFinance(t)
	r.cip(&t.Finance.CIP)
	r.performance(t)

	t.ContractStatus = map[string]planfile.ContractStatus{}
	r.contracts(func(code string, s planfile.ContractStatus, row int, rows [][]string) {
		t.ContractStatus[code] = s
	})
	t.Explanations = r.explanations()
	py := &t.PriorYear
	py.Income = map[string]float64{}
	r.prior(&py.PriorYear, func(label string) bool { return label == lPriorIncome }, func(labels map[string]int, multi []gridRow, rows [][]string) {
		for _, g := range multi {
			if g.label == lPriorIncome {
				if _, dup := py.Income[g.code]; dup {
					r.bad(sheetPrior, colCode, g.row, "%s appears twice", g.code)
				}
				py.Income[g.code], _ = r.number(sheetPrior, colValue, g.row, get(rows, colValue, g.row))
			}
		}
		py.Pay = scalar(sheetPrior, rows, labels, lPriorPay)
		for _, s := range []struct {
			label string
			dst   **int
		}{{lPriorRTT, &py.RTTWaitingListMarch}, {lPriorWaits52, &py.Waits52WeeksMarch}} {
			if row, ok := labels[s.label]; ok && strings.TrimSpace(get(rows, colValue, row)) != "" {
				if v, ok := r.count(sheetPrior, colValue, row, get(rows, colValue, row)); ok {
					*s.dst = &v
				}
			}
		}
	})
}

func (r *reader) workforce(t *planfile.Provider) {
	rows := r.rows(sheetWorkforce)
	t.Workforce.Groups = map[string]planfile.StaffGroup{}
	computed := make([]float64, 12)
	var totalRow int
	for i := 1; i < len(rows); i++ {
		row := i + 1
		label := strings.TrimSpace(get(rows, colLabel, row))
		if label == lWTETotal {
			totalRow = row
			continue
		}
		if label == "" {
			continue
		}
		gi := slices.IndexFunc(planfile.StaffGroups, func(l planfile.Line) bool { return l.Label == label })
		kind := strings.TrimSpace(get(rows, colRef, row))
		if gi < 0 || !slices.Contains(planfile.StaffKinds, kind) {
			r.bad(sheetWorkforce, colLabel, row, "%s %s is not a staff group and kind", strconv.Quote(clip(label)), strconv.Quote(clip(kind)))
			continue
		}
		if blankRange(rows[i], colM1, colM1+11) {
			continue
		}
		g := planfile.StaffGroups[gi].Key
		sg := t.Workforce.Groups[g]
		m, _ := r.monthly(sheetWorkforce, rows, row)
		*sg.Kind(kind) = m
		t.Workforce.Groups[g] = sg
		for j, v := range m {
			computed[j] += v
		}
	}
	if totalRow == 0 {
		r.bad(sheetWorkforce, colLabel, len(rows)+1, "the sheet has no %q row", lWTETotal)
		return
	}
	t.Workforce.Total = make([]float64, 12)
	for i := range 12 {
		if r.isFormula(sheetWorkforce, colM1+i, totalRow) {
			t.Workforce.Total[i] = round(computed[i])
			continue
		}
		t.Workforce.Total[i], _ = r.number(sheetWorkforce, colM1+i, totalRow, get(rows, colM1+i, totalRow))
	}
}

func (r *reader) optional(sheet string, rows [][]string, labels map[string]int, label string) *float64 {
	row, ok := labels[label]
	if !ok || strings.TrimSpace(get(rows, colValue, row)) == "" {
		return nil
	}
	v, ok := r.number(sheet, colValue, row, get(rows, colValue, row))
	if !ok {
		return nil
	}
	return &v
}

func (r *reader) providerFinance(t *planfile.Provider) {
	rows := r.rows(sheetFinance)
	labels, multi := r.grid(sheetFinance, func(l string) bool { return l == lIncomeBy })
	f := &t.Finance
	val := func(label string) float64 {
		if row := r.single(sheetFinance, labels, label); row > 0 {
			v, _ := r.number(sheetFinance, colValue, row, get(rows, colValue, row))
			return v
		}
		return 0
	}
	f.Income.PatientCare, f.Income.Other = val(lPatientCare), val(lOtherIncome)
	e := &f.Expenditure
	e.Pay.Substantive, e.Pay.Bank, e.Pay.Agency = val(lPaySubst), val(lPayBank), val(lPayAgency)
	e.NonPay, e.Depreciation, e.Financing = val(lNonPay), val(lDepreciation), val(lFinancing)
	if row := r.single(sheetFinance, labels, lSurplus); row > 0 {
		if r.isFormula(sheetFinance, colValue, row) {
			f.Surplus = round(f.Income.PatientCare + f.Income.Other - (e.Pay.Substantive + e.Pay.Bank + e.Pay.Agency + e.NonPay + e.Depreciation + e.Financing))
		} else {
			f.Surplus, _ = r.number(sheetFinance, colValue, row, get(rows, colValue, row))
		}
	}
	f.Income.SustainabilityFunding = r.optional(sheetFinance, rows, labels, lStatedSF)
	f.ControlTotal = r.optional(sheetFinance, rows, labels, lStatedCTFin)
	f.AgencyCeiling = r.optional(sheetFinance, rows, labels, lStatedAC)
	f.Income.ByCommissioner = map[string]planfile.MoneyFlow{}
	for _, g := range multi {
		if _, dup := f.Income.ByCommissioner[g.code]; dup {
			r.bad(sheetFinance, colCode, g.row, "%s appears twice", g.code)
			continue
		}
		f.Income.ByCommissioner[g.code] = r.moneyFlow(sheetFinance, rows, g.row)
	}
}

func (r *reader) cip(c *planfile.CIP) {
	rows := r.rows(sheetCIP)
	c.Schemes = []planfile.CIPScheme{}
	var all, rec, nonrec float64
	for i := 5; i < len(rows); i++ {
		row := i + 1
		if blankRange(rows[i], cipName, cipM1+11) {
			continue
		}
		s := planfile.CIPScheme{Name: get(rows, cipName, row)}
		if strings.TrimSpace(s.Name) == "" {
			r.bad(sheetCIP, cipName, row, "the scheme has no name")
		}
		s.Category = r.oneOf(sheetCIP, cipCategory, row, get(rows, cipCategory, row), planfile.CIPCategories)
		s.Recurrent, _ = r.yesNo(sheetCIP, cipRecurrent, row, get(rows, cipRecurrent, row))
		s.Identified, _ = r.yesNo(sheetCIP, cipIdentified, row, get(rows, cipIdentified, row))
		s.Value, _ = r.number(sheetCIP, cipValue, row, get(rows, cipValue, row))
		s.Months = make([]float64, 12)
		for j := range 12 {
			s.Months[j], _ = r.number(sheetCIP, cipM1+j, row, get(rows, cipM1+j, row))
		}
		all += s.Value
		if s.Recurrent {
			rec += s.Value
		} else {
			nonrec += s.Value
		}
		c.Schemes = append(c.Schemes, s)
	}
	for i, s := range []struct {
		label string
		dst   *float64
		sum   float64
	}{{lCIPTotal, &c.Total, all}, {lCIPRecurrent, &c.Recurrent, rec}, {lCIPNonRecurrent, &c.NonRecurrent, nonrec}} {
		row := 2 + i
		if strings.TrimSpace(get(rows, 1, row)) != s.label {
			r.bad(sheetCIP, 1, row, "expected the %q row here", s.label)
			continue
		}
		if r.isFormula(sheetCIP, cipValue, row) {
			*s.dst = round(s.sum)
			continue
		}
		*s.dst, _ = r.number(sheetCIP, cipValue, row, get(rows, cipValue, row))
	}
}

func (r *reader) performance(t *planfile.Provider) {
	rows := r.rows(sheetPerformance)
	labels, _ := r.grid(sheetPerformance, func(string) bool { return false })
	present := func(ls ...string) bool {
		for _, l := range ls {
			if row, ok := labels[l]; ok && !blankRange(rows[row-1], colM1, colTotal) {
				return true
			}
		}
		return false
	}
	stock := func(label string) planfile.Stock {
		row := r.single(sheetPerformance, labels, label)
		if row == 0 {
			return planfile.Stock{}
		}
		m, _ := r.counts(sheetPerformance, rows, row)
		return planfile.Stock{Months: m}
	}
	flow := func(label string) planfile.Flow {
		row := r.single(sheetPerformance, labels, label)
		if row == 0 {
			return planfile.Flow{}
		}
		return r.flow(sheetPerformance, rows, row)
	}
	if present(lClockStarts, lAdmitted, lNonAdmitted, lWaitingList, lWaits52) {
		t.RTT = &planfile.RTT{ClockStarts: flow(lClockStarts), CompletedAdmitted: flow(lAdmitted), CompletedNonadmitted: flow(lNonAdmitted),
			WaitingList: stock(lWaitingList), Waits52Weeks: stock(lWaits52)}
	}
	var tl []string
	for _, tr := range planfile.Trajectories {
		tl = append(tl, tr.Label+suffixNum, tr.Label+suffixDen)
	}
	if present(tl...) {
		t.Performance = &planfile.Performance{}
		for _, tr := range planfile.Trajectories {
			*t.Performance.Get(tr.Key) = planfile.Trajectory{Numerator: stock(tr.Label + suffixNum).Months, Denominator: stock(tr.Label + suffixDen).Months}
		}
	}
}

func (r *reader) contracts(each func(code string, s planfile.ContractStatus, row int, rows [][]string)) {
	rows := r.rows(sheetContracts)
	seen := map[string]bool{}
	for i := 1; i < len(rows); i++ {
		row := i + 1
		if blankRange(rows[i], 1, colTotal) || blankRange(rows[i], 1, 1) && blankRange(rows[i], 3, colTotal) {
			continue
		}
		code := strings.TrimSpace(get(rows, colCode, row))
		if code == "" {
			r.bad(sheetContracts, colCode, row, "the contract has no organisation code")
			continue
		}
		if seen[code] {
			r.bad(sheetContracts, colCode, row, "%s appears twice", code)
			continue
		}
		seen[code] = true
		s := planfile.ContractStatus{State: r.oneOf(sheetContracts, 3, row, get(rows, 3, row), planfile.ContractStates), Date: r.date(sheetContracts, 4, row, get(rows, 4, row))}
		each(code, s, row, rows)
	}
}

func (r *reader) explanations() []planfile.Explanation {
	rows := r.rows(sheetExplanations)
	var out []planfile.Explanation
	for i := 1; i < len(rows); i++ {
		row := i + 1
		if blankRange(rows[i], expRule, expText) {
			continue
		}
		e := planfile.Explanation{Rule: strings.TrimSpace(get(rows, expRule, row))}
		if e.Rule == "" {
			r.bad(sheetExplanations, expRule, row, "the explanation names no rule")
		}
		if s := get(rows, expMonth, row); strings.TrimSpace(s) != "" {
			if m, ok := r.count(sheetExplanations, expMonth, row, s); ok {
				if m < 1 || m > 12 {
					r.bad(sheetExplanations, expMonth, row, "%d is not a month (1-12)", m)
				}
				e.Month = &m
			}
		}
		if s := strings.TrimSpace(get(rows, expCounterparty, row)); s != "" {
			e.Counterparty = &s
		}
		if s := get(rows, expAcknowledge, row); strings.TrimSpace(s) != "" {
			b, _ := r.yesNo(sheetExplanations, expAcknowledge, row, s)
			e.Acknowledge = &b
		}
		if s := get(rows, expText, row); s != "" {
			e.Text = &s
		}
		out = append(out, e)
	}
	return out
}

func (r *reader) prior(py *planfile.PriorYear, keyed func(string) bool, rest func(map[string]int, []gridRow, [][]string)) {
	rows := r.rows(sheetPrior)
	labels, multi := r.grid(sheetPrior, func(l string) bool {
		_, ok := lineByLabel(l)
		return ok || keyed(l)
	})
	if row := r.single(sheetPrior, labels, lPriorYear); row > 0 {
		py.Year = strings.TrimSpace(get(rows, colValue, row))
		if py.Year == "" {
			r.bad(sheetPrior, colValue, row, "the prior year is empty")
		}
	}
	py.Activity = map[string]planfile.Annual{}
	for _, g := range multi {
		l, ok := lineByLabel(g.label)
		if !ok {
			continue
		}
		if strings.TrimSpace(get(rows, colValue, g.row)) == "" {
			continue
		}
		if py.Activity[g.code] == nil {
			py.Activity[g.code] = planfile.Annual{}
		}
		if _, dup := py.Activity[g.code][l.Key]; dup {
			r.bad(sheetPrior, colLabel, g.row, "%s %s appears twice", g.code, l.Label)
		}
		py.Activity[g.code][l.Key], _ = r.count(sheetPrior, colValue, g.row, get(rows, colValue, g.row))
	}
	py.GrowthPct = map[string]float64{}
	for _, l := range planfile.GrowthLines {
		if row, ok := labels[prefixGrowth+l.Label]; ok && strings.TrimSpace(get(rows, colValue, row)) != "" {
			py.GrowthPct[l.Key], _ = r.number(sheetPrior, colValue, row, get(rows, colValue, row))
		}
	}
	py.WTE = r.optional(sheetPrior, rows, labels, lPriorWTE)
	rest(labels, multi, rows)
}

func (r *reader) commissioner(k *planfile.Commissioner) {
	k.Contracts = map[string]planfile.Contract{}
	acts := map[string]planfile.Lines{}
	r.activity(func(code, key string, f planfile.Flow) {
		if acts[code] == nil {
			acts[code] = planfile.Lines{}
		}
		acts[code][key] = f
	})
	r.contracts(func(code string, s planfile.ContractStatus, row int, rows [][]string) {
		a := acts[code]
		if a == nil {
			a = planfile.Lines{}
		}
		delete(acts, code)
		k.Contracts[code] = planfile.Contract{Status: s, Value: r.moneyFlow(sheetContracts, rows, row), Activity: a}
	})
	for _, code := range sortedKeys(acts) {
		r.bad(sheetActivity, colCode, 2, "%s has activity but no row on the Contracts sheet", code)
	}
	rows := r.rows(sheetFinance)
	labels, _ := r.grid(sheetFinance, func(string) bool { return false })
	f := &k.Finance
	val := func(label string) float64 {
		if row := r.single(sheetFinance, labels, label); row > 0 {
			v, _ := r.number(sheetFinance, colValue, row, get(rows, colValue, row))
			return v
		}
		return 0
	}
	f.Allocation = r.optional(sheetFinance, rows, labels, lStatedAlloc)
	f.OtherSpend, f.QIPP, f.Surplus, f.MentalHealth = val(lOtherSpend), val(lQIPP), val(lCCGSurplus), val(lMentalSpend)
	f.RequiredSurplus = r.optional(sheetFinance, rows, labels, lStatedRS)
	k.Explanations = r.explanations()
	r.prior(&k.PriorYear.PriorYear, func(string) bool { return false }, func(labels map[string]int, _ []gridRow, rows [][]string) {
		if row := r.single(sheetPrior, labels, lPriorMental); row > 0 {
			k.PriorYear.MentalHealth, _ = r.number(sheetPrior, colValue, row, get(rows, colValue, row))
		}
	})
}
