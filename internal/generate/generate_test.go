package generate_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

var opts = check.Options{Today: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)}

func gen(t testing.TB, systems int, seed uint64) map[string][]byte {
	t.Helper()
	files, err := generate.Generate(os.DirFS(testutil.Root(t)), generate.Options{Systems: systems, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func mapFS(files map[string][]byte) fstest.MapFS {
	m := fstest.MapFS{}
	for p, b := range files {
		m[p] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return m
}

// TestSmallSetChecksClean runs the real pipeline over generated sets: any
// finding at all is a generator bug, since figures agree by construction.
func TestSmallSetChecksClean(t *testing.T) {
	ctx := context.Background()
	for _, seed := range []uint64{1, 20190401} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			fsys := mapFS(gen(t, 3, seed))
			rules, err := check.LoadRules(ctx, fsys, opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := check.Run(ctx, rules, fsys, opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Blocking() || len(res.Findings) > 0 {
				var b strings.Builder
				for _, f := range res.Findings {
					fmt.Fprintf(&b, "\n%s %s %s %s %s", f.Location, f.Rule, f.Severity, f.Status, f.Message)
				}
				t.Errorf("seed %d: %d findings (blocking: %t), want none:%s", seed, len(res.Findings), res.Blocking(), b.String())
			}
			c := finding.Count(res.Findings)
			if c.Blocking != 0 {
				t.Errorf("counts %+v", c)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	a, b, other := gen(t, 3, 7), gen(t, 3, 7), gen(t, 3, 8)
	if len(a) != len(b) {
		t.Fatalf("same seed: %d files, then %d", len(a), len(b))
	}
	for p, x := range a {
		if !bytes.Equal(x, b[p]) {
			t.Errorf("same seed, %s differs", p)
		}
	}
	same := len(a) == len(other)
	for p, x := range a {
		if same && !bytes.Equal(x, other[p]) {
			same = false
		}
	}
	if same {
		t.Error("seeds 7 and 8 gave identical sets")
	}
}

var (
	providerPath     = regexp.MustCompile(`^plans/2019-20/providers/(r[a-z0-9]{2})\.cue$`)
	commissionerPath = regexp.MustCompile(`^plans/2019-20/commissioners/([0-9]{2}[a-z])\.cue$`)
	systemPath       = regexp.MustCompile(`^plans/2019-20/system-(q[a-z0-9]{2})\.cue$`)
	orgField         = regexp.MustCompile(`(?m)^org:\s+"([^"]+)"$`)
	systemField      = regexp.MustCompile(`(?m)^system:\s+"([^"]+)"$`)
	contractKey      = regexp.MustCompile(`(?m)^\t(R[A-Z0-9]{2}): \{$`)
)

// TestNationalShape: the default set is England-sized, every plan is
// marked synthetic and filed where S01 wants it, and some CCGs contract
// across system borders.
func TestNationalShape(t *testing.T) {
	files := gen(t, generate.DefaultSystems, 1)
	n := map[string]int{}
	systemOf := map[string]string{}
	var ccgs []string
	for p, b := range files {
		if strings.HasSuffix(p, ".cue") && (strings.HasPrefix(p, "plans/") || strings.HasPrefix(p, "policy/register/")) {
			if !bytes.HasPrefix(b, []byte("// SYNTHETIC EXAMPLE DATA.")) {
				t.Errorf("%s does not start with the synthetic marker", p)
			}
		}
		for kind, re := range map[string]*regexp.Regexp{"trust": providerPath, "ccg": commissionerPath, "system": systemPath} {
			m := re.FindStringSubmatch(p)
			if m == nil {
				continue
			}
			n[kind]++
			org := orgField.FindSubmatch(b)
			if org == nil || strings.ToLower(string(org[1])) != m[1] {
				t.Errorf("%s holds org %q, want the path's code %q", p, org, m[1])
			}
			if kind != "system" {
				systemOf[string(org[1])] = string(systemField.FindSubmatch(b)[1])
			}
			if kind == "ccg" {
				ccgs = append(ccgs, p)
			}
		}
	}
	for kind, want := range map[string][2]int{"trust": {200, 240}, "ccg": {175, 205}, "system": {42, 42}} {
		if n[kind] < want[0] || n[kind] > want[1] {
			t.Errorf("%d %ss, want %d-%d", n[kind], kind, want[0], want[1])
		}
	}
	cross := 0
	for _, p := range ccgs {
		b := files[p]
		own := systemOf[string(orgField.FindSubmatch(b)[1])]
		contracts := contractKey.FindAllSubmatch(b, -1)
		if len(contracts) < 3 || len(contracts) > 15 {
			t.Errorf("%s contracts with %d providers, want 3-15", p, len(contracts))
		}
		for _, c := range contracts {
			if systemOf[string(c[1])] != own {
				cross++
			}
		}
	}
	if cross == 0 {
		t.Error("no contract crosses a system border")
	}
	for _, want := range []string{"plans/organisations.cue", "policy/register/2019-20.cue", ".github/CODEOWNERS", "cue.mod/module.cue", "policy/data.json", "schema/provider.cue"} {
		if files[want] == nil {
			t.Errorf("no %s", want)
		}
	}
	owners := string(files[".github/CODEOWNERS"])
	for code := range systemOf {
		team := "@triangulate-nhs/" + strings.ToLower(code) + "-planning"
		if !strings.Contains(owners, team) {
			t.Errorf("CODEOWNERS has no line for %s (%s)", code, team)
		}
	}
}

// TestStockCUEVet validates a few generated files with the stock cue CLI,
// the way CI does.
func TestStockCUEVet(t *testing.T) {
	cue, err := exec.LookPath("cue")
	if err != nil {
		t.Skip("cue not on PATH")
	}
	dir := t.TempDir()
	files := gen(t, 2, 3)
	var picks []string
	seen := map[string]bool{}
	for _, p := range generate.Paths(files) {
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, files[p], 0o644); err != nil {
			t.Fatal(err)
		}
		kind := path.Dir(p)
		if strings.HasPrefix(p, "plans/") || strings.HasPrefix(p, "policy/register/") {
			if !seen[kind] || strings.Contains(p, "system-") {
				seen[kind] = true
				picks = append(picks, p)
			}
		}
	}
	for _, p := range picks {
		cmd := exec.Command(cue, "vet", "-c", "./schema", p)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cue vet -c ./schema %s: %v\n%s", p, err, out)
		}
		cmd = exec.Command(cue, "fmt", "--check", p)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cue fmt --check %s: %v\n%s", p, err, out)
		}
	}
}

// BenchmarkGenerateNational is the default 42-system set.
func BenchmarkGenerateNational(b *testing.B) {
	repo := os.DirFS(testutil.Root(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := generate.Generate(repo, generate.Options{Systems: generate.DefaultSystems, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFaultsTripTheirRules: with every trust given a fault, each planted
// kind shows up as a finding of the rule it was built for; a rate of 0 is
// the clean set, byte for byte.
func TestFaultsTripTheirRules(t *testing.T) {
	ctx := context.Background()
	repo := os.DirFS(testutil.Root(t))
	files, err := generate.Generate(repo, generate.Options{Systems: 4, Seed: 1, Faults: 1})
	if err != nil {
		t.Fatal(err)
	}
	fsys := mapFS(files)
	rules, err := check.LoadRules(ctx, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(ctx, rules, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range res.Findings {
		seen[f.Rule] = true
	}
	for _, id := range generate.Faults() {
		if !seen[id] {
			t.Errorf("no %s finding from its planted fault; rules seen: %v", id, seen)
		}
	}
	clean := gen(t, 2, 9)
	zeroFiles, err := generate.Generate(repo, generate.Options{Systems: 2, Seed: 9, Faults: 0})
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range clean {
		if !bytes.Equal(b, zeroFiles[p]) {
			t.Errorf("faults 0 changed %s", p)
		}
	}
	if _, err := generate.Generate(repo, generate.Options{Systems: 2, Faults: 1.5}); err == nil {
		t.Error("faults 1.5 accepted")
	}
}
