package workbook_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

// soffice converts in to .xlsx with LibreOffice, headless, in a fresh
// profile; LibreOffice recalculates every formula as it loads the file.
func soffice(t *testing.T, in string) string {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	conv := filepath.Join(out, filepath.Base(in))
	if _, err := os.Stat(conv); err != nil {
		t.Fatalf("soffice wrote no %s: %v", conv, err)
	}
	return conv
}

// TestLibreOffice: a real spreadsheet program opens a template and an
// export, computes their formulas, and the workbook it saves (its own XML,
// not excelize's) imports to the same plan.
func TestLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow")
	}
	repo := testutil.RepoFS(t)
	orgs, err := planfile.ReadOrganisations(repo["plans/organisations.cue"].Data)
	if err != nil {
		t.Fatal(err)
	}
	src := repo["plans/2019-20/providers/rtk.cue"].Data
	p, err := planfile.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	x, err := workbook.Export(p, workbook.Options{Orgs: orgs})
	if err != nil {
		t.Fatal(err)
	}
	exp := filepath.Join(dir, "rtk.xlsx")
	if err := x.SaveAs(exp); err != nil {
		t.Fatal(err)
	}
	tx, err := workbook.Template("RTK", "2019/20", "acute", []string{"09N", "09Y"}, workbook.Options{Orgs: orgs})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := filepath.Join(dir, "template.xlsx")
	if err := tx.SaveAs(tmpl); err != nil {
		t.Fatal(err)
	}

	// The export: LibreOffice's computed totals equal the plan's.
	conv := soffice(t, exp)
	lo, err := excelize.OpenFile(conv)
	if err != nil {
		t.Fatalf("open LibreOffice's workbook: %v", err)
	}
	defer lo.Close()
	rows, err := lo.GetRows("Activity", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, row := range rows[1:] {
		if len(row) < 17 || row[0] != "09Y" || row[2] != "GP referrals" {
			continue
		}
		if f, _ := lo.GetCellFormula("Activity", "Q"+strconv.Itoa(i+2)); f == "" {
			t.Errorf("LibreOffice dropped the total's formula")
		}
		if got, want := row[16], strconv.Itoa(p.Provider.Activity["09Y"]["gp_referrals"].Total); got != want {
			t.Errorf("LibreOffice computes the 09Y GP referrals total as %s, want %s", got, want)
		}
		checked++
	}
	surplus, _ := lo.GetCellValue("Finance", "E10", excelize.Options{RawCellValue: true})
	if surplus != planfile.Money(p.Provider.Finance.Surplus) {
		t.Errorf("LibreOffice computes the surplus as %s, want %s", surplus, planfile.Money(p.Provider.Finance.Surplus))
	}
	wte, _ := lo.GetCellValue("Workforce", "E2", excelize.Options{RawCellValue: true})
	if v, err := strconv.ParseFloat(wte, 64); err != nil || planfile.Decimal(v) != planfile.Decimal(p.Provider.Workforce.Total[0]) {
		t.Errorf("LibreOffice computes April's WTE as %s, want %v", wte, p.Provider.Workforce.Total[0])
	}
	if checked != 1 {
		t.Errorf("found the 09Y GP referrals row %d times in LibreOffice's workbook", checked)
	}

	// The workbook LibreOffice saved imports to the same plan file.
	data, err := os.ReadFile(conv)
	if err != nil {
		t.Fatal(err)
	}
	// LibreOffice writes shared strings and its own attributes: the byte
	// scanner reads them as excelize does.
	fast, diff, err := workbook.ScanAgrees(data)
	if err != nil || diff != "" {
		t.Errorf("the scanner and excelize disagree on LibreOffice's workbook: %v %s", err, diff)
	}
	t.Logf("the byte scanner read LibreOffice's workbook: %t", fast)
	back, fs := workbook.Read("lo.xlsx", data, workbook.Limits{})
	if back == nil {
		t.Fatalf("LibreOffice's workbook does not import: %v", fs)
	}
	names := planfile.Names{}
	for c, o := range orgs {
		names[c] = o.Name
	}
	got, err := planfile.Format(back, names)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(src) {
		t.Errorf("LibreOffice's workbook imports to a different plan:\n%s", firstDiff(string(src), string(got)))
	}

	// The template opens, and its formulas compute over the empty cells.
	tconv := soffice(t, tmpl)
	lt, err := excelize.OpenFile(tconv)
	if err != nil {
		t.Fatalf("open LibreOffice's template: %v", err)
	}
	defer lt.Close()
	if v, _ := lt.GetCellValue("Activity", "Q2", excelize.Options{RawCellValue: true}); v != "0" {
		t.Errorf("the template's first total computes to %q in LibreOffice, want 0", v)
	}
	if v, _ := lt.GetCellValue("Cover", "B2"); v != "RTK" {
		t.Errorf("the template's cover names %q, want RTK", v)
	}
}
