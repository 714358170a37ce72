package plan

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// exported is the file's value as CUE evaluates and exports it: what the
// loader gave the policies before it built the value from the syntax.
func exported(t *testing.T, name string, src []byte) (map[string]any, bool) {
	t.Helper()
	f, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	v := cuecontext.New().BuildFile(f)
	if v.Err() != nil {
		return nil, false
	}
	var m map[string]any
	if err := decode(v, &m); err != nil {
		return nil, false
	}
	return m, true
}

// TestDataOfMatchesCUE: the value built from the syntax is the value CUE
// exports, number spellings and string escapes included, on every plan the
// repository and the generator ship, on the schema fixtures and on literals
// chosen to differ; where the syntax is more than plain data, dataOf
// declines and the loader lets CUE decide.
func TestDataOfMatchesCUE(t *testing.T) {
	files := map[string][]byte{}
	add := func(fsys fs.FS, prefix string) {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".cue") || !strings.HasPrefix(p, prefix) {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			files[p] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(testutil.RepoFS(t), "plans/")
	add(testutil.RepoFS(t), "policy/")
	add(testutil.RepoFS(t), "schema/testdata/")
	add(testutil.EnglandFaultsFS(t, 3, 7, 0.5), "plans/")
	literals := map[string]string{
		"numbers":   "a: 1_000\nb: .5\nc: -0\nd: -0.0\ne: 0.10\nf: 1.\ng: 123456789012345\nh: -7\ni: 0\nj: 3.14159\nk: -12.50\nl: 10\nm: -100\nn: 0.0\no: 1.0",
		"strings":   `a: "\u00e9\t\"x\"", b: #"raw \n"#, c: """` + "\n\tmulti\n\tline\n\t" + `""", d: "<&>", e: "\\(x)"`,
		"merged":    "a: b: 1\na: c: 2\nd: {e: [1, {f: null}]}\nd: g: true\n\"h i\": false",
		"labels":    "\"09N\": 1\n\"a\\u0041\": 2\n#\"x\"#: 3",
		"scalarDup": "a: 1\na: 1",
		"listDup":   "a: [1]\na: [1]",
		"conflict":  "a: 1\na: 2",
		"mixed":     "a: {b: 1}\na: 2",
		"bytes":     "a: 'bytes'",
	}
	for name, src := range literals {
		files["literal/"+name+".cue"] = []byte(src)
	}
	declines := map[string]bool{"literal/scalarDup.cue": true, "literal/listDup.cue": true,
		"literal/conflict.cue": true, "literal/mixed.cue": true, "literal/bytes.cue": true}
	checked := 0
	for name, src := range files {
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			f, err := parser.ParseFile(name, src, parser.ParseComments)
			if err != nil {
				t.Skip("not valid CUE")
			}
			if in := inspectFile(f); len(in.problems) > 0 {
				t.Skip("not plain data")
			}
			got, ok := dataOf(f)
			if declines[name] {
				if ok {
					t.Errorf("dataOf built %v; want it to leave the file to CUE", got)
				}
				return
			}
			if !ok {
				t.Fatal("dataOf declined plain data")
			}
			want, ok := exported(t, name, src)
			if !ok {
				t.Fatal("CUE cannot export the file")
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("value differs from CUE's export (-cue +dataOf):\n%s", d)
			}
			checked++
		})
	}
	if checked < 50 {
		t.Errorf("compared %d files; the corpus should give over 50", checked)
	}
}
