package workbook_test

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

// template writes a blank workbook and opens it again as a spreadsheet
// program would, with its raw bytes.
func template(t *testing.T, org, typ string, cps []string, o workbook.Options) (*excelize.File, []byte) {
	t.Helper()
	x, err := workbook.Template(org, "2019/20", typ, cps, o)
	if err != nil {
		t.Fatal(err)
	}
	data := xlsx(t, x)
	back, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { back.Close() })
	return back, data
}

// validation returns the data validation covering a cell, if any.
func validation(t *testing.T, x *excelize.File, sheet, ref string) *excelize.DataValidation {
	t.Helper()
	dvs, err := x.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col, row, _ := excelize.CellNameToCoordinates(ref)
	for _, dv := range dvs {
		for _, r := range strings.Fields(dv.Sqref) {
			from, to, ok := strings.Cut(r, ":")
			if !ok {
				to = from
			}
			c1, r1, _ := excelize.CellNameToCoordinates(from)
			c2, r2, _ := excelize.CellNameToCoordinates(to)
			if c1 <= col && col <= c2 && r1 <= row && row <= r2 {
				return dv
			}
		}
	}
	return nil
}

// listValues reads the values a drop-down offers from the Lists sheet.
func listValues(t *testing.T, x *excelize.File, dv *excelize.DataValidation) []string {
	t.Helper()
	m := regexp.MustCompile(`^Lists!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$`).FindStringSubmatch(formula1(dv))
	if m == nil {
		t.Fatalf("drop-down %q does not read the Lists sheet", dv.Formula1)
	}
	var out []string
	rows, _ := x.GetCols("Lists")
	col, _ := excelize.ColumnNameToNumber(m[1])
	if col-1 < len(rows) {
		for _, v := range rows[col-1] {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// formula1 is a validation's first formula without its XML tags.
func formula1(dv *excelize.DataValidation) string {
	return strings.TrimSuffix(strings.TrimPrefix(dv.Formula1, "<formula1>"), "</formula1>")
}

func locked(t *testing.T, x *excelize.File, sheet, ref string) bool {
	t.Helper()
	id, err := x.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := x.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st.Protection == nil || st.Protection.Locked
}

// protected tells whether a sheet's protection is on, from its XML.
func protected(t *testing.T, data []byte, x *excelize.File, sheet string) bool {
	t.Helper()
	idx, err := x.GetSheetIndex(sheet)
	if err != nil || idx < 0 {
		t.Fatalf("no sheet %s", sheet)
	}
	z, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range z.File {
		if f.Name != "xl/worksheets/sheet"+strconv.Itoa(idx+1)+".xml" {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		return regexp.MustCompile(`<sheetProtection[^>]* sheet="(1|true)"`).Match(b)
	}
	t.Fatalf("no part for sheet %s", sheet)
	return false
}

// TestTemplate reads a blank trust and CCG workbook back and checks what
// catches errors at entry: validation on every input, drop-downs from the
// reference list, totals as formulas, labels locked and inputs open under
// sheet protection, and the register's figures read-only on the cover.
func TestTemplate(t *testing.T) {
	repo := testutil.RepoFS(t)
	orgs, err := planfile.ReadOrganisations(repo["plans/organisations.cue"].Data)
	if err != nil {
		t.Fatal(err)
	}
	var ccgs, trusts []string
	for code, o := range orgs {
		switch o.Type {
		case "ccg":
			ccgs = append(ccgs, code)
		case "trust":
			trusts = append(trusts, code)
		}
	}
	slices.Sort(ccgs)
	slices.Sort(trusts)
	rules := []string{"A01", "A02", "B01", "C01"}

	type check struct {
		sheet, cell string
		kind        string   // "whole", "decimal", "list" or "" for none
		min         string   // lower bound of a number check
		list        []string // a drop-down's values
	}
	for _, c := range []struct {
		name, org, typ string
		cps            []string
		register       []workbook.Figure
		checks         []check
		formulas       map[string]string // Sheet!Cell -> formula
		locked, open   []string          // Sheet!Cell
	}{
		{
			name: "trust", org: "RTK", typ: "acute", cps: []string{"09N", "09Y"},
			register: []workbook.Figure{{Label: "control total (£000)", Value: -7500}, {Label: "sustainability funding (£000)", Value: 6000}, {Label: "agency ceiling (£000)", Value: 6000}},
			checks: []check{
				{"Activity", "E2", "whole", "0", nil}, {"Activity", "P40", "whole", "0", nil},
				{"Activity", "A2", "list", "", ccgs},
				{"Capacity", "E2", "whole", "0", nil},
				{"Workforce", "E3", "decimal", "0", nil},
				{"Finance", "E2", "decimal", "0", nil}, {"Finance", "E9", "decimal", "0", nil},
				{"Finance", "E10", "", "", nil}, // the surplus may be negative
				{"Finance", "E14", "decimal", "0", nil}, {"Finance", "A14", "list", "", ccgs},
				{"Performance", "E2", "whole", "0", nil},
				{"CIP schemes", "E6", "decimal", "0", nil}, {"CIP schemes", "B6", "list", "", planfile.CIPCategories},
				{"Contracts", "A2", "list", "", ccgs}, {"Contracts", "C2", "list", "", planfile.ContractStates},
				{"Explanations", "A2", "list", "", rules}, {"Explanations", "B2", "whole", "1", nil},
				{"Cover", "B5", "list", "", planfile.TrustTypes}, {"Cover", "B8", "list", "", planfile.Statuses},
				{"Cover", "B7", "", "", nil}, // the year
			},
			formulas: map[string]string{"Activity!Q2": "SUM(E2:P2)", "Workforce!E2": "SUM(E3:E17)", "Finance!E10": "E2+E3-SUM(E4:E9)", "CIP schemes!E2": "SUM(E6:E36)"},
			locked:   []string{"Activity!C2", "Activity!D2", "Activity!Q2", "Workforce!E2", "Finance!C2", "Finance!E10", "Cover!A2", "Cover!B13", "Cover!B14", "Cover!B15"},
			open:     []string{"Activity!A2", "Activity!E2", "Activity!P2", "Workforce!E3", "Finance!E2", "Cover!B8", "Explanations!E2", "CIP schemes!A6"},
		},
		{
			name: "CCG", org: "09N", cps: []string{"RTK", "RA2"},
			register: []workbook.Figure{{Label: "allocation (£000)", Value: 540000}, {Label: "required surplus (£000)", Value: 0}},
			checks: []check{
				{"Activity", "E2", "whole", "0", nil}, {"Activity", "A2", "list", "", trusts},
				{"Finance", "E2", "decimal", "0", nil}, {"Finance", "E3", "decimal", "0", nil},
				{"Finance", "E5", "", "", nil}, // the surplus may be negative
				{"Contracts", "E2", "decimal", "0", nil}, {"Contracts", "C2", "list", "", planfile.ContractStates},
				{"Cover", "B7", "list", "", planfile.Statuses},
			},
			formulas: map[string]string{"Activity!Q2": "SUM(E2:P2)"},
			locked:   []string{"Activity!C2", "Activity!Q2", "Cover!A2", "Cover!B9", "Cover!B10"},
			open:     []string{"Activity!E2", "Finance!E2", "Contracts!C2", "Contracts!E2"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, data := template(t, c.org, c.typ, c.cps, workbook.Options{Orgs: orgs, Register: c.register, Rules: rules})
			for _, k := range c.checks {
				dv := validation(t, x, k.sheet, k.cell)
				at := k.sheet + "!" + k.cell
				switch {
				case k.kind == "" && dv != nil:
					t.Errorf("%s: validation %s %s, want none", at, dv.Type, dv.Formula1)
				case k.kind == "":
				case dv == nil:
					t.Errorf("%s: no validation, want %s", at, k.kind)
				case dv.Type != k.kind:
					t.Errorf("%s: validation %s, want %s", at, dv.Type, k.kind)
				case k.kind == "list":
					if got := listValues(t, x, dv); !slices.Equal(got, k.list) {
						t.Errorf("%s: drop-down offers %v, want %v", at, got, k.list)
					}
				case formula1(dv) != k.min || dv.ShowErrorMessage != true:
					t.Errorf("%s: %s from %s (error shown: %t), want from %s with an error", at, dv.Type, dv.Formula1, dv.ShowErrorMessage, k.min)
				}
			}
			for at, want := range c.formulas {
				sheet, ref, _ := strings.Cut(at, "!")
				if got, _ := x.GetCellFormula(sheet, ref); got != want {
					t.Errorf("%s: formula %q, want %q", at, got, want)
				}
			}
			for _, at := range c.locked {
				sheet, ref, _ := strings.Cut(at, "!")
				if !locked(t, x, sheet, ref) {
					t.Errorf("%s is not locked", at)
				}
			}
			for _, at := range c.open {
				sheet, ref, _ := strings.Cut(at, "!")
				if locked(t, x, sheet, ref) {
					t.Errorf("%s is locked, want open for input", at)
				}
			}
			for _, sheet := range []string{"Cover", "Activity", "Finance", "Contracts", "Explanations"} {
				if !protected(t, data, x, sheet) {
					t.Errorf("sheet %s is not protected", sheet)
				}
			}
			// The register's figures: on the cover, equal, read-only.
			rows, _ := x.GetRows("Cover", excelize.Options{RawCellValue: true})
			for _, f := range c.register {
				found := false
				for i, r := range rows {
					if len(r) > 1 && r[0] == "Register: "+f.Label {
						found = true
						if r[1] != planfile.Money(f.Value) {
							t.Errorf("cover shows %s as %s, want %s", f.Label, r[1], planfile.Money(f.Value))
						}
						if ref := "B" + strconv.Itoa(i+1); !locked(t, x, "Cover", ref) {
							t.Errorf("the register's %s at Cover!%s is not locked", f.Label, ref)
						}
					}
				}
				if !found {
					t.Errorf("cover lacks the register's %s", f.Label)
				}
			}
		})
	}
}
