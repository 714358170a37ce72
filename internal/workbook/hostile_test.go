package workbook_test

import (
	"archive/zip"
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/report"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

// exported returns RTK's bundled plan as an exported workbook, opened
// again so a test can change its cells.
func exported(t testing.TB) *excelize.File {
	t.Helper()
	repo := testutil.RepoFS(t)
	orgs, err := planfile.ReadOrganisations(repo["plans/organisations.cue"].Data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planfile.Parse(repo["plans/2019-20/providers/rtk.cue"].Data)
	if err != nil {
		t.Fatal(err)
	}
	x, err := workbook.Export(p, workbook.Options{Orgs: orgs})
	if err != nil {
		t.Fatal(err)
	}
	back, err := excelize.OpenReader(bytes.NewReader(xlsx(t, x)))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func xlsx(t testing.TB, x *excelize.File) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := workbook.Write(&b, x); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withPart rewrites a workbook's zip with one part added or replaced.
func withPart(t testing.TB, data []byte, name string, body []byte, method uint16) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range z.File {
		if f.Name == name {
			continue
		}
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		fw, _ := w.Create(f.Name)
		fw.Write(b.Bytes())
	}
	fw, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(body)
	w.Close()
	return out.Bytes()
}

// TestCellFindings: every cell the importer cannot read is an error at
// Sheet!Cell, and no plan comes back.
func TestCellFindings(t *testing.T) {
	for _, c := range []struct {
		sheet, cell string
		value       any
		want        string
	}{
		{"Activity", "D14", nil, ""}, // the reference column is a label: ignored
		{"Activity", "E14", "12a", `Activity!E14: "12a" is not a whole number`},
		{"Activity", "F3", 12.5, `Activity!F3: "12.5" is not a whole number`},
		{"Activity", "G4", -3, `Activity!G4: -3 is negative: counts are 0 or more`},
		{"Activity", "H5", "", `Activity!H5: is empty: enter a number`},
		{"Capacity", "E5", "lots", `Capacity!E5: "lots" is not a number`},
		{"Cover", "B7", "Surrey", `Cover!B7: "Surrey" is not a date`},
		{"Cover", "B8", "done", `Cover!B8: "done" is not one of draft, final`},
		{"Contracts", "C2", "shaking hands", `Contracts!C2: "shaking hands" is not one of not_started`},
		{"CIP schemes", "C6", "maybe", `CIP schemes!C6: "maybe" is not yes or no`},
		{"Explanations", "B2", 13, `Explanations!B2: 13 is not a month (1-12)`},
		{"Workforce", "E3", "1e999", `Workforce!E3: "1e999" is not a number`},
	} {
		if c.want == "" {
			continue
		}
		t.Run(c.sheet+"!"+c.cell, func(t *testing.T) {
			x := exported(t)
			sheet, ref := c.sheet, c.cell
			if sheet == "Cover" && ref == "B7" {
				ref = "B11" // the decision date
			}
			if err := x.SetCellValue(sheet, ref, c.value); err != nil {
				t.Fatal(err)
			}
			p, fs := workbook.Read("plan.xlsx", xlsx(t, x), workbook.Limits{})
			if p != nil {
				t.Error("a plan came back from a workbook with an unreadable cell")
			}
			want := strings.Replace(c.want, "Cover!B7", "Cover!B11", 1)
			for _, f := range fs {
				if strings.HasPrefix(f.Message, want) && f.Severity == finding.Error && f.File == "plan.xlsx" && strings.HasPrefix(want, f.Path+":") {
					return
				}
			}
			t.Errorf("no finding %q; got %v", want, fs)
		})
	}
}

// TestCellFindingInEveryFormat: the Sheet!Cell of a workbook finding shows
// in every report format.
func TestCellFindingInEveryFormat(t *testing.T) {
	x := exported(t)
	x.SetCellValue("Activity", "E14", "12a")
	_, fs := workbook.Read("rtk.xlsx", xlsx(t, x), workbook.Limits{})
	for _, format := range report.Formats {
		var b bytes.Buffer
		if err := report.Write(&b, format, report.Result{Findings: fs, Ref: "rtk.xlsx"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "Activity!E14") || !strings.Contains(b.String(), "rtk.xlsx") {
			t.Errorf("%s report lacks rtk.xlsx and Activity!E14:\n%s", format, b.String())
		}
	}
}

// TestHostileWorkbooks: macros, links to other workbooks, oversized files
// and zip bombs are refused with a finding, never a crash.
func TestHostileWorkbooks(t *testing.T) {
	good := xlsx(t, exported(t))
	bomb := withPart(t, good, "xl/media/image1.png", bytes.Repeat([]byte{0}, 50<<20), zip.Deflate)
	manyParts := func() []byte {
		d := good
		for i := range 5 {
			d = withPart(t, d, "xl/media/x"+string(rune('a'+i))+".bin", []byte("x"), zip.Store)
		}
		return d
	}()
	extFormula := func() []byte {
		x := exported(t)
		x.SetCellFormula("Finance", "E2", "[1]Sheet1!A1")
		return xlsx(t, x)
	}()
	for _, c := range []struct {
		name string
		data []byte
		lim  workbook.Limits
		want string
	}{
		{"macros", withPart(t, good, "xl/vbaProject.bin", []byte("VBA"), zip.Store), workbook.Limits{}, "contains macros"},
		{"macro content type", withPart(t, good, "[Content_Types].xml", []byte(`<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>`), zip.Deflate), workbook.Limits{}, "macro-enabled"},
		{"external link part", withPart(t, good, "xl/externalLinks/externalLink1.xml", []byte("<externalLink/>"), zip.Deflate), workbook.Limits{}, "links to other workbooks"},
		{"external formula", extFormula, workbook.Limits{}, "Finance!E2: the formula refers to another workbook"},
		{"zip bomb ratio", bomb, workbook.Limits{}, "compresses more than"},
		{"zip bomb total", bomb, workbook.Limits{MaxUncompressed: 1 << 20}, "expands to more than"},
		{"oversized", good, workbook.Limits{MaxBytes: 1000}, "over the limit of 1000"},
		{"too many parts", manyParts, workbook.Limits{MaxEntries: 10}, "parts, over the limit of 10"},
		{"not a zip", []byte("name,value\nRTK,1\n"), workbook.Limits{}, "not an .xlsx workbook"},
		{"empty", nil, workbook.Limits{}, "not an .xlsx workbook"},
		{"too many rows", good, workbook.Limits{MaxRows: 5}, "more than 5 rows"},
		{"too many cells", good, workbook.Limits{MaxCells: 100}, "more than 100 cells"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, fs := workbook.Read("in.xlsx", c.data, c.lim)
			if p != nil {
				t.Error("a plan came back")
			}
			for _, f := range fs {
				if strings.Contains(f.Message, c.want) && f.Severity == finding.Error {
					return
				}
			}
			t.Errorf("no finding %q; got %v", c.want, fs)
		})
	}
}

// tinyWorkbook is a complete workbook of a few hundred bytes per part,
// stored without compression, so that the fuzzer's mutations land in its
// XML rather than in a deflate stream the zip reader rejects at once.
func tinyWorkbook(t testing.TB, cover, activity string, sst ...string) []byte {
	t.Helper()
	var sstXML strings.Builder
	for _, s := range sst {
		sstXML.WriteString("<si><t>" + s + "</t></si>")
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Cover" sheetId="1" r:id="rId1"/><sheet name="Activity" sheetId="2" r:id="rId2"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + cover + `</sheetData></worksheet>`},
		{"xl/worksheets/sheet2.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + activity + `</sheetData></worksheet>`},
		{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sstXML.String() + `</sst>`},
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, p := range parts {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(p.body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// tinySystem is the smallest workbook that imports: a system's cover.
func tinySystem(t testing.TB) []byte {
	row := func(n int, label, value string) string {
		r := strconv.Itoa(n)
		return `<row r="` + r + `"><c r="A` + r + `" t="inlineStr"><is><t>` + label + `</t></is></c><c r="B` + r + `" t="str"><v>` + value + `</v></c></row>`
	}
	cover := row(1, "Field", "Value") + row(2, "Organisation code", "QXU") + row(3, "Organisation name", "Surrey Heartlands") +
		row(4, "Plan kind", "system") + row(5, "Year", "2019/20") + row(6, "Members", "RTK, RA2") +
		`<row r="7"><c r="A7" t="s"><v>0</v></c><c r="B7"><v>-1500</v></c></row>`
	return tinyWorkbook(t, cover, `<row r="2"><c r="A2" t="s"><v>1</v></c><c r="E2"><v>12</v></c><c r="Q2"><f>SUM(E2:P2)</f></c></row>`,
		"Control total stated in the plan (leave blank: the register sets it)", "09N")
}

// TestTinyWorkbook: the fuzzer's smallest seed is a workbook that imports.
func TestTinyWorkbook(t *testing.T) {
	p, fs := workbook.Read("tiny.xlsx", tinySystem(t), workbook.Limits{})
	if p == nil || p.System == nil || p.System.ControlTotal == nil || *p.System.ControlTotal != -1500 || len(p.System.Members) != 2 {
		t.Fatalf("the tiny workbook does not import as a system plan: %+v %v", p, fs)
	}
}

// FuzzRead: whatever bytes arrive, Read returns findings or a plan, and a
// plan it returns is one the canonical writer can write. The seeds are
// small, uncompressed workbooks, so each run is cheap and the mutations
// reach the XML readers (a full export, 60 KiB deflated, made each run and
// each minimisation slow enough for a run of 20 s to reach a few hundred).
func FuzzRead(f *testing.F) {
	tiny := tinySystem(f)
	f.Add(tiny)
	f.Add(tinyWorkbook(f, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, `<row r="3"><c r="E3"><f>[1]Sheet1!A1</f><v>1</v></c></row>`, "Organisation code"))
	f.Add(withPart(f, tiny, "xl/vbaProject.bin", []byte("VBA"), zip.Store))
	f.Add([]byte("PK\x03\x04"))
	lim := workbook.Limits{MaxBytes: 1 << 20, MaxUncompressed: 4 << 20, MaxRows: 500, MaxCells: 20000}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, fs := workbook.Read("fuzz.xlsx", data, lim)
		if p == nil && len(fs) == 0 {
			t.Fatal("no plan and no finding")
		}
		if p != nil {
			if _, err := planfile.Format(p, planfile.Names{}); err != nil {
				t.Fatalf("plan read but not writable: %v", err)
			}
		}
	})
}
