package workbook_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

// england returns every plan of the generated England (42 systems, about
// 450 plans), parsed, with its reference list.
func england(b *testing.B) ([]*planfile.Plan, map[string]planfile.Organisation) {
	fsys := testutil.EnglandFS(b, 42, 1)
	orgs, err := planfile.ReadOrganisations(fsys["plans/organisations.cue"].Data)
	if err != nil {
		b.Fatal(err)
	}
	var ps []*planfile.Plan
	for name, f := range fsys {
		if strings.HasPrefix(name, "plans/20") {
			p, err := planfile.Parse(f.Data)
			if err != nil {
				b.Fatal(err)
			}
			ps = append(ps, p)
		}
	}
	return ps, orgs
}

// BenchmarkExportEngland exports every plan of a generated England (target:
// under 10 s for 450 plans).
func BenchmarkExportEngland(b *testing.B) {
	ps, orgs := england(b)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range ps {
			x, err := workbook.Export(p, workbook.Options{Orgs: orgs})
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			if err := workbook.Write(&buf, x); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(ps)), "plans") // after the loop: ResetTimer drops metrics
}

// BenchmarkImportEngland imports the workbook of every plan of a generated
// England and writes each plan file (target: under 10 s for 450 plans).
func BenchmarkImportEngland(b *testing.B) {
	ps, orgs := england(b)
	names := planfile.Names{}
	for c, o := range orgs {
		names[c] = o.Name
	}
	var books [][]byte
	for _, p := range ps {
		x, err := workbook.Export(p, workbook.Options{Orgs: orgs})
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := workbook.Write(&buf, x); err != nil {
			b.Fatal(err)
		}
		books = append(books, buf.Bytes())
	}
	b.ResetTimer()
	for b.Loop() {
		for _, data := range books {
			p, fs := workbook.Read("plan.xlsx", data, workbook.Limits{})
			if p == nil {
				b.Fatal(fs)
			}
			if _, err := planfile.Format(p, names); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(books)), "plans")
}
