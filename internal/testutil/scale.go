package testutil

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/generate"
)

// bundledCodes are the organisation codes of the bundled example system.
var bundledCodes = []string{"QXU", "RTK", "RA2", "RTP", "RXX", "09N", "09Y", "99H"}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// codeFor gives copy i its own code in the same ODS shape as orig.
func codeFor(orig string, i int) string {
	slot := strings.Index(strings.Join(bundledCodes, ","), orig) / 4 // position in bundledCodes
	n := i*len(bundledCodes) + slot
	switch {
	case orig[0] == 'Q':
		return fmt.Sprintf("Q%c%c", alnum[i/36%36], alnum[i%36])
	case orig[0] == 'R':
		return fmt.Sprintf("R%c%c", alnum[n/36%36], alnum[n%36])
	default:
		return fmt.Sprintf("%02d%c", n/26%100, 'A'+n%26)
	}
}

// ScaledRepoFS is the repository with the bundled example system copied n
// times under fresh organisation codes, each plan filed at its code's path:
// n systems of 4 trusts and 3 CCGs, for
// benchmarks at national scale (about 42 systems, 220 trusts, 191 CCGs).
func ScaledRepoFS(t testing.TB, n int) fstest.MapFS {
	t.Helper()
	if n < 1 || n > 300 {
		t.Fatalf("ScaledRepoFS: n = %d, want 1..300", n)
	}
	src := RepoFS(t)
	out := fstest.MapFS{}
	var plans []string
	for name, f := range src {
		switch {
		case strings.HasPrefix(name, "plans/2019-20/"):
			plans = append(plans, name)
		case name == "plans/organisations.cue" || name == registerFile:
		default:
			out[name] = f
		}
	}
	sort.Strings(plans)
	codes := regexp.MustCompile(`\b(` + strings.Join(bundledCodes, "|") + `)\b`)
	var orgs strings.Builder
	orgs.WriteString("// Synthetic organisations for benchmarks.\nkind: \"organisations\"\norganisations: {\n")
	for i := 0; i < n; i++ {
		for _, name := range plans {
			data := codes.ReplaceAllStringFunc(string(src[name].Data), func(c string) string { return codeFor(c, i) })
			out[copyName(name, i)] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
		}
		sys := codeFor("QXU", i)
		for _, c := range bundledCodes {
			typ := map[byte]string{'Q': "system", 'R': "trust"}[c[0]]
			if typ == "" {
				typ = "ccg"
			}
			fmt.Fprintf(&orgs, "\t%q: {name: \"Synthetic %s\", type: %q", codeFor(c, i), codeFor(c, i), typ)
			if typ != "system" {
				fmt.Fprintf(&orgs, ", system: %q", sys)
			}
			orgs.WriteString("}\n")
		}
	}
	orgs.WriteString("}\n")
	out["plans/organisations.cue"] = &fstest.MapFile{Data: []byte(orgs.String()), Mode: 0o644}
	out[registerFile] = &fstest.MapFile{Data: []byte(scaledRegister(t, string(src[registerFile].Data), n, codes)), Mode: 0o644}
	return out
}

// copyName is where copy i of the bundled plan at name is filed: the path
// the plan rules require for its new code (plans/2019-20/providers/r0a.cue,
// plans/2019-20/system-q01.cue), the bundled file's own code renamed.
func copyName(name string, i int) string {
	dir, file := path.Split(name)
	stem := strings.TrimSuffix(file, ".cue")
	prefix := ""
	if rest, ok := strings.CutPrefix(stem, "system-"); ok {
		prefix, stem = "system-", rest
	}
	return dir + prefix + strings.ToLower(codeFor(strings.ToUpper(stem), i)) + ".cue"
}

// registerFile is the bundled system's regulator register.
const registerFile = "policy/register/2019-20.cue"

// scaledRegister repeats the per-organisation blocks of the register once
// per copy under the copy's codes, keeping its year, windows and national
// asks.
func scaledRegister(t testing.TB, src string, n int, codes *regexp.Regexp) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("kind: \"register\"\nyear: \"2019/20\"\nregulator: \"Synthetic\"\n")
	for _, block := range []string{"providers", "commissioners", "systems"} {
		inner := blockBody(t, src, "\n"+block+": {")
		fmt.Fprintf(&b, "%s: {\n", block)
		for i := 0; i < n; i++ {
			b.WriteString(codes.ReplaceAllStringFunc(inner, func(c string) string { return codeFor(c, i) }))
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	}
	for _, block := range []string{"submission_windows: [", "national_asks: {"} {
		open := block[len(block)-1:]
		fmt.Fprintf(&b, "%s%s%s\n", block, blockBody(t, src, "\n"+block), map[string]string{"[": "]", "{": "}"}[open])
	}
	return b.String()
}

// blockBody returns what lies between the bracket that ends start and its
// match.
func blockBody(t testing.TB, src, start string) string {
	t.Helper()
	i := strings.Index(src, start)
	if i < 0 {
		t.Fatalf("register has no %q", start)
	}
	i += len(start)
	depth := 1
	for j := i; j < len(src); j++ {
		switch src[j] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return src[i:j]
			}
		}
	}
	t.Fatalf("register: %q is not closed", start)
	return ""
}

// EnglandFS is a synthetic England from `triangulate generate`: systems
// STPs/ICSs (42 is national scale) with their trusts and CCGs, the register
// and the repository's own schema and policies, deterministic from seed.
// It checks clean. Benchmarks at national scale use it.
func EnglandFS(t testing.TB, systems int, seed uint64) fstest.MapFS {
	t.Helper()
	return EnglandFaultsFS(t, systems, seed, 0)
}

// EnglandFaultsFS is EnglandFS with problems planted in a share of the
// trusts, as `triangulate generate --seed S --faults RATE` writes them.
func EnglandFaultsFS(t testing.TB, systems int, seed uint64, faults float64) fstest.MapFS {
	t.Helper()
	files, err := generate.Generate(os.DirFS(Root(t)), generate.Options{Systems: systems, Seed: seed, Faults: faults})
	if err != nil {
		t.Fatalf("generate England: %v", err)
	}
	out := fstest.MapFS{}
	for name, data := range files {
		out[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return out
}
