package workbook_test

import (
	"archive/zip"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

// TestExternalFormula: references into other workbooks, files and
// addresses are refused; references inside the workbook, structured table
// references among them, are not.
func TestExternalFormula(t *testing.T) {
	for _, c := range []struct {
		formula string
		want    string // "" = allowed
	}{
		{`[1]Sheet1!A1`, "another workbook"},
		{`SUM([1]Finance!E2:E9)`, "another workbook"},
		{`'[2]My sheet'!B2*2`, "another workbook"},
		{`[Book2.xlsx]Sheet1!$A$1`, "another workbook"},
		{`[1]!RegionTotal`, "another workbook"},
		{`SUM('C:\plans\[other.xlsx]Finance'!E2:E4)`, "another workbook"},
		{`'C:\plans\Finance'!E2`, "outside the workbook"},
		{`'https://example.org/plans/Finance'!E2`, "outside the workbook"},
		{`'\\server\share\Finance'!E2`, "outside the workbook"},
		{`WEBSERVICE("https://example.org/figure")`, "fetches"},
		{`rtd("server",,"topic")`, "fetches"},
		{`cmd|'/c calc'!A0`, "fetches"},
		{`SUM(E2:P2)`, ""},
		{`Activity!E2+'CIP schemes'!E6`, ""},
		{`'It''s a sheet'!A1`, ""},
		{`SUM(Table1[Total])`, ""},
		{`Table1[[#This Row],[M1]]*2`, ""},
		{`SUM(Table1[2019])`, ""},
		{`SUM(Table1[[#Headers],[2019]:[2020]])`, ""},
		{`Plans!Table1[Total]`, ""},
		{`IF(A1="[1]Sheet1!A1","'C:\x'!A1","a|b")`, ""},
		{`SUMIF(C6:C36,"yes",E6:E36)`, ""},
	} {
		got := workbook.ExternalFormula(c.formula)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.formula, got, c.want)
		}
	}
}

// TestExternalWorkbooks: a workbook reaching outside itself is refused at
// the cell or part that does it; one that only uses structured references
// or hyperlinks imports.
func TestExternalWorkbooks(t *testing.T) {
	good := xlsx(t, exported(t))
	with := func(edit func(x *excelize.File)) []byte {
		x := exported(t)
		edit(x)
		return xlsx(t, x)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string // "" = imports
	}{
		{"workbook index", with(func(x *excelize.File) { x.SetCellFormula("Finance", "E3", "[1]Finance!E3") }), "Finance!E3: the formula refers to another workbook"},
		{"quoted path", with(func(x *excelize.File) { x.SetCellFormula("Lists", "Z1", `'C:\plans\[rtk.xlsx]Finance'!E3`) }), "Lists!Z1: the formula refers to another workbook"},
		{"URL", with(func(x *excelize.File) { x.SetCellFormula("Lists", "Z1", `'https://example.org/Finance'!E3`) }), "Lists!Z1: the formula refers to a file or address outside the workbook"},
		{"defined name", with(func(x *excelize.File) {
			x.SetDefinedName(&excelize.DefinedName{Name: "Outside", RefersTo: "[1]Finance!$E$3"})
		}), "the defined name Outside: the formula refers to another workbook"},
		{"external relationship", withPart(t, good, "xl/worksheets/_rels/sheet5.xml.rels", []byte(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="file:///C:/plans/figures.xlsx" TargetMode="External"/></Relationships>`), zip.Deflate), `links to "file:///C:/plans/figures.xlsx" outside itself`},
		{"structured references", with(func(x *excelize.File) {
			x.SetCellFormula("Lists", "Z1", "SUM(Table1[Total])")
			x.SetCellFormula("Lists", "Z2", "Table1[[#This Row],[2019]]")
		}), ""},
		{"hyperlink", with(func(x *excelize.File) {
			x.SetCellHyperLink("Lists", "Z3", "https://www.england.nhs.uk/operational-planning-and-contracting/", "External")
		}), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, fs := workbook.Read("in.xlsx", c.data, workbook.Limits{})
			if c.want == "" {
				if p == nil {
					t.Errorf("refused: %v", fs)
				}
				return
			}
			if p != nil {
				t.Error("a plan came back")
			}
			for _, f := range fs {
				if strings.Contains(f.Message, c.want) {
					return
				}
			}
			t.Errorf("no finding %q; got %v", c.want, fs)
		})
	}
}
