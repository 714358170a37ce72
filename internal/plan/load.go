package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// PlansDir is where plan files live in a repository.
const PlansDir = "plans"

// DefaultMaxFileSize bounds one plan file. A real plan is tens of kilobytes;
// anything near this size is a mistake or an attack on the checker.
const DefaultMaxFileSize = 1 << 20

// Options tune a load.
type Options struct {
	// MaxFileSize is the largest plan file accepted, in bytes.
	MaxFileSize int64
}

// Document is one plan file as loaded.
type Document struct {
	// File is the path inside the repository, e.g.
	// plans/2019-20/providers/rtk.cue.
	File string
	Kind string
	Org  string
	Year string
	// Data is the file's data as JSON values (numbers as json.Number).
	Data map[string]any
	// Valid reports that the document passed the schema.
	Valid bool

	index map[string]token.Pos
}

// Locate maps a field path inside the document to its file position. Path
// segments are field names (string) or list indexes (int, or a number
// decoded from JSON). When the path is not in the file, the deepest part that
// is gives the position, so a finding about a missing field lands on its
// parent.
func (d *Document) Locate(p []any) finding.Location {
	segs := make([]string, 0, len(p))
	for _, s := range p {
		segs = append(segs, segment(s))
	}
	loc := finding.Location{Org: d.Org, Path: DisplayPath(segs), File: d.File}
	for n := len(segs); n >= 0; n-- {
		if pos, ok := d.index[pathKey(segs[:n])]; ok && pos.IsValid() {
			loc.Line, loc.Column = pos.Line(), pos.Column()
			return loc
		}
	}
	return loc
}

// Has reports whether the path names a field or element present in the file.
func (d *Document) Has(p []string) bool {
	_, ok := d.index[pathKey(p)]
	return ok
}

func segment(s any) string {
	switch s := s.(type) {
	case string:
		return s
	case json.Number:
		return s.String()
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64)
	case int:
		return strconv.Itoa(s)
	default:
		return fmt.Sprint(s)
	}
}

// DisplayPath renders a path the way CUE writes it: activity."09N".months[3].
func DisplayPath(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		switch {
		case isIndex(s):
			b.WriteString("[" + s + "]")
		case isIdent(s):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(strconv.Quote(s))
		}
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

// Set is every plan file read from one tree.
type Set struct {
	Documents []*Document
	// Findings are the schema findings (S00-S04), sorted.
	Findings []finding.Finding

	// refused holds, per year, the organisations whose plan file was
	// refused before its code could be read, as inferred from its path.
	refused map[string]map[string]bool
}

// Invalid returns the organisations whose plan for year ("2019/20") cannot
// be trusted: it failed the schema, or it was refused before its
// organisation code could be read (not plain data, an import, too large or
// deep, a syntax error). A refused file's organisation is inferred from
// where it is filed (plans/2019-20/providers/rtk.cue,
// plans/2019-20/commissioners/09n.cue, plans/2019-20/system-qxu.cue: the
// code upper-cased, the year from the folder) when the reference list has
// that code with the type the folder implies. Policy findings involving
// these organisations are to be held back until the schema findings are
// fixed; otherwise a counterparty would be told the plan does not exist.
// The map is new on every call and never nil.
func (s *Set) Invalid(year string) map[string]bool {
	out := map[string]bool{}
	for _, d := range s.Documents {
		if d.Valid || d.Org == "" {
			continue
		}
		// A plan whose year field is wrong still stands for the year of
		// the folder it is filed in.
		if d.Year == year || FileYear(d.File) == year {
			out[d.Org] = true
		}
	}
	for org := range s.refused[year] {
		out[org] = true
	}
	return out
}

// Doc returns the plan of org for year, or nil.
func (s *Set) Doc(year, org string) *Document {
	for _, d := range s.Documents {
		if d.Year == year && d.Org == org && d.Kind != "organisations" {
			return d
		}
	}
	return nil
}

// Years lists the financial years with at least one plan, in order.
func (s *Set) Years() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range s.Documents {
		if d.Year != "" && !seen[d.Year] {
			seen[d.Year] = true
			out = append(out, d.Year)
		}
	}
	sort.Strings(out)
	return out
}

// ErrNoPlans is returned when the tree has no plans/ folder.
var ErrNoPlans = errors.New("no plans/ folder")

// Load reads every file under plans/ in fsys and validates it against the
// schema. Problems with the plans are findings in the set; the error is for
// a tree that cannot be read.
func (s *Schema) Load(fsys fs.FS, opts Options) (*Set, error) {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if fi, err := fs.Stat(fsys, PlansDir); err != nil || !fi.IsDir() {
		return nil, ErrNoPlans
	}
	set := &Set{}
	var files []source
	// unread are files refused or read without an organisation code.
	unread := map[string]bool{}
	err := fs.WalkDir(fsys, PlansDir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if d.IsDir() {
			return nil
		}
		if f := s.admit(fsys, name, d, opts); f != nil {
			set.Findings = append(set.Findings, *f)
			unread[name] = true
			return nil
		}
		if !strings.HasSuffix(name, ".cue") {
			return nil
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		files = append(files, source{name, src})
		return nil
	})
	if err != nil {
		return nil, err
	}
	results, err := s.checkAll(files)
	if err != nil {
		return nil, err
	}
	for n, r := range results {
		if r.doc != nil && r.doc.Org != "" {
			for i := range r.findings {
				r.findings[i].Org, r.findings[i].Orgs = r.doc.Org, []string{r.doc.Org}
			}
		} else {
			unread[files[n].name] = true
		}
		set.Findings = append(set.Findings, r.findings...)
		if r.doc != nil {
			set.Documents = append(set.Documents, r.doc)
		}
	}
	set.Findings = append(set.Findings, crossCheck(set)...)
	set.attributeRefused(unread)
	for i := range set.Findings {
		decorate(&set.Findings[i])
	}
	finding.Sort(set.Findings)
	return set, nil
}

type checked struct {
	doc      *Document
	findings []finding.Finding
}

// filesPerWorker keeps small plan sets on one goroutine, where compiling a
// second schema would cost more than it saves.
const filesPerWorker = 16

// checkAll validates files in parallel, one CUE context per worker (a
// context is not safe for concurrent use), keeping the files' order.
func (s *Schema) checkAll(files []source) ([]checked, error) {
	out := make([]checked, len(files))
	workers := min(runtime.GOMAXPROCS(0), (len(files)+filesPerWorker-1)/filesPerWorker)
	if workers <= 1 {
		for i, f := range files {
			out[i].doc, out[i].findings = s.CheckFile(f.name, f.src)
		}
		return out, nil
	}
	var (
		wg   sync.WaitGroup
		next atomic.Int64
		errs = make([]error, workers)
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := s
			if w > 0 {
				var err error
				if ws, err = s.clone(); err != nil {
					errs[w] = err
					return
				}
			}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				out[i].doc, out[i].findings = ws.CheckFile(files[i].name, files[i].src)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("validate plans: %w", err)
	}
	return out, nil
}

// admit refuses files that must never be read as plans.
func (s *Schema) admit(fsys fs.FS, name string, d fs.DirEntry, opts Options) *finding.Finding {
	reject := func(msg string) *finding.Finding {
		return &finding.Finding{Rule: "S00", Severity: finding.Error, Message: msg,
			Location: finding.Location{File: name}}
	}
	switch {
	case d.Type()&fs.ModeSymlink != 0:
		return reject("symbolic links are not allowed under plans/: a plan must be the file itself")
	case !d.Type().IsRegular():
		return reject("only regular files are allowed under plans/")
	}
	if !strings.HasSuffix(name, ".cue") {
		if strings.HasSuffix(name, ".md") {
			return nil
		}
		return reject(fmt.Sprintf("%s is not a plan file: plans/ holds .cue plan files (and .md notes) only", path.Base(name)))
	}
	info, err := d.Info()
	if err != nil {
		return reject(fmt.Sprintf("cannot stat file: %v", err))
	}
	if info.Size() > opts.MaxFileSize {
		return reject(fmt.Sprintf("file is %d bytes, over the %d-byte limit for a plan file", info.Size(), opts.MaxFileSize))
	}
	return nil
}

// CheckFile parses and validates one plan file on its own. It returns the
// document (nil when the file is not readable data) and its findings. It
// never panics on any input.
func (s *Schema) CheckFile(name string, src []byte) (*Document, []finding.Finding) {
	var out []finding.Finding
	add := func(rule string, pos token.Pos, path []string, msg string) {
		f := finding.Finding{Rule: rule, Severity: finding.Error, Message: msg,
			Location: finding.Location{File: name, Path: DisplayPath(path)}}
		if pos.IsValid() {
			f.Line, f.Column = pos.Line(), pos.Column()
		}
		out = append(out, f)
	}
	file, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		for _, e := range cueerrors.Errors(err) {
			add("S00", e.Position(), nil, "not valid CUE: "+errMsg(e))
		}
		return nil, out
	}
	in := inspectFile(file)
	for _, p := range in.problems {
		add("S00", p.pos, nil, p.msg)
	}
	if len(in.problems) > 0 {
		return nil, out
	}
	data := s.ctx.BuildFile(file)
	if err := data.Err(); err != nil {
		for _, e := range cueerrors.Errors(err) {
			add("S00", e.Position(), trimDefs(e.Path()), errMsg(e))
		}
		return nil, out
	}
	doc := &Document{File: name, index: in.index}
	doc.Kind, _ = data.LookupPath(cue.ParsePath("kind")).String()
	doc.Org, _ = data.LookupPath(cue.ParsePath("org")).String()
	doc.Year, _ = data.LookupPath(cue.ParsePath("year")).String()
	if err := decode(data, &doc.Data); err != nil {
		add("S00", file.Pos(), nil, fmt.Sprintf("cannot export data: %v", err))
		return nil, out
	}
	def, ok := s.defs[doc.Kind]
	if !ok {
		pos := in.index[pathKey([]string{"kind"})]
		if !pos.IsValid() {
			pos = file.Pos()
		}
		add("S03", pos, []string{"kind"}, fmt.Sprintf("kind must be one of %s; got %q", strings.Join(s.Kinds(), ", "), doc.Kind))
		return doc, out
	}
	verrs := mergeDisjunctions(s.validate(def, data))
	for i := range verrs {
		rule, pos, msg := classify(doc, &verrs[i])
		add(rule, pos, verrs[i].path, msg)
	}
	out = dedupe(out)
	doc.Valid = len(out) == 0
	return doc, out
}

func decode(v cue.Value, into *map[string]any) error {
	b, err := v.MarshalJSON()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(into)
}

// verr is one validation error with its data path.
type verr struct {
	path []string
	msg  string
}

// validate unifies the data with its definition. Hard conflicts make CUE drop
// "field not allowed" and missing-field errors elsewhere in the value, so
// when the whole document has errors each top-level field is validated again
// on its own, with the fields that select conditional parts of the schema.
func (s *Schema) validate(def, data cue.Value) []verr {
	all := collect(def.Unify(data).Validate(cue.Concrete(true)), nil)
	if len(all) == 0 {
		return nil
	}
	base := s.ctx.CompileString("{}")
	for _, k := range []string{"kind", "type"} {
		if v := data.LookupPath(cue.ParsePath(k)); v.Exists() {
			base = base.FillPath(cue.ParsePath(k), v)
		}
	}
	it, err := data.Fields()
	if err != nil {
		return all
	}
	shape := def.Unify(base)
	for it.Next() {
		sel := it.Selector()
		if !shape.Allows(sel) {
			// Reported without evaluating, so a file of thousands of
			// unknown fields costs no more than one.
			all = append(all, verr{path: []string{sel.Unquoted()}, msg: "field not allowed"})
			continue
		}
		part := base.FillPath(cue.MakePath(sel), it.Value())
		prefix := sel.Unquoted()
		all = append(all, collect(def.Unify(part).Validate(cue.Concrete(true)), func(p []string) bool {
			return len(p) > 0 && p[0] == prefix
		})...)
	}
	// Top-level fields the definition needs that the file lacks.
	fit, err := shape.Fields(cue.Optional(true))
	if err == nil {
		for fit.Next() {
			sel := fit.Selector()
			if sel.ConstraintType() == cue.OptionalConstraint || sel.IsDefinition() || sel.PkgPath() != "" {
				continue
			}
			name := sel.Unquoted()
			if !data.LookupPath(cue.MakePath(cue.Str(name))).Exists() {
				all = append(all, verr{path: []string{name}, msg: "field is required but not present"})
			}
		}
	}
	return all
}

func collect(err error, keep func([]string) bool) []verr {
	var out []verr
	for _, e := range cueerrors.Errors(err) {
		p := trimDefs(e.Path())
		if keep != nil && !keep(p) {
			continue
		}
		out = append(out, verr{path: p, msg: errMsg(e)})
	}
	return out
}

// trimDefs drops the definition names CUE puts in front of a data path.
// CUE quotes labels that are not identifiers ("09N"); the index holds them
// bare.
func trimDefs(p []string) []string {
	for len(p) > 0 && strings.HasPrefix(p[0], "#") {
		p = p[1:]
	}
	out := make([]string, len(p))
	for i, s := range p {
		if u, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, "\"") {
			s = u
		}
		out[i] = s
	}
	return out
}

func errMsg(e cueerrors.Error) string {
	format, args := e.Msg()
	return fmt.Sprintf(format, args...)
}

var conflict = regexp.MustCompile(`^conflicting values (.+) and (.+)$`)

// mergeDisjunctions folds CUE's one-error-per-alternative report for a value
// outside an enum ("draft" | "final") into one error that lists the choices.
func mergeDisjunctions(errs []verr) []verr {
	type group struct {
		first  int
		values []string
		got    string
	}
	groups := map[string]*group{}
	var out []verr
	for _, e := range errs {
		k := pathKey(e.path)
		m := conflict.FindStringSubmatch(e.msg)
		g := groups[k]
		switch {
		case g != nil && (m != nil || strings.Contains(e.msg, "empty disjunction")):
			if m != nil {
				g.values = append(g.values, m[1])
				g.got = m[2]
			}
			continue
		case strings.Contains(e.msg, "empty disjunction") || m != nil:
			g = &group{first: len(out)}
			if m != nil {
				g.values, g.got = []string{m[1]}, m[2]
			}
			groups[k] = g
		}
		out = append(out, e)
	}
	for _, g := range groups {
		if len(g.values) > 1 {
			out[g.first].msg = fmt.Sprintf("%s is not allowed here: use one of %s", g.got, strings.Join(g.values, ", "))
		}
	}
	return out
}

func dedupe(fs []finding.Finding) []finding.Finding {
	seen := map[string]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := fmt.Sprintf("%s\x00%d\x00%d\x00%s", f.File, f.Line, f.Column, f.Message)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}
