package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// DefaultFileDeadline bounds the time to check one plan file. A real plan
// checks in about 10 ms and a file at every cap (bounds.go) in under half a
// second, so the deadline is only met by something the caps did not foresee;
// it turns that into a finding instead of a hang. It is wall-clock time, so
// it leaves room for a machine under heavy load (a load average of 10 on 2
// cores stretched checks past 2 s): a verdict must not depend on how busy
// the machine was.
const DefaultFileDeadline = 10 * time.Second

// filesPerContext is how many files are evaluated in one CUE context before
// the schema is compiled afresh (about 1 ms): a context keeps every value
// built in it alive (cue-lang/cue#1424), and a fresh one per batch halves
// peak memory at the same speed.
const filesPerContext = 64

// evaluator is the compiled schema in a CUE context of its own.
type evaluator struct {
	ctx  *cue.Context
	defs map[string]cue.Value
	// fast is the schema's fast validator, nil when there is none.
	fast *fastSchema
}

// checked is the outcome of checking one file.
type checked struct {
	doc      *Document
	findings []finding.Finding
	// omitted counts problems found but not kept (bounds.go: maxErrors).
	omitted int
	// late reports that the check ran out of its deadline.
	late bool
	// fast reports that the fast validator accepted the file (fast.go).
	fast bool
	// unread reports that no result was at hand for a file not read
	// (Set.readUnread reads and checks it): never kept.
	unread bool
	// failed reports that the check panicked (a bug in the checker or
	// in CUE on this input): the file is not judged, and says so.
	failed bool
}

// CheckFile parses and validates one plan file on its own, under
// DefaultFileDeadline. It returns the document (nil when the file is not
// readable data) and its findings, at most maxErrors of them and a last one
// that counts the rest. It never panics on any input.
func (s *Schema) CheckFile(name string, src []byte) (*Document, []finding.Finding) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, _ := s.checkFile(context.Background(), name, src, DefaultFileDeadline)
	return r.doc, limitFindings(r.findings, map[string]int{name: r.omitted})
}

// checkFile checks one file under a deadline. CUE evaluation cannot be
// interrupted, so the check runs in a goroutine that is abandoned when the
// deadline passes or ctx is done: it runs on to the end of its evaluation,
// holding its CPU and memory until then, and the schema's context it uses
// is replaced, since a context is not safe for concurrent use. The caps in
// bounds.go are what keep an abandoned evaluation short and rare; the error
// is ctx's.
func (s *Schema) checkFile(ctx context.Context, name string, src []byte, deadline time.Duration) (checked, error) {
	if err := ctx.Err(); err != nil {
		return checked{}, err
	}
	if s.ev == nil {
		ev, err := compile(s.sources)
		if err != nil {
			return checked{}, err
		}
		ev.fast = s.fast
		s.ev = ev
	}
	ev := s.ev
	if s.evaluated++; s.evaluated >= filesPerContext {
		s.dropContext()
	}
	done := make(chan checked, 1) // buffered: an abandoned check must not block
	start := time.Now()
	go func() {
		// This goroutine is the check's own: a panic in it would end
		// the process (a whole server), and no caller could recover it.
		defer func() {
			if p := recover(); p != nil {
				done <- panicked(name, p)
			}
		}()
		if testHookCheck != nil {
			testHookCheck(name)
		}
		done <- ev.check(name, src)
	}()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.failed {
			// The context may be half-way through an evaluation.
			s.dropContext()
		}
		// Late is late, however the race between the two fell: the
		// outcome does not depend on scheduling.
		if time.Since(start) <= deadline {
			return r, nil
		}
	case <-timer.C:
		s.dropContext()
	case <-ctx.Done():
		s.dropContext()
		return checked{}, ctx.Err()
	}
	return checked{late: true, findings: []finding.Finding{{Rule: "S00", Severity: finding.Error,
		Message:  fmt.Sprintf("checking this file took longer than %v, the limit for one plan file: a plan is far smaller and simpler; remove what is not plan data", deadline),
		Location: finding.Location{File: name}}}}, nil
}

// testHookCheck, when set by a test, runs at the start of every check in
// the check's own goroutine.
var testHookCheck func(name string)

// panicked is the outcome of a check that panicked: one S00 finding that
// says the file was not judged, so it can never pass by a checker's fault.
func panicked(name string, p any) checked {
	msg := fmt.Sprint(p)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return checked{failed: true, findings: []finding.Finding{{Rule: "S00", Severity: finding.Error,
		Message:  "this file could not be checked: the checker failed on it (" + msg + "); it is not judged until that is fixed, so report it with the file",
		Location: finding.Location{File: name}}}}
}

// dropContext lets go of the schema's CUE context; the next file compiles
// the schema afresh.
func (s *Schema) dropContext() { s.ev, s.evaluated = nil, 0 }

// check parses and validates one file: bounded first (bounds.go), then
// refused unless it is plain data, then evaluated against its kind's
// definition.
func (ev *evaluator) check(name string, src []byte) checked {
	var out checked
	add := func(rule string, pos position, path []string, msg string) {
		f := finding.Finding{Rule: rule, Severity: finding.Error, Message: msg,
			Location: finding.Location{File: name, Path: DisplayPath(path)}}
		if pos.valid() {
			f.Line, f.Column = int(pos.line), int(pos.col)
		}
		out.findings = append(out.findings, f)
	}
	addAll := func(ps []problem) {
		for _, p := range ps {
			add("S00", at(p.pos), nil, p.msg)
		}
	}
	sc := prescan(name, src)
	if sc.nLexical > maxErrors && sc.capped == nil {
		addAll(sc.lexical)
		out.omitted = sc.nLexical - len(sc.lexical)
		return out
	}
	addAll(sc.numbers)
	out.omitted = sc.nNumbers - len(sc.numbers)
	if sc.capped != nil {
		addAll([]problem{*sc.capped})
		return out
	}
	if len(out.findings) == 0 && ev.fast != nil {
		// A plan in the plain spelling is read in one pass
		// (plaindata.go) and, when the fast validator accepts it, never
		// parsed or evaluated by CUE: what CUE would have built and said.
		if m, index, ok := readPlainData(src); ok {
			if kind, _ := m["kind"].(string); ev.defs[kind].Exists() && ev.fast.accepts(kind, m) {
				doc := &Document{File: name, index: index, Data: m, Kind: kind, Org: str(m["org"]), Year: str(m["year"])}
				out.fast, out.doc = true, doc
				ev.finish(&out, doc, add)
				return out
			}
		}
	}
	file, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		for _, e := range cueerrors.Errors(err) {
			add("S00", at(e.Position()), nil, "not valid CUE: "+errMsg(e))
		}
		return out
	}
	in := inspectFile(file)
	addAll(in.problems)
	if len(out.findings) > 0 {
		return out
	}
	doc := &Document{File: name, index: in.index}
	m, plain := dataOf(file)
	if plain {
		if kind, _ := m["kind"].(string); ev.defs[kind].Exists() && plainNumbers(file) && ev.fast.accepts(kind, m) {
			// CUE would accept the file: say so without evaluating it.
			out.fast = true
			doc.Data = m
			out.doc = doc
			doc.Kind, doc.Org, doc.Year = kind, str(m["org"]), str(m["year"])
			ev.finish(&out, doc, add)
			return out
		}
	}
	data := ev.ctx.BuildFile(file)
	if plain {
		doc.Data = m
	} else {
		// Not plain JSON data: CUE evaluates the file alone to say what
		// it means, or what is wrong with it.
		if err := data.Err(); err != nil {
			for _, e := range cueerrors.Errors(err) {
				add("S00", at(e.Position()), trimDefs(e.Path()), errMsg(e))
			}
			return out
		}
		if err := decode(data, &doc.Data); err != nil {
			add("S00", at(file.Pos()), nil, fmt.Sprintf("cannot export data: %v", err))
			return out
		}
	}
	out.doc = doc
	doc.Kind, _ = doc.Data["kind"].(string)
	doc.Org, _ = doc.Data["org"].(string)
	doc.Year, _ = doc.Data["year"].(string)
	def, ok := ev.defs[doc.Kind]
	if !ok {
		pos := in.index[pathKey([]string{"kind"})]
		if !pos.valid() {
			pos = at(file.Pos())
		}
		add("S03", pos, []string{"kind"}, fmt.Sprintf("kind must be one of %s; got %q", strings.Join(ev.kindNames(), ", "), doc.Kind))
		return out
	}
	verrs := mergeDisjunctions(ev.validate(def, data))
	for i := range verrs {
		rule, pos, msg := classify(doc, &verrs[i])
		add(rule, pos, verrs[i].path, msg)
	}
	out.findings = dedupe(out.findings)
	ev.finish(&out, doc, add)
	return out
}

// finish ends a check once the schema has judged the file, by CUE or by
// the fast validator: a document without findings has the organisations
// it names read. add appends to out.
func (ev *evaluator) finish(out *checked, doc *Document, add func(string, position, []string, string)) {
	if len(out.findings) == 0 {
		refs, err := readRefs(doc.Kind, doc.Data)
		if err != nil {
			// The index holds the file's own position at its root.
			add("S03", doc.index[""], nil, fmt.Sprintf("cannot read the organisations this %s names: %v", kindNoun(doc.Kind), err))
		}
		doc.refs = refs
	}
	doc.Valid = len(out.findings) == 0
}

func str(v any) string {
	s, _ := v.(string)
	return s
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
func (ev *evaluator) validate(def, data cue.Value) []verr {
	all := collect(def.Unify(data).Validate(cue.Concrete(true)), nil)
	if len(all) == 0 {
		return nil
	}
	base := ev.ctx.CompileString("{}")
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
