package workbook_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

// plans returns every bundled plan and every plan of a small generated
// England (all trust types, CCGs and systems), with their reference lists.
func plans(t testing.TB) (map[string][]byte, map[string]map[string]planfile.Organisation) {
	t.Helper()
	files := map[string][]byte{}
	orgs := map[string]map[string]planfile.Organisation{}
	repo := testutil.RepoFS(t)
	bundled, err := planfile.ReadOrganisations(repo["plans/organisations.cue"].Data)
	if err != nil {
		t.Fatal(err)
	}
	for p, f := range repo {
		if strings.HasPrefix(p, "plans/20") {
			files["bundled/"+p] = f.Data
			orgs["bundled/"+p] = bundled
		}
	}
	gen, err := generate.Generate(os.DirFS(testutil.Root(t)), generate.Options{Systems: 3, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	genOrgs, err := planfile.ReadOrganisations(gen["plans/organisations.cue"])
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range gen {
		if strings.HasPrefix(p, "plans/20") {
			files["generated/"+p] = b
			orgs["generated/"+p] = genOrgs
		}
	}
	return files, orgs
}

func names(orgs map[string]planfile.Organisation) planfile.Names {
	n := planfile.Names{}
	for c, o := range orgs {
		n[c] = o.Name
	}
	return n
}

// TestRoundTrip: import(export(plan)) is the plan, byte for byte, for every
// bundled plan and every generated plan type.
func TestRoundTrip(t *testing.T) {
	files, orgs := plans(t)
	kinds := map[string]bool{}
	for name, src := range files {
		t.Run(name, func(t *testing.T) {
			p, err := planfile.Parse(src)
			if err != nil {
				t.Fatal(err)
			}
			kind := p.Kind()
			if p.Provider != nil {
				kind += "/" + p.Provider.Type
			}
			kinds[kind] = true
			x, err := workbook.Export(p, workbook.Options{Orgs: orgs[name], Rules: []string{"A01", "B01"}})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := workbook.Write(&buf, x); err != nil {
				t.Fatal(err)
			}
			back, fs := workbook.Read("plan.xlsx", buf.Bytes(), workbook.Limits{})
			if len(fs) > 0 {
				t.Fatalf("import of the export has findings: %v", fs)
			}
			got, err := planfile.Format(back, names(orgs[name]))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, src) {
				t.Errorf("round trip changed the plan:\n%s", firstDiff(string(src), string(got)))
			}
		})
	}
	for _, k := range []string{"provider/acute", "provider/mental_health", "provider/community", "provider/specialist", "commissioner", "system"} {
		if !kinds[k] {
			t.Errorf("no %s plan went round", k)
		}
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)) && b.Len() < 3000; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("want: " + wl + "\ngot:  " + gl + "\n")
		}
	}
	return b.String()
}
