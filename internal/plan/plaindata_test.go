package plan

import (
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue/parser"

	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// plainAgrees checks readPlainData against CUE's parser on one file: when
// the one-pass reader accepts, CUE parses the file, finds it plain data,
// and builds the same value and the same index of positions.
func plainAgrees(t *testing.T, name string, src []byte) (accepted bool) {
	t.Helper()
	data, index, ok := readPlainData(src)
	if !ok {
		return false
	}
	f, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%s: read as plain data, but CUE cannot parse it: %v\n%s", name, err, src)
	}
	in := inspectFile(f)
	if len(in.problems) > 0 {
		t.Fatalf("%s: read as plain data, but it is not: %s\n%s", name, in.problems[0].msg, src)
	}
	want, ok := dataOf(f)
	if !ok {
		t.Fatalf("%s: read as plain data, but CUE's syntax is not\n%s", name, src)
	}
	if !reflect.DeepEqual(data, want) {
		t.Fatalf("%s: value differs from CUE's\n got %v\nwant %v", name, data, want)
	}
	if !reflect.DeepEqual(index, in.index) {
		for k, v := range in.index {
			if index[k] != v {
				t.Errorf("%s: %q at %v, CUE says %v", name, DisplayPath(strings.Split(k, "\x00")), index[k], v)
			}
		}
		for k := range index {
			if _, ok := in.index[k]; !ok {
				t.Errorf("%s: %q indexed, CUE has no such path", name, k)
			}
		}
		t.FailNow()
	}
	return true
}

// TestPlainDataAgrees: on every plan file of the repository, of generated
// Englands with and without planted problems, the schema's own examples and
// edits of them in every way the reader must refuse or read alike, the
// one-pass reader either declines or agrees with CUE's parser exactly; and
// it reads every plan the repository's writer lays out.
func TestPlainDataAgrees(t *testing.T) {
	files := map[string][]byte{}
	root := testutil.Root(t)
	for _, dir := range []string{"plans", "schema/testdata", "policy/register", "policy/waivers"} {
		_ = fs.WalkDir(os.DirFS(root), dir, func(name string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(name, ".cue") {
				files[name], _ = os.ReadFile(root + "/" + name)
			}
			return nil
		})
	}
	canonical := 0
	for _, o := range []generate.Options{{Systems: 3, Seed: 1}, {Systems: 3, Seed: 7, Faults: 0.5}} {
		gen, err := generate.Generate(os.DirFS(root), o)
		if err != nil {
			t.Fatal(err)
		}
		for name, src := range gen {
			if strings.HasPrefix(name, "plans/") && strings.HasSuffix(name, ".cue") {
				files[fmt.Sprintf("gen%d/%s", o.Seed, name)] = src
				canonical++
			}
		}
	}
	accepted, generated := 0, 0
	for name, src := range files {
		ok := plainAgrees(t, name, src)
		if ok {
			accepted++
		}
		if strings.HasPrefix(name, "gen") {
			if !ok {
				t.Errorf("%s: a plan the writer laid out is not read in one pass", name)
			}
			generated++
		}
		for _, m := range plainMutations(src) {
			plainAgrees(t, name+" (edited)", m)
		}
	}
	t.Logf("%d of %d files read in one pass (%d of %d generated plans)", accepted, len(files), generated, canonical)
}

// plainMutations are edits of a plan file around what the one-pass reader
// must refuse or read alike.
func plainMutations(src []byte) [][]byte {
	s := string(src)
	edits := []struct{ old, new string }{
		{"status:", "status?:"}, {"status:", "status!:"}, {"status:", "#status:"}, {"status:", "_status:"},
		{"status:", "\"status\":"}, {"status:  ", "status:"}, {": \"", ": \"\\u0041"}, {": \"", ": \"\\(x)"},
		{": \"", ": \"\"\"\n"}, {": \"", ": #\""}, {", ", ",\n"}, {", ", " ,"}, {", ", " "}, {"]", ",]"},
		{"]", "\n]"}, {"[", "[\n"}, {"{", "{\n"}, {"}", "\n}"}, {"}", ",}"}, {": 1", ": 01"}, {": 1", ": 1_0"},
		{": 1", ": 1e3"}, {": 1", ": 1.5"}, {": 1", ": 1."}, {": 1", ": .1"}, {": 1", ": -0"}, {": 1", ": - 1"},
		{": 1", ": 0x1"}, {": 1", ": 1Ki"}, {"\n", "\n\n"}, {"\n", " // note\n"}, {"\n", "\r\n"}, {"kind:", "kind: kind: "},
		{"activity:", "activity: {} \nactivity:"}, {"org:", "org: \"X\"\norg:"}, {"true", "tru"}, {"true", "null"},
		{"\n", "\n@attr()\n"}, {"\n", "\n...\n"}, {"\n", "\nlet x = 1\n"}, {"\n", "\nimport \"strings\"\n"},
		{"\n", "\npackage plan\n"}, {"\"", "\"\t"}, {"\"", "\"\x01"}, {"\"", "\"\xff"}, {":", ": :"}, {"months", "for"},
		{"months", "if"}, {"months", "m\u00e9"}, {"/", "/*"}, {"total: ", "total: a.b"}, {"total: ", "total: 1 + "},
		{"{", "{{"}, {"}", "}}"}, {"[", "[["}, {"]", "]]"}, {"// ", "// \x00"}, {"// ", "// \ufeff"},
		{": \"", ": \"\ufeff"}, {"\n", "\n\ufeff"},
	}
	var out [][]byte
	for _, e := range edits {
		if strings.Contains(s, e.old) {
			out = append(out, []byte(strings.Replace(s, e.old, e.new, 1)))
		}
	}
	out = append(out, []byte(strings.TrimRight(s, "}\n")), []byte(""), []byte("// only a comment\n"), []byte(s+"\n}"))
	return out
}

// FuzzPlainData: on any input the one-pass reader never panics, and when it
// reads a file CUE's parser reads the same.
func FuzzPlainData(f *testing.F) {
	for _, name := range []string{"plans/2019-20/providers/rtk.cue", "plans/2019-20/commissioners/09n.cue", "plans/2019-20/system-qxu.cue", "plans/organisations.cue"} {
		src, err := os.ReadFile(testutil.Root(f) + "/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
		for _, m := range plainMutations(src) {
			f.Add(m)
		}
	}
	f.Add([]byte("a: b: c: 1\na: b: d: [1, -2, 3.50, \"x\", true, null, {e: 0.0}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		plainAgrees(t, "fuzz.cue", src)
	})
}

// BenchmarkPlainDataNational: the one-pass reader over the 452 plan files
// of the generated England, against CUE's parser with the syntax checks
// and value building it replaces.
func BenchmarkPlainDataNational(b *testing.B) {
	gen, err := generate.Generate(os.DirFS(testutil.Root(b)), generate.Options{Systems: generate.DefaultSystems, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var srcs [][]byte
	for name, src := range gen {
		if strings.HasPrefix(name, "plans/") && strings.HasSuffix(name, ".cue") {
			srcs = append(srcs, src)
		}
	}
	b.Run("one-pass", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, src := range srcs {
				if _, _, ok := readPlainData(src); !ok {
					b.Fatal("not read")
				}
			}
		}
	})
	b.Run("cue-parser", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, src := range srcs {
				f, err := parser.ParseFile("x.cue", src, parser.ParseComments)
				if err != nil {
					b.Fatal(err)
				}
				inspectFile(f)
				if _, ok := dataOf(f); !ok {
					b.Fatal("not data")
				}
			}
		}
	})
}
