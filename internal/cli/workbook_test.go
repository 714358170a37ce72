package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// shippedRepoDir writes the shipped repository to a temporary directory.
func shippedRepoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for p, f := range testutil.RepoFS(t) {
		name := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func editCell(t *testing.T, path, sheet, ref string, v any) {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellValue(sheet, ref, v); err != nil {
		t.Fatal(err)
	}
	if err := x.Save(); err != nil {
		t.Fatal(err)
	}
	x.Close()
}

// registerOnCover checks that a workbook's cover shows each of the
// register's figures for org (field -> cover label) equal to the register
// and locked.
func registerOnCover(t *testing.T, repo string, x *excelize.File, section, org string, fields map[string]string) {
	t.Helper()
	rules, err := check.LoadRules(context.Background(), os.DirFS(repo), check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := rules.Registers.Data("2019/20")[section].(map[string]any)
	figs, _ := sec[org].(map[string]any)
	rows, _ := x.GetRows("Cover", excelize.Options{RawCellValue: true})
	for field, label := range fields {
		v := figs[field]
		if m, ok := v.(map[string]any); ok {
			v = m["amount"]
		}
		want, ok := number(v)
		if !ok {
			t.Fatalf("the register has no %s for %s", field, org)
		}
		found := false
		for i, r := range rows {
			if len(r) < 2 || !strings.HasPrefix(r[0], "Register: "+label) {
				continue
			}
			found = true
			if r[1] != planfile.Money(want) {
				t.Errorf("%s cover: %s is %s, the register says %s", org, label, r[1], planfile.Money(want))
			}
			id, _ := x.GetCellStyle("Cover", "B"+strconv.Itoa(i+1))
			if st, err := x.GetStyle(id); err != nil || st.Protection != nil && !st.Protection.Locked {
				t.Errorf("%s cover: the register's %s is not locked", org, label)
			}
		}
		if !found {
			t.Errorf("%s cover lacks the register's %s", org, label)
		}
	}
}

// TestWorkbookCommands: a finance lead's path end to end. Export a plan,
// import it unchanged (the same file, byte for byte), import a workbook
// with an unreadable cell (a finding at its cell, exit 2, nothing written),
// import a changed figure (the check's finding, exit 1) and export again to
// see it on the cell; get a blank template.
func TestWorkbookCommands(t *testing.T) {
	repo := shippedRepoDir(t)
	out := t.TempDir()
	book := filepath.Join(out, "rtk.xlsx")
	planPath := filepath.Join(repo, "plans", "2019-20", "providers", "rtk.cue")
	orig, _ := os.ReadFile(planPath)

	if _, errOut, code := run(t, "export", "--org", "RTK", "-o", book, repo); code != ExitClean {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	if stdout, errOut, code := run(t, "import", book, "--dir", repo); code != ExitClean || !strings.Contains(stdout, "submittable") {
		t.Fatalf("import of the export: exit %d\n%s%s", code, stdout, errOut)
	}
	if got, _ := os.ReadFile(planPath); string(got) != string(orig) {
		t.Errorf("import of an unchanged export changed the plan file")
	}

	bad := filepath.Join(out, "bad.xlsx")
	data, _ := os.ReadFile(book)
	os.WriteFile(bad, data, 0o644)
	editCell(t, bad, "Activity", "E2", "12a")
	for _, format := range []string{"text", "json", "markdown", "sarif"} {
		stdout, errOut, code := run(t, "import", bad, "--dir", repo, "--format", format, "-o", filepath.Join(out, "never.cue"))
		if code != ExitInput || !strings.Contains(stdout, `Activity!E2`) || !strings.Contains(stdout, "bad.xlsx") || !strings.Contains(errOut, "no plan written") {
			t.Errorf("import --format %s of an unreadable cell: exit %d\n%s%s", format, code, stdout, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "never.cue")); err == nil {
		t.Error("a plan was written from a workbook with an unreadable cell")
	}

	editCell(t, book, "Finance", "E2", 370000) // patient-care income no longer the sum by commissioner
	stdout, errOut, code := run(t, "import", book, "--dir", repo)
	if code != ExitBlocking || !strings.Contains(stdout, "A05") {
		t.Fatalf("import of a changed figure: exit %d\n%s%s", code, stdout, errOut)
	}
	if got, _ := os.ReadFile(planPath); !strings.Contains(string(got), "patient_care: 370000") {
		t.Errorf("the imported plan lacks the new figure")
	}
	withFindings := filepath.Join(out, "findings.xlsx")
	if _, errOut, code := run(t, "export", "--org", "RTK", "-o", withFindings, repo); code != ExitClean {
		t.Fatalf("export with findings: exit %d: %s", code, errOut)
	}
	x, err := excelize.OpenFile(withFindings)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("Findings")
	var onCell string
	for _, r := range rows {
		if len(r) > 3 && r[0] == "A05" {
			onCell = r[3]
		}
	}
	if onCell != "Finance!E2" {
		t.Errorf("A05 placed at %q on the Findings sheet, want Finance!E2", onCell)
	}
	comments, _ := x.GetComments("Finance")
	if len(comments) == 0 || comments[0].Cell != "E2" || !strings.Contains(comments[0].Text, "A05") {
		t.Errorf("no A05 comment on Finance!E2: %+v", comments)
	}

	tmpl := filepath.Join(out, "template.xlsx")
	if _, errOut, code := run(t, "template", "--org", "09N", "--year", "2019/20", "-o", tmpl, repo); code != ExitClean {
		t.Fatalf("template: exit %d: %s", code, errOut)
	}
	tx, err := excelize.OpenFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	if v, _ := tx.GetCellValue("Cover", "B2"); v != "09N" {
		t.Errorf("template cover names %q, want 09N", v)
	}
	registerOnCover(t, repo, tx, "commissioners", "09N", map[string]string{"allocation": "allocation", "required_surplus": "required surplus"})
	trustTmpl := filepath.Join(out, "rtk-template.xlsx")
	if _, errOut, code := run(t, "template", "--org", "RTK", "--year", "2019/20", "-o", trustTmpl, repo); code != ExitClean {
		t.Fatalf("template: exit %d: %s", code, errOut)
	}
	rx, err := excelize.OpenFile(trustTmpl)
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	registerOnCover(t, repo, rx, "providers", "RTK", map[string]string{"control_total": "control total", "sustainability_funding": "sustainability funding", "agency_ceiling": "agency ceiling"})

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "-o", book, repo}, "needs --org"},
		{[]string{"export", "--org", "RXX", "--year", "2030/31", "-o", book, repo}, "no readable plan of RXX"},
		{[]string{"template", "--org", "ZZZ", "--year", "2019/20", "-o", tmpl, repo}, "not in plans/organisations.cue"},
		{[]string{"template", "--org", "RTK", "-o", tmpl, repo}, "needs --org"},
		{[]string{"import", filepath.Join(out, "missing.xlsx"), "--dir", repo}, "missing.xlsx"},
		{[]string{"import", book, "--format", "csv"}, "unknown --format"},
	} {
		_, errOut, code := run(t, tc.args...)
		if code != ExitInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut, ExitInput, tc.want)
		}
	}
}
