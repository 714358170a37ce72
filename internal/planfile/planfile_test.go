package planfile_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/format"

	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// bundled returns every plan file shipped under plans/ and the names of the
// reference list.
func bundled(t *testing.T) (map[string][]byte, planfile.Names) {
	t.Helper()
	repo := testutil.RepoFS(t)
	names, err := planfile.ReadNames(repo["plans/organisations.cue"].Data)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for p, f := range repo {
		if strings.HasPrefix(p, "plans/") && strings.HasSuffix(p, ".cue") && p != "plans/organisations.cue" {
			files[p] = f.Data
		}
	}
	if len(files) < 8 {
		t.Fatalf("found %d bundled plans, want at least 8", len(files))
	}
	return files, names
}

// generated returns one generated plan of every kind and trust type.
func generated(t *testing.T) (map[string][]byte, planfile.Names) {
	t.Helper()
	files, err := generate.Generate(os.DirFS(testutil.Root(t)), generate.Options{Systems: 3, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	names, err := planfile.ReadNames(files["plans/organisations.cue"])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	seen := map[string]bool{}
	for _, p := range generate.Paths(files) {
		if !strings.HasPrefix(p, "plans/2019-20/") {
			continue
		}
		pl, err := planfile.Parse(files[p])
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		kind := pl.Kind()
		if pl.Provider != nil {
			kind += "/" + pl.Provider.Type
		}
		if !seen[kind] {
			seen[kind] = true
			out[p] = files[p]
		}
	}
	for _, k := range []string{"provider/acute", "provider/mental_health", "provider/community", "provider/specialist", "commissioner", "system"} {
		if !seen[k] {
			t.Errorf("the generated set has no %s plan", k)
		}
	}
	return out, names
}

// TestPlansAreCanonical: every bundled plan and a generated plan of every
// type is exactly what the writer writes for it, so the importer's output
// is the one layout of a plan file.
func TestPlansAreCanonical(t *testing.T) {
	for _, set := range []func(*testing.T) (map[string][]byte, planfile.Names){bundled, generated} {
		files, names := set(t)
		for p, src := range files {
			t.Run(p, func(t *testing.T) {
				pl, err := planfile.Parse(src)
				if err != nil {
					t.Fatal(err)
				}
				got, err := planfile.Format(pl, names)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, src) {
					t.Errorf("%s is not canonical:\n%s", p, lineDiff(string(src), string(got)))
				}
				again, err := format.Source(got)
				if err != nil || !bytes.Equal(again, got) {
					t.Errorf("cue/format changes the canonical form (err %v)", err)
				}
			})
		}
	}
}

// TestStockCueFmtKeepsCanonical runs the stock `cue fmt` over the canonical
// form of every bundled and generated plan: it must change nothing.
func TestStockCueFmtKeepsCanonical(t *testing.T) {
	cue, err := exec.LookPath("cue")
	if err != nil {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		cue = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "cue")
		if _, err := os.Stat(cue); err != nil {
			t.Skip("stock cue CLI not installed (.ci/run installs it): go install cuelang.org/go/cmd/cue@v0.17.1")
		}
	}
	dir := t.TempDir()
	want := map[string][]byte{}
	for _, set := range []func(*testing.T) (map[string][]byte, planfile.Names){bundled, generated} {
		files, names := set(t)
		for p, src := range files {
			pl, err := planfile.Parse(src)
			if err != nil {
				t.Fatal(err)
			}
			out, err := planfile.Format(pl, names)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, strings.ReplaceAll(p, "/", "_"))
			if err := os.WriteFile(name, out, 0o644); err != nil {
				t.Fatal(err)
			}
			want[name] = out
		}
	}
	args := []string{"fmt"}
	for name := range want {
		args = append(args, name)
	}
	if out, err := exec.Command(cue, args...).CombinedOutput(); err != nil {
		t.Fatalf("cue fmt: %v\n%s", err, out)
	}
	for name, w := range want {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, w) {
			t.Errorf("cue fmt changed %s:\n%s", filepath.Base(name), lineDiff(string(w), string(got)))
		}
	}
}

// TestQuoteRoundTrips: any text a planner types (quotes, backslashes, an
// interpolation, control characters, newlines) reads back from CUE as it
// was written.
func TestQuoteRoundTrips(t *testing.T) {
	ctx := cuecontext.New()
	for _, s := range []string{
		``, `plain`, `say "no"`, `back\slash`, `\(x)`, "line\nbreak\ttab", "bell\a\x00nul", "bidi\u202eoverride", "sep\u2028x",
		`}` + "\n" + `kind: "system"`, "£ and é", "emoji 🙂",
	} {
		v := ctx.CompileString("x: " + planfile.Quote(s))
		got, err := v.LookupPath(cueParsePath("x")).String()
		if err != nil {
			t.Errorf("Quote(%q) = %s does not compile: %v", s, planfile.Quote(s), err)
			continue
		}
		if got != s {
			t.Errorf("Quote(%q) reads back as %q", s, got)
		}
	}
}

func TestLabel(t *testing.T) {
	for code, want := range map[string]string{"RTK": "RTK", "09N": `"09N"`, "X2C4Y": "X2C4Y", "_x": `"_x"`, "if": `"if"`, "a-b": `"a-b"`, "": `""`} {
		if got := planfile.Label(code); got != want {
			t.Errorf("Label(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		x            float64
		money, decim string
	}{
		{270000, "270000", "270000.0"}, {-7500, "-7500", "-7500.0"}, {3777.1, "3777.1", "3777.1"},
		{0, "0", "0.0"}, {-0.0, "0", "0.0"}, {12.25, "12.25", "12.25"},
	} {
		if got := planfile.Money(c.x); got != c.money {
			t.Errorf("Money(%v) = %s, want %s", c.x, got, c.money)
		}
		if got := planfile.Decimal(c.x); got != c.decim {
			t.Errorf("Decimal(%v) = %s, want %s", c.x, got, c.decim)
		}
	}
}

func TestFromJSONRefusesWhatTheLayoutDoesNotHold(t *testing.T) {
	for name, js := range map[string]string{
		"unknown kind":     `{"kind": "waivers"}`,
		"unknown field":    `{"kind": "system", "org": "QXU", "name": "x", "year": "2019/20", "members": [], "colour": "red"}`,
		"short months":     `{"kind": "commissioner", "org": "09N", "contracts": {"RTK": {"value": {"total": 1, "months": [1]}, "activity": {}}}}`,
		"unknown line":     `{"kind": "commissioner", "org": "09N", "contracts": {"RTK": {"value": {"total": 0, "months": [0,0,0,0,0,0,0,0,0,0,0,0]}, "activity": {"bananas": {"total": 0, "months": [0,0,0,0,0,0,0,0,0,0,0,0]}}}}}`,
		"fractional count": `{"kind": "provider", "org": "RTK", "activity": {"09N": {"gp_referrals": {"total": 1.5, "months": []}}}}`,
		"not json":         `{`,
	} {
		if _, err := planfile.FromJSON([]byte(js)); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl + "\n")
			if b.Len() > 2000 {
				break
			}
		}
	}
	return b.String()
}
