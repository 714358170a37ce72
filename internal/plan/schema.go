package plan

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
)

// SchemaDir is where the schema package lives in a repository.
const SchemaDir = "schema"

// kinds maps a document's kind to the schema definition it must satisfy.
var kinds = map[string]string{
	"provider":      "#ProviderPlan",
	"commissioner":  "#CommissionerPlan",
	"system":        "#SystemPlan",
	"organisations": "#OrganisationList",
	"waivers":       "#WaiverList",
	"register":      "#Register",
}

// optionalKinds may be missing from a schema: schemas written before the
// regulator register have no #Register, and a diff or a review reaching
// back to them must still load their plans. A file of a kind the schema
// lacks is refused like any unknown kind.
var optionalKinds = map[string]bool{"register": true}

// Schema is the compiled CUE schema. It is safe for concurrent use: a load
// evaluates in copies of its own (one per worker), and CheckFile takes
// turns in the schema's own context, since CUE values share one context.
type Schema struct {
	// mu serialises CheckFile, the one user of ev and evaluated.
	mu      sync.Mutex
	sources []source
	// ev is compiled again when next needed after it is set to nil: when
	// an evaluation in it was abandoned at its deadline, and after
	// filesPerContext files.
	ev        *evaluator
	evaluated int // files evaluated in ev
	// fast accepts valid files without evaluating them (fast.go). It is
	// immutable and shared by every clone.
	fast *fastSchema
}

// LoadSchema compiles the schema package found in fsys under schema/.
func LoadSchema(fsys fs.FS) (*Schema, error) {
	entries, err := fs.ReadDir(fsys, SchemaDir)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	var sources []source
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".cue") {
			continue
		}
		name := path.Join(SchemaDir, e.Name())
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read schema: %w", err)
		}
		sources = append(sources, source{name: name, src: src})
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("read schema: no .cue files in %s/", SchemaDir)
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].name < sources[j].name })
	ev, err := compile(sources)
	if err != nil {
		return nil, err
	}
	ev.fast = compileFast(sources)
	return &Schema{sources: sources, ev: ev, fast: ev.fast}, nil
}

type source struct {
	name string
	src  []byte
	sum  [sha256.Size]byte // of src, for plan files
	// id names src where the file system does (ContentID): a file
	// reused by it, or whose result is cached, is never read, and src
	// is nil.
	id string
	// at is the file's place in its Set's files.
	at int
}

// compile builds the schema in a CUE context of its own.
func compile(sources []source) (*evaluator, error) {
	ctx := cuecontext.New()
	inst := build.NewContext().NewInstance(SchemaDir, nil)
	for _, s := range sources {
		f, err := parser.ParseFile(s.name, s.src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse schema: %s", errors.Details(err, nil))
		}
		if err := inst.AddSyntax(f); err != nil {
			return nil, fmt.Errorf("parse schema: %w", err)
		}
	}
	root := ctx.BuildInstance(inst)
	ev := &evaluator{ctx: ctx, defs: map[string]cue.Value{}}
	for kind, def := range kinds {
		v := root.LookupPath(cue.ParsePath(def))
		if !v.Exists() && optionalKinds[kind] {
			continue
		}
		if !v.Exists() {
			return nil, fmt.Errorf("compile schema: definition %s missing", def)
		}
		// Definitions are incomplete by nature (required fields); only
		// conflicts inside the schema itself are fatal.
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("compile schema %s: %s", def, errors.Details(err, nil))
		}
		ev.defs[kind] = v
	}
	return ev, nil
}

// clone compiles the same schema into a context of its own, for a worker
// that validates files in parallel.
func (s *Schema) clone() (*Schema, error) {
	ev, err := compile(s.sources)
	if err != nil {
		return nil, err
	}
	ev.fast = s.fast
	return &Schema{sources: s.sources, ev: ev, fast: s.fast}, nil
}

// kindNames lists, sorted, the document kinds this schema defines: every
// kind but an optional one the schema lacks (an older schema has no
// #Register).
func (ev *evaluator) kindNames() []string {
	out := make([]string, 0, len(ev.defs))
	for k := range ev.defs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
