package workbook_test

import (
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

// TestScannerAgrees: the byte scanner reads what excelize reads, cell for
// cell, and leaves to excelize what it does not know (rich text).
func TestScannerAgrees(t *testing.T) {
	repo := testutil.RepoFS(t)
	orgs, err := planfile.ReadOrganisations(repo["plans/organisations.cue"].Data)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := workbook.Template("RTK", "2019/20", "acute", []string{"09N"}, workbook.Options{Orgs: orgs})
	if err != nil {
		t.Fatal(err)
	}
	edited := func(edit func(x *excelize.File)) []byte {
		x := exported(t)
		edit(x)
		return xlsx(t, x)
	}
	for _, c := range []struct {
		name string
		data []byte
		fast bool
	}{
		{"export", xlsx(t, exported(t)), true},
		{"template", xlsx(t, tmpl), true},
		{"shared strings and escapes", edited(func(x *excelize.File) {
			x.SetCellValue("Explanations", "E2", "  A&E <over> \"plan\" 'n' £ ✓  ")
			x.SetCellValue("Explanations", "E3", "line one\nline two\ttab")
			x.SetCellValue("Explanations", "B3", 7)
			x.SetCellValue("Explanations", "D3", true)
			x.SetCellFormula("Explanations", "C4", `IF(B3>1,"a&b","")`)
		}), true},
		{"rich text", edited(func(x *excelize.File) {
			x.SetCellRichText("Explanations", "E2", []excelize.RichTextRun{{Text: "bold", Font: &excelize.Font{Bold: true}}, {Text: " plain"}})
		}), false},
		{"hand-written", tinyWorkbook(t, `<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> a &amp; b </t></is></c><c r="C1" t="b"><v>1</v></c></row><row r="3"><c r="B3" t="s"><v>1</v></c><c r="D3"><f>SUM(1,2)</f><v>3</v></c></row>`, ``, "x", "y &#163;"), true},
		{"text split by a processing instruction", tinyWorkbook(t, `<row r="1"><c r="A1"><v>12<?pi x?>34</v></c></row>`, ``), false},
		{"carriage return", tinyWorkbook(t, "<row r=\"1\"><c r=\"A1\" t=\"str\"><v>a\r\nb</v></c></row>", ``), false},
		{"row without a number", tinyWorkbook(t, `<row><c r="A1"><v>1</v></c></row>`, ``), false},
		{"OOXML escape", edited(func(x *excelize.File) {
			x.SetCellValue("Explanations", "E2", "_x0041_ is not A")
		}), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			fast, diff, err := workbook.ScanAgrees(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Error(diff)
			}
			if fast != c.fast {
				t.Errorf("the scanner read every sheet: %t, want %t", fast, c.fast)
			}
		})
	}
}

// FuzzScanner: on any workbook, the byte scanner reads every cell as
// excelize does, or leaves the workbook to excelize.
func FuzzScanner(f *testing.F) {
	f.Add(tinySystem(f))
	f.Add(tinyWorkbook(f, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t xml:space="preserve"> a &amp; b </t></is></c></row>`,
		`<row r="2" spans="1:17"><c r="B2" t="b"><v>1</v></c><c r="E2" s="3"><v>1.5e3</v></c><c r="Q2" t="str"><f>SUM(E2:P2)</f><v>1500</v></c></row>`, "Organisation code", ""))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, diff, err := workbook.ScanAgrees(data)
		if err == nil && diff != "" {
			t.Fatal(diff)
		}
	})
}
