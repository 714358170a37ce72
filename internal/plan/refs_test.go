package plan

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// schemaPaths lists the paths a decoded struct reads: each json tag, with
// any key of a map (cue.AnyString) and any index of a slice.
func schemaPaths(t reflect.Type, prefix []cue.Selector) [][]cue.Selector {
	var out [][]cue.Selector
	switch t.Kind() {
	case reflect.Struct:
		for f := range t.Fields() {
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "" {
				continue
			}
			p := append(append([]cue.Selector(nil), prefix...), cue.Str(tag))
			out = append(out, p)
			out = append(out, schemaPaths(f.Type, p)...)
		}
	case reflect.Map:
		out = append(out, schemaPaths(t.Elem(), append(append([]cue.Selector(nil), prefix...), cue.AnyString))...)
	case reflect.Slice:
		out = append(out, schemaPaths(t.Elem(), append(append([]cue.Selector(nil), prefix...), cue.AnyIndex))...)
	}
	return out
}

// TestRefsInSchema: every key the cross-checks decode is in the schema of
// its kind, so a misspelt tag fails here instead of naming no one.
func TestRefsInSchema(t *testing.T) {
	s, err := LoadSchema(os.DirFS(testutil.Root(t)))
	if err != nil {
		t.Fatal(err)
	}
	for kind, v := range map[string]any{
		"provider":      providerRefs{},
		"commissioner":  commissionerRefs{},
		"system":        systemRefs{},
		"organisations": organisationsRefs{},
	} {
		def := s.ev.defs[kind]
		paths := schemaPaths(reflect.TypeOf(v), nil)
		if len(paths) == 0 {
			t.Errorf("%s: no paths read", kind)
		}
		for _, p := range paths {
			if !lookup(def, p).Exists() {
				t.Errorf("%s: %s is not in the schema (%s)", kind, cue.MakePath(p...), kinds[kind])
			}
		}
	}
	// The lookup can fail: misspelt keys are not found, in a map's
	// elements too.
	for kind, p := range map[string][]cue.Selector{
		"provider":      {cue.Str("finance"), cue.Str("income"), cue.Str("by_commisioner"), cue.AnyString},
		"organisations": {cue.Str("organisations"), cue.AnyString, cue.Str("typ")},
	} {
		if lookup(s.ev.defs[kind], p).Exists() {
			t.Errorf("%s: misspelt %s found in the schema: the test above proves nothing", kind, cue.MakePath(p...))
		}
	}
}

// lookup follows p from v. A map key (cue.AnyString) stands for the first
// of some organisation codes the map allows: LookupPath does not find a
// pattern constraint on a code pattern ([#CCGCode]: ...), so the element is
// made by filling that key in.
func lookup(v cue.Value, p []cue.Selector) cue.Value {
	for _, sel := range p {
		if sel != cue.AnyString {
			if v = v.LookupPath(cue.MakePath(sel)); !v.Exists() {
				return v
			}
			continue
		}
		codes := []string{"RTK", "09N", "QXU"}
		i := slices.IndexFunc(codes, func(code string) bool { return v.Allows(cue.Str(code)) })
		if i < 0 {
			return cue.Value{}
		}
		key := cue.MakePath(cue.Str(codes[i]))
		v = v.FillPath(key, struct{}{}).LookupPath(key)
	}
	return v
}

// TestCodeKeyedInSchema: every map classify names as keyed by an
// organisation code is in the schema of some kind.
func TestCodeKeyedInSchema(t *testing.T) {
	s, err := LoadSchema(os.DirFS(testutil.Root(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range codeKeyed {
		found := false
		for _, def := range s.ev.defs {
			var sels []cue.Selector
			for _, seg := range ck.prefix {
				sels = append(sels, cue.Str(seg))
			}
			found = found || lookup(def, append(sels, cue.AnyString)).Exists()
		}
		if !found {
			t.Errorf("%s is not a map keyed by code in any kind's schema", DisplayPath(ck.prefix))
		}
	}
}
