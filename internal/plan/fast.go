package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
	"github.com/cockroachdb/apd/v3"
)

// A fast validator answers, for a plain-data file, "CUE would accept this
// file with no error at all" without evaluating it: CUE's evaluator spends
// most of a national check saying "valid" about files that are. It is
// compiled from the schema's syntax for the small part of CUE the schema
// uses (closed definitions, embedding, required, optional and pattern
// fields, conjunctions, disjunctions of scalars with defaults, regular
// expressions, bounds, the basic types, lists, and the if and for forms of
// #ProviderPlan and #Explanation). Anything else in a definition makes that
// kind's validator unavailable, so a schema change can make the fast path
// slower, never wrong. It only ever accepts: a file it does not accept is
// validated by CUE as if there were no fast validator, so every finding is
// CUE's.

// fastSchema holds the validator of each document kind the schema's
// syntax could be compiled for. It is immutable once built and shared by
// every copy of the schema a load compiles for its workers.
type fastSchema struct {
	kinds map[string]*fnode
	// skipped says, by kind, why a kind has no fast validator.
	skipped map[string]string
}

// accepts reports whether the kind's validator exists and accepts data.
func (fs *fastSchema) accepts(kind string, data map[string]any) bool {
	if fs == nil {
		return false
	}
	n := fs.kinds[kind]
	if n == nil {
		return false
	}
	var c checker
	return c.value(n, data, nil)
}

type op uint8

const (
	opTop    op = iota // _
	opKind             // int, number, string, bool, null
	opLit              // a literal string, bool or number
	opRegex            // =~"..."
	opBound            // >=, <=, >, < a number
	opConj             // a & b
	opDisj             // a | b, scalars only
	opStruct           // a closed (or open) struct
	opList             // [a, b] or [a, ...b]
)

type valueKind uint8

const (
	kInt valueKind = iota + 1
	kNumber
	kString
	kBool
	kNull
)

// fnode is one compiled constraint.
type fnode struct {
	op   op
	kind valueKind // opKind; opLit: kString, kBool, kInt or kNumber (a float)
	str  string
	b    bool
	num  *apd.Decimal // opLit numbers, opBound
	rel  token.Token  // opBound
	re   *regexp.Regexp
	subs []*fnode // opConj, opDisj
	dflt *fnode   // opDisj: the *default, a literal
	st   *fstruct
	// opList: elems then, when open, every further element against rest.
	elems []*fnode
	rest  *fnode
	open  bool
	// inline marks a struct written in place rather than a reference to
	// a definition: CUE closes the declarations of one field written in
	// place in one definition together, allowing the fields of each, and
	// a definition on its own.
	inline bool
}

// fstruct is a struct literal with its embeddings merged in.
type fstruct struct {
	fields   []ffield
	patterns []fpattern
	comps    []*fcomp
	open     bool
}

// ffield is one field declaration; dyn names the for-clause key that is
// its label when the label is (key).
type ffield struct {
	name       string
	dyn        string
	constraint token.Token
	value      *fnode
	// origin is the definition whose syntax declares the field: only
	// declarations of one definition are closed together.
	origin string
}

type fpattern struct {
	label, value *fnode
}

// fcomp is an if or for comprehension whose body adds declarations to the
// struct it stands in.
type fcomp struct {
	cond *fcond // an if clause
	// A for clause: iterate the keys of the struct at path (in the data of
	// the enclosing struct), binding each to key.
	path []string
	key  string
	body *fstruct
}

// fcond is a condition over sibling fields: a field reference, a literal,
// ==, !=, !, && or ||.
type fcond struct {
	op   token.Token // token.IDENT, token.STRING, token.TRUE..., or an operator
	name string      // IDENT: the field
	lit  any         // a literal's value
	x, y *fcond
}

// errOutside marks syntax outside the subset the fast validator handles.
var errOutside = errors.New("outside the fast subset")

func outside(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errOutside, fmt.Sprintf(format, args...))
}

// compileFast builds the fast validators from the schema's sources. It
// never fails: a kind it cannot compile is listed in skipped.
func compileFast(sources []source) *fastSchema {
	fs := &fastSchema{kinds: map[string]*fnode{}, skipped: map[string]string{}}
	c := &fcompiler{defs: map[string][]ast.Expr{}, done: map[string]*fnode{}, busy: map[string]bool{}, scopes: nil}
	skipAll := func(why string) *fastSchema {
		for kind := range kinds {
			fs.skipped[kind] = why
		}
		return fs
	}
	pkg := ""
	top := map[string]bool{}
	for _, s := range sources {
		f, err := parser.ParseFile(s.name, s.src)
		if err != nil {
			return skipAll("schema does not parse")
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.Package:
				if pkg != "" && pkg != d.Name.Name {
					return skipAll("schema files name different packages")
				}
				pkg = d.Name.Name
			case *ast.ImportDecl:
				for _, spec := range d.Specs {
					// The imported name shadows nothing the validator
					// resolves only when it is refused wherever used.
					name := ""
					if spec.Name != nil {
						name = spec.Name.Name
					} else if p, err := literal.Unquote(spec.Path.Value); err == nil {
						name = p[strings.LastIndex(p, "/")+1:]
						name, _, _ = strings.Cut(name, "@")
					}
					c.unresolved = append(c.unresolved, name)
				}
			case *ast.Field:
				name, _, err := ast.LabelName(d.Label)
				if err != nil || d.Alias != nil {
					return skipAll("schema has a computed or aliased top-level label")
				}
				top[name] = true
				if strings.HasPrefix(name, "#") {
					if d.Constraint != token.ILLEGAL {
						c.defs[name] = append(c.defs[name], &ast.BadExpr{})
					}
					c.defs[name] = append(c.defs[name], d.Value)
				}
			case *ast.EmbedDecl, *ast.CommentGroup:
				// The package root's own value (document.cue embeds
				// #Document) does not change the definitions the
				// validators are compiled from.
			case *ast.LetClause:
				if d.Ident != nil {
					c.unresolved = append(c.unresolved, d.Ident.Name)
				}
			default:
				// Attributes (@if, @extern) and anything else may change
				// what the package is.
				return skipAll(fmt.Sprintf("schema has a top-level %T", d))
			}
		}
	}
	c.top = top
	for kind, def := range kinds {
		if _, ok := c.defs[def]; !ok {
			continue // LoadSchema reports a missing definition
		}
		n, err := c.def(def)
		if err != nil {
			fs.skipped[kind] = err.Error()
			continue
		}
		fs.kinds[kind] = n
	}
	return fs
}

type fcompiler struct {
	defs map[string][]ast.Expr
	done map[string]*fnode
	// failed remembers why a definition could not be compiled.
	failed map[string]error
	busy   map[string]bool
	// top holds the package's top-level labels; unresolved the names an
	// import or a let binds, which refer to something the validator does
	// not model.
	top        map[string]bool
	unresolved []string
	// scopes are the names declared by the struct literals enclosing the
	// expression being compiled, innermost last, and the for-clause keys.
	scopes []map[string]bool
	// origin is the definition being compiled.
	origin string
}

func (c *fcompiler) def(name string) (*fnode, error) {
	if n, ok := c.done[name]; ok {
		return n, nil
	}
	if err := c.failed[name]; err != nil {
		return nil, err
	}
	if c.busy[name] {
		return nil, outside("%s refers to itself", name)
	}
	exprs, ok := c.defs[name]
	if !ok {
		return nil, outside("%s is not defined in the schema", name)
	}
	c.busy[name] = true
	saved, savedOrigin := c.scopes, c.origin
	c.scopes, c.origin = nil, name // a definition's value sees only the package scope
	n, err := c.conjuncts(exprs)
	c.scopes, c.origin = saved, savedOrigin
	delete(c.busy, name)
	if err != nil {
		err = fmt.Errorf("%s: %w", name, err)
		if c.failed == nil {
			c.failed = map[string]error{}
		}
		c.failed[name] = err
		return nil, err
	}
	if n.inline {
		ref := *n
		ref.inline = false
		n = &ref
	}
	c.done[name] = n
	return n, nil
}

func (c *fcompiler) conjuncts(exprs []ast.Expr) (*fnode, error) {
	var subs []*fnode
	for _, e := range exprs {
		n, err := c.expr(e)
		if err != nil {
			return nil, err
		}
		subs = append(subs, n)
	}
	if len(subs) == 1 {
		return subs[0], nil
	}
	return &fnode{op: opConj, subs: subs}, nil
}

// declared reports whether a name is bound by an enclosing struct literal,
// comprehension, import or let: then it is not what the package-level
// definition or the predeclared identifier of that name means.
func (c *fcompiler) declared(name string) bool {
	for _, s := range c.scopes {
		if s[name] {
			return true
		}
	}
	for _, u := range c.unresolved {
		if u == name {
			return true
		}
	}
	return false
}

func (c *fcompiler) expr(x ast.Expr) (*fnode, error) {
	switch x := x.(type) {
	case *ast.ParenExpr:
		return c.expr(x.X)
	case *ast.Ident:
		return c.ident(x.Name)
	case *ast.BasicLit:
		return literalNode(x, false)
	case *ast.UnaryExpr:
		switch x.Op {
		case token.SUB:
			if lit, ok := x.X.(*ast.BasicLit); ok && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
				return literalNode(lit, true)
			}
		case token.MAT:
			if lit, ok := x.X.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := stringLit(lit)
				if err != nil {
					return nil, err
				}
				re, err := regexp.Compile(s)
				if err != nil {
					return nil, outside("regular expression %q: %v", s, err)
				}
				return &fnode{op: opRegex, re: re}, nil
			}
		case token.GEQ, token.LEQ, token.GTR, token.LSS:
			lit, neg := x.X, false
			if u, ok := lit.(*ast.UnaryExpr); ok && u.Op == token.SUB {
				lit, neg = u.X, true
			}
			if b, ok := lit.(*ast.BasicLit); ok && (b.Kind == token.INT || b.Kind == token.FLOAT) {
				n, err := literalNode(b, neg)
				if err != nil {
					return nil, err
				}
				return &fnode{op: opBound, rel: x.Op, num: n.num}, nil
			}
		}
		return nil, outside("operator %s", x.Op)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.AND:
			a, err := c.expr(x.X)
			if err != nil {
				return nil, err
			}
			b, err := c.expr(x.Y)
			if err != nil {
				return nil, err
			}
			return &fnode{op: opConj, subs: []*fnode{a, b}}, nil
		case token.OR:
			return c.disjunction(x)
		}
		return nil, outside("operator %s", x.Op)
	case *ast.StructLit:
		st, err := c.structLit(x.Elts)
		if err != nil {
			return nil, err
		}
		return &fnode{op: opStruct, st: st, inline: true}, nil
	case *ast.ListLit:
		n := &fnode{op: opList}
		for i, e := range x.Elts {
			if el, ok := e.(*ast.Ellipsis); ok {
				if i != len(x.Elts)-1 {
					return nil, outside("... before the end of a list")
				}
				n.open, n.rest = true, &fnode{op: opTop}
				if el.Type != nil {
					r, err := c.expr(el.Type)
					if err != nil {
						return nil, err
					}
					n.rest = r
				}
				continue
			}
			en, err := c.expr(e)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, en)
		}
		return n, nil
	case *ast.SelectorExpr:
		// #Year.year: a field of a definition.
		id, ok := x.X.(*ast.Ident)
		sel, ok2 := x.Sel.(*ast.Ident)
		if !ok || !ok2 || !strings.HasPrefix(id.Name, "#") || c.declared(id.Name) {
			return nil, outside("selector %T", x.X)
		}
		d, err := c.def(id.Name)
		if err != nil {
			return nil, err
		}
		if d.op != opStruct || len(d.st.comps) > 0 {
			return nil, outside("selector into %s", id.Name)
		}
		var subs []*fnode
		for _, f := range d.st.fields {
			if f.name == sel.Name && f.dyn == "" {
				subs = append(subs, f.value)
			}
		}
		if len(subs) == 0 {
			return nil, outside("%s has no field %s", id.Name, sel.Name)
		}
		if len(subs) == 1 {
			return subs[0], nil
		}
		return &fnode{op: opConj, subs: subs}, nil
	}
	return nil, outside("expression %T", x)
}

func (c *fcompiler) ident(name string) (*fnode, error) {
	if c.declared(name) {
		return nil, outside("reference to %s, bound inside the schema", name)
	}
	if strings.HasPrefix(name, "#") {
		return c.def(name)
	}
	if c.top[name] {
		return nil, outside("reference to top-level field %s", name)
	}
	switch name {
	case "_":
		return &fnode{op: opTop}, nil
	case "int":
		return &fnode{op: opKind, kind: kInt}, nil
	case "number":
		return &fnode{op: opKind, kind: kNumber}, nil
	case "string":
		return &fnode{op: opKind, kind: kString}, nil
	case "bool":
		return &fnode{op: opKind, kind: kBool}, nil
	case "null":
		return &fnode{op: opKind, kind: kNull}, nil
	case "true", "false":
		return &fnode{op: opLit, kind: kBool, b: name == "true"}, nil
	}
	return nil, outside("reference to %s", name)
}

func (c *fcompiler) disjunction(x *ast.BinaryExpr) (*fnode, error) {
	var alts []ast.Expr
	var flatten func(e ast.Expr)
	flatten = func(e ast.Expr) {
		if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.OR {
			flatten(b.X)
			flatten(b.Y)
			return
		}
		alts = append(alts, e)
	}
	flatten(x)
	n := &fnode{op: opDisj}
	for _, a := range alts {
		isDefault := false
		if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.MUL {
			a, isDefault = u.X, true
		}
		an, err := c.expr(a)
		if err != nil {
			return nil, err
		}
		if !scalar(an) {
			return nil, outside("disjunction of structs or lists")
		}
		if isDefault {
			if n.dflt != nil || an.op != opLit {
				return nil, outside("default that is not one literal")
			}
			n.dflt = an
		}
		n.subs = append(n.subs, an)
	}
	return n, nil
}

// scalar reports that n constrains only scalars.
func scalar(n *fnode) bool {
	switch n.op {
	case opKind, opLit, opRegex, opBound:
		return true
	case opConj, opDisj:
		for _, s := range n.subs {
			if !scalar(s) {
				return false
			}
		}
		return true
	}
	return false
}

func stringLit(lit *ast.BasicLit) (string, error) {
	q, start, _, err := literal.ParseQuotes(lit.Value, lit.Value)
	if err != nil || !q.IsDouble() {
		return "", outside("string literal %s", lit.Value)
	}
	s, err := q.Unquote(lit.Value[start:])
	if err != nil {
		return "", outside("string literal %s", lit.Value)
	}
	return s, nil
}

func literalNode(lit *ast.BasicLit, neg bool) (*fnode, error) {
	switch lit.Kind {
	case token.STRING:
		if neg {
			break
		}
		s, err := stringLit(lit)
		if err != nil {
			return nil, err
		}
		return &fnode{op: opLit, kind: kString, str: s}, nil
	case token.TRUE, token.FALSE:
		if neg {
			break
		}
		return &fnode{op: opLit, kind: kBool, b: lit.Kind == token.TRUE}, nil
	case token.NULL:
		if neg {
			break
		}
		return &fnode{op: opKind, kind: kNull}, nil
	case token.INT, token.FLOAT:
		// Only plain decimals: CUE's other spellings (0x, 1K, 1e3) have
		// kinds and values the validator does not model.
		if !plainDecimal(lit.Value, lit.Kind == token.FLOAT) {
			return nil, outside("number %s", lit.Value)
		}
		d, _, err := apd.NewFromString(lit.Value)
		if err != nil {
			return nil, outside("number %s", lit.Value)
		}
		if neg {
			d.Neg(d)
		}
		k := kInt
		if lit.Kind == token.FLOAT {
			k = kNumber
		}
		return &fnode{op: opLit, kind: k, num: d}, nil
	}
	return nil, outside("literal %s", lit.Value)
}

// plainDecimal reports that s is an integer with no leading zero or, when
// float, such an integer, a point and at least one digit.
func plainDecimal(s string, float bool) bool {
	whole, frac, dot := strings.Cut(s, ".")
	if dot != float || whole == "" || (float && frac == "") {
		return false
	}
	if len(whole) > 1 && whole[0] == '0' {
		return false
	}
	return allDigits(whole) && allDigits(frac)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// structLit compiles a struct literal's declarations, merging embedded
// definitions into it as CUE does (their fields are allowed in it).
func (c *fcompiler) structLit(decls []ast.Decl) (*fstruct, error) {
	scope := map[string]bool{}
	for _, d := range decls {
		if f, ok := d.(*ast.Field); ok {
			if name, _, err := ast.LabelName(f.Label); err == nil {
				scope[name] = true
			}
		}
	}
	c.scopes = append(c.scopes, scope)
	defer func() { c.scopes = c.scopes[:len(c.scopes)-1] }()
	st := &fstruct{}
	for _, d := range decls {
		switch d := d.(type) {
		case *ast.CommentGroup:
		case *ast.Field:
			if d.Alias != nil {
				return nil, outside("aliased field")
			}
			for _, a := range d.Attrs {
				// Field attributes such as @ref annotate; only @embed
				// (and anything unknown to come) could change a value.
				if k, _ := a.Split(); k == "embed" {
					return nil, outside("@embed")
				}
			}
			v, err := c.expr(d.Value)
			if err != nil {
				return nil, err
			}
			switch l := d.Label.(type) {
			case *ast.ListLit:
				if len(l.Elts) != 1 || d.Constraint != token.ILLEGAL {
					return nil, outside("pattern label")
				}
				ln, err := c.expr(l.Elts[0])
				if err != nil {
					return nil, err
				}
				if !scalar(ln) && ln.op != opTop {
					return nil, outside("pattern label that is not a scalar constraint")
				}
				st.patterns = append(st.patterns, fpattern{label: ln, value: v})
			case *ast.ParenExpr:
				id, ok := l.X.(*ast.Ident)
				if !ok || !c.forKey(id.Name) {
					return nil, outside("dynamic label")
				}
				st.fields = append(st.fields, ffield{dyn: id.Name, constraint: d.Constraint, value: v, origin: c.origin})
			default:
				name, ok, err := ast.LabelName(d.Label)
				if err != nil || !ok || strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_") {
					return nil, outside("label %v", d.Label)
				}
				st.fields = append(st.fields, ffield{name: name, constraint: d.Constraint, value: v, origin: c.origin})
			}
		case *ast.EmbedDecl:
			n, err := c.expr(d.Expr)
			if err != nil {
				return nil, err
			}
			if n.op != opStruct {
				return nil, outside("embedding of a non-struct")
			}
			// An embedded open struct would leave this one open: the
			// validator keeps it closed, which only accepts less.
			st.fields = append(st.fields, n.st.fields...)
			st.patterns = append(st.patterns, n.st.patterns...)
			st.comps = append(st.comps, n.st.comps...)
		case *ast.Ellipsis:
			if d.Type != nil {
				return nil, outside("typed ... in a struct")
			}
			st.open = true
		case *ast.Comprehension:
			comp, err := c.comprehension(d, st)
			if err != nil {
				return nil, err
			}
			st.comps = append(st.comps, comp)
		default:
			return nil, outside("declaration %T", d)
		}
	}
	return st, c.checkComps(st)
}

// forKey reports whether name is a for-clause key in scope.
func (c *fcompiler) forKey(name string) bool {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		if c.scopes[i]["\x00for:"+name] {
			return true
		}
		if c.scopes[i][name] {
			return false
		}
	}
	return false
}

func (c *fcompiler) comprehension(d *ast.Comprehension, st *fstruct) (*fcomp, error) {
	if d.Fallback != nil || len(d.Clauses) != 1 {
		return nil, outside("comprehension form")
	}
	body, ok := d.Value.(*ast.StructLit)
	if !ok {
		return nil, outside("comprehension value")
	}
	for _, e := range body.Elts {
		if _, nested := e.(*ast.Comprehension); nested {
			return nil, outside("nested comprehension")
		}
	}
	comp := &fcomp{}
	switch cl := d.Clauses[0].(type) {
	case *ast.IfClause:
		cond, err := c.cond(cl.Condition, st)
		if err != nil {
			return nil, err
		}
		comp.cond = cond
		b, err := c.structLit(body.Elts)
		if err != nil {
			return nil, err
		}
		comp.body = b
	case *ast.ForClause:
		if cl.Key == nil || cl.Value == nil || cl.Value.Name != "_" || cl.Key.Name == "_" {
			return nil, outside("for clause form")
		}
		path, err := c.fieldPath(cl.Source)
		if err != nil {
			return nil, err
		}
		comp.path, comp.key = path, cl.Key.Name
		c.scopes = append(c.scopes, map[string]bool{"\x00for:" + cl.Key.Name: true, cl.Key.Name: false})
		b, err := c.structLit(body.Elts)
		c.scopes = c.scopes[:len(c.scopes)-1]
		if err != nil {
			return nil, err
		}
		comp.body = b
	default:
		return nil, outside("comprehension clause %T", cl)
	}
	if len(comp.body.comps) > 0 {
		return nil, outside("nested comprehension")
	}
	return comp, nil
}

// fieldPath reads a for clause's source: a sibling field and selectors.
func (c *fcompiler) fieldPath(x ast.Expr) ([]string, error) {
	switch x := x.(type) {
	case *ast.Ident:
		if !c.sibling(x.Name) {
			return nil, outside("for over %s", x.Name)
		}
		return []string{x.Name}, nil
	case *ast.SelectorExpr:
		p, err := c.fieldPath(x.X)
		if err != nil {
			return nil, err
		}
		sel, ok := x.Sel.(*ast.Ident)
		if !ok || strings.HasPrefix(sel.Name, "#") || strings.HasPrefix(sel.Name, "_") {
			return nil, outside("for over a selector")
		}
		return append(p, sel.Name), nil
	}
	return nil, outside("for over %T", x)
}

// sibling reports that name is a field of the innermost struct literal
// and nothing nearer (a for key) hides it.
func (c *fcompiler) sibling(name string) bool {
	if len(c.scopes) == 0 || strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_") {
		return false
	}
	return c.scopes[len(c.scopes)-1][name]
}

func (c *fcompiler) cond(x ast.Expr, st *fstruct) (*fcond, error) {
	switch x := x.(type) {
	case *ast.ParenExpr:
		return c.cond(x.X, st)
	case *ast.Ident:
		if c.sibling(x.Name) {
			return &fcond{op: token.IDENT, name: x.Name}, nil
		}
		if (x.Name == "true" || x.Name == "false") && !c.declared(x.Name) {
			return &fcond{op: token.TRUE, lit: x.Name == "true"}, nil
		}
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			s, err := stringLit(x)
			if err != nil {
				return nil, err
			}
			return &fcond{op: token.STRING, lit: s}, nil
		case token.TRUE, token.FALSE:
			return &fcond{op: token.TRUE, lit: x.Kind == token.TRUE}, nil
		}
	case *ast.UnaryExpr:
		if x.Op == token.NOT {
			a, err := c.cond(x.X, st)
			if err != nil {
				return nil, err
			}
			return &fcond{op: token.NOT, x: a}, nil
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case token.EQL, token.NEQ, token.LAND, token.LOR:
			a, err := c.cond(x.X, st)
			if err != nil {
				return nil, err
			}
			b, err := c.cond(x.Y, st)
			if err != nil {
				return nil, err
			}
			return &fcond{op: x.Op, x: a, y: b}, nil
		}
	}
	return nil, outside("condition %T", x)
}

// checkComps refuses comprehensions whose meaning the validator would get
// wrong: a condition on a field a comprehension also declares, or a for
// over a struct that could hold a field the data lacks (a default).
func (c *fcompiler) checkComps(st *fstruct) error {
	bodyDeclares := func(name string) bool {
		for _, comp := range st.comps {
			for _, f := range comp.body.fields {
				if f.name == name || f.dyn != "" {
					return true
				}
			}
		}
		return false
	}
	var refs func(cd *fcond) error
	refs = func(cd *fcond) error {
		if cd == nil {
			return nil
		}
		if cd.op == token.IDENT {
			if bodyDeclares(cd.name) {
				return outside("condition on %s, which a comprehension declares", cd.name)
			}
			if _, err := fieldDefault(st, cd.name); err != nil {
				return err
			}
		}
		if err := refs(cd.x); err != nil {
			return err
		}
		return refs(cd.y)
	}
	for _, comp := range st.comps {
		if err := refs(comp.cond); err != nil {
			return err
		}
		if comp.path != nil && !keysOnly(st, comp.path) {
			return outside("for over %s, a struct with fields of its own", strings.Join(comp.path, "."))
		}
	}
	return nil
}

// keysOnly reports that every declaration of the struct at path declares
// patterns only, so its fields are exactly the data's.
func keysOnly(st *fstruct, path []string) bool {
	var decls []*fnode
	for _, f := range st.fields {
		if f.dyn != "" {
			return false
		}
		if f.name == path[0] {
			decls = append(decls, f.value)
		}
	}
	for _, comp := range st.comps {
		for _, f := range comp.body.fields {
			if f.dyn != "" {
				return false
			}
			if f.name == path[0] {
				decls = append(decls, f.value)
			}
		}
	}
	if len(decls) == 0 {
		return false
	}
	var structs []*fstruct
	var gather func(n *fnode) bool
	gather = func(n *fnode) bool {
		switch n.op {
		case opStruct:
			structs = append(structs, n.st)
			return true
		case opConj:
			for _, s := range n.subs {
				if !gather(s) {
					return false
				}
			}
			return true
		case opTop:
			return true
		}
		return false
	}
	for _, d := range decls {
		if !gather(d) {
			return false
		}
	}
	for _, s := range structs {
		if len(path) > 1 {
			if !keysOnly(s, path[1:]) {
				return false
			}
			continue
		}
		if len(s.fields) > 0 || len(s.comps) > 0 {
			return false
		}
	}
	return true
}

// fieldDefault is the value a condition reads for a field the data lacks:
// its one default, or nil when it has none (the data must then hold it).
func fieldDefault(st *fstruct, name string) (*fnode, error) {
	var d *fnode
	for _, f := range st.fields {
		if f.name != name {
			continue
		}
		if fd := nodeDefault(f.value); fd != nil {
			if d != nil {
				return nil, outside("field %s has more than one default", name)
			}
			d = fd
		}
	}
	return d, nil
}

// nodeDefault is n's default literal, or nil.
func nodeDefault(n *fnode) *fnode {
	switch n.op {
	case opDisj:
		return n.dflt
	case opConj:
		var d *fnode
		for _, s := range n.subs {
			if sd := nodeDefault(s); sd != nil {
				if d != nil {
					return nil // two defaults: CUE may find none
				}
				d = sd
			}
		}
		return d
	}
	return nil
}

// checker validates data against compiled nodes. It holds the scratch
// decimals of number comparisons.
type checker struct {
	d apd.Decimal
}

// env binds for-clause keys to the data's labels.
type env struct {
	name, value string
	up          *env
}

func (e *env) lookup(name string) (string, bool) {
	for ; e != nil; e = e.up {
		if e.name == name {
			return e.value, true
		}
	}
	return "", false
}

func (c *checker) value(n *fnode, v any, e *env) bool {
	switch n.op {
	case opTop:
		return true
	case opKind:
		switch n.kind {
		case kInt:
			s, ok := v.(json.Number)
			return ok && intSpelling(string(s))
		case kNumber:
			s, ok := v.(json.Number)
			return ok && c.parse(string(s))
		case kString:
			_, ok := v.(string)
			return ok
		case kBool:
			_, ok := v.(bool)
			return ok
		case kNull:
			return v == nil
		}
		return false
	case opLit:
		switch n.kind {
		case kString:
			s, ok := v.(string)
			return ok && s == n.str
		case kBool:
			b, ok := v.(bool)
			return ok && b == n.b
		case kInt, kNumber:
			s, ok := v.(json.Number)
			if !ok || intSpelling(string(s)) != (n.kind == kInt) || !c.parse(string(s)) {
				return false
			}
			return c.d.Cmp(n.num) == 0
		}
		return false
	case opRegex:
		s, ok := v.(string)
		return ok && n.re.MatchString(s)
	case opBound:
		s, ok := v.(json.Number)
		if !ok || !c.parse(string(s)) {
			return false
		}
		r := c.d.Cmp(n.num)
		switch n.rel {
		case token.GEQ:
			return r >= 0
		case token.LEQ:
			return r <= 0
		case token.GTR:
			return r > 0
		case token.LSS:
			return r < 0
		}
		return false
	case opConj:
		for _, s := range n.subs {
			if !c.value(s, v, e) {
				return false
			}
		}
		return true
	case opDisj:
		for _, s := range n.subs {
			if c.value(s, v, e) {
				return true
			}
		}
		return false
	case opList:
		l, ok := v.([]any)
		if !ok || len(l) < len(n.elems) || (!n.open && len(l) != len(n.elems)) {
			return false
		}
		for i, x := range l {
			el := n.rest
			if i < len(n.elems) {
				el = n.elems[i]
			}
			if !c.value(el, x, e) {
				return false
			}
		}
		return true
	case opStruct:
		m, ok := v.(map[string]any)
		return ok && c.structOK([]part{{n.st, e}}, m)
	}
	return false
}

// intSpelling reports whether a number as dataOf spells it is an int: CUE
// exports floats with a point or an exponent, and the hook only lets
// through files whose float literals keep their point (plainNumbers).
func intSpelling(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	return s != "" && allDigits(s)
}

func (c *checker) parse(s string) bool {
	_, _, err := c.d.SetString(s)
	return err == nil && c.d.Form == apd.Finite
}

// bound is a field declaration with its label resolved.
type bound struct {
	name       string
	constraint token.Token
	value      *fnode
	env        *env
	origin     string
}

// part is one declaration of a struct: its syntax and the for-clause keys
// in force where it was declared.
type part struct {
	st *fstruct
	e  *env
}

// structOK validates the data m against the declarations of one struct
// that CUE closes together: one definition's struct, or the declarations
// of one field written in place in one definition.
func (c *checker) structOK(parts []part, m map[string]any) bool {
	var decls []bound
	open := true
	for _, p := range parts {
		if !c.declsOf(parts, p.st, m, p.e, &decls) {
			return false
		}
		open = open && p.st.open
	}
	// Every declared field: present, or optional, or with a default.
	for _, d := range decls {
		if _, ok := m[d.name]; ok || d.constraint == token.OPTION {
			continue
		}
		if d.constraint == token.NOT || !c.defaulted(decls, d.name) {
			return false
		}
	}
	// A struct of many declarations (a comprehension's, one per key of a
	// large struct) is looked up by name, so a file's cost stays linear.
	var byName map[string][]bound
	if len(decls) > 16 {
		byName = make(map[string][]bound, len(decls))
		for _, d := range decls {
			byName[d.name] = append(byName[d.name], d)
		}
	}
	type envPattern struct {
		fpattern
		e *env
	}
	var patterns []envPattern
	for _, p := range parts {
		for _, pat := range p.st.patterns {
			patterns = append(patterns, envPattern{pat, p.e})
		}
	}
	var inline []part
	for k, v := range m {
		if k == "" || k[0] == '#' || k[0] == '_' {
			return false
		}
		allowed := open
		inline = inline[:0]
		origin := ""
		named := decls
		if byName != nil {
			named = byName[k]
		}
		for _, d := range named {
			if d.name != k {
				continue
			}
			allowed = true
			// Structs written in place in one definition are closed
			// together; any other declaration on its own (stricter).
			if d.value.op == opStruct && d.value.inline && (len(inline) == 0 || d.origin == origin) {
				inline, origin = append(inline, part{d.value.st, d.env}), d.origin
				continue
			}
			if !c.value(d.value, v, d.env) {
				return false
			}
		}
		if len(inline) > 0 {
			vm, ok := v.(map[string]any)
			if !ok || !c.structOK(append([]part(nil), inline...), vm) {
				return false
			}
		}
		for _, pat := range patterns {
			if c.value(pat.label, k, pat.e) {
				allowed = true
				if !c.value(pat.value, v, pat.e) {
					return false
				}
			}
		}
		if !allowed {
			return false
		}
	}
	return true
}

// defaulted reports that the regular field name, absent from the data,
// is made concrete by exactly one default that all its declarations
// accept.
func (c *checker) defaulted(decls []bound, name string) bool {
	var d *fnode
	for _, x := range decls {
		if x.name != name {
			continue
		}
		if xd := nodeDefault(x.value); xd != nil {
			if d != nil {
				return false
			}
			d = xd
		}
	}
	if d == nil {
		return false
	}
	v, ok := litValue(d)
	if !ok {
		return false
	}
	for _, x := range decls {
		if x.name == name && !c.value(x.value, v, x.env) {
			return false
		}
	}
	return true
}

// litValue is a literal node's value as the data would hold it.
func litValue(n *fnode) (any, bool) {
	switch n.kind {
	case kString:
		return n.str, true
	case kBool:
		return n.b, true
	}
	return nil, false // number defaults are not modelled
}

// declsOf lists the struct's declarations in force for the data m: its
// own fields and those of every comprehension whose condition holds or
// for each key its for clause iterates.
// Conditions read the fields of scope, the struct the data m is of.
func (c *checker) declsOf(scope []part, st *fstruct, m map[string]any, e *env, out *[]bound) bool {
	for _, f := range st.fields {
		name := f.name
		if f.dyn != "" {
			v, ok := e.lookup(f.dyn)
			if !ok {
				return false
			}
			name = v
		}
		*out = append(*out, bound{name: name, constraint: f.constraint, value: f.value, env: e, origin: f.origin})
	}
	for _, comp := range st.comps {
		if comp.cond != nil {
			v, ok := c.eval(comp.cond, scope, m)
			b, isBool := v.(bool)
			if !ok || !isBool {
				return false
			}
			if b && !c.declsOf(scope, comp.body, m, e, out) {
				return false
			}
			continue
		}
		for _, p := range scope {
			if p.st != st && declares(p.st, comp.path[0]) && !keysOnly(p.st, comp.path) {
				return false // another declaration could add fields to iterate
			}
		}
		var src any = m
		for _, p := range comp.path {
			sm, ok := src.(map[string]any)
			if !ok {
				return false
			}
			if src, ok = sm[p]; !ok {
				return false
			}
		}
		sm, ok := src.(map[string]any)
		if !ok {
			return false
		}
		for k := range sm {
			if !c.declsOf(scope, comp.body, m, &env{name: comp.key, value: k, up: e}, out) {
				return false
			}
		}
	}
	return true
}

// eval evaluates a condition over the struct's data; ok is false when the
// validator cannot say what CUE would make of it.
func (c *checker) eval(cd *fcond, scope []part, m map[string]any) (any, bool) {
	switch cd.op {
	case token.IDENT:
		if v, ok := m[cd.name]; ok {
			switch v.(type) {
			case string, bool:
				return v, true
			}
			return nil, false
		}
		var d *fnode
		for _, p := range scope {
			for _, comp := range p.st.comps {
				for _, f := range comp.body.fields {
					if f.name == cd.name || f.dyn != "" {
						return nil, false // a default the validator cannot see
					}
				}
			}
			pd, err := fieldDefault(p.st, cd.name)
			if err != nil || (pd != nil && d != nil) {
				return nil, false
			}
			if pd != nil {
				d = pd
			}
		}
		if d == nil {
			return nil, false
		}
		return litValue(d)
	case token.STRING, token.TRUE:
		return cd.lit, true
	case token.NOT:
		v, ok := c.eval(cd.x, scope, m)
		b, isBool := v.(bool)
		return !b, ok && isBool
	case token.EQL, token.NEQ:
		a, ok1 := c.eval(cd.x, scope, m)
		b, ok2 := c.eval(cd.y, scope, m)
		if !ok1 || !ok2 || !sameType(a, b) {
			return nil, false
		}
		return (a == b) == (cd.op == token.EQL), true
	case token.LAND, token.LOR:
		a, ok1 := c.eval(cd.x, scope, m)
		b, ok2 := c.eval(cd.y, scope, m)
		ab, ok3 := a.(bool)
		bb, ok4 := b.(bool)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, false
		}
		if cd.op == token.LAND {
			return ab && bb, true
		}
		return ab || bb, true
	}
	return nil, false
}

// plainNumbers reports that every number literal in a plan file is a plain
// decimal (plainDecimal), so dataOf's spelling of it tells an int from a
// float as CUE would: "1." is a float that dataOf spells 1.
func plainNumbers(f *ast.File) bool {
	ok := true
	ast.Walk(f, func(n ast.Node) bool {
		if !ok {
			return false
		}
		if lit, isLit := n.(*ast.BasicLit); isLit && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
			ok = plainDecimal(lit.Value, lit.Kind == token.FLOAT)
		}
		return ok
	}, nil)
	return ok
}

func sameType(a, b any) bool {
	switch a.(type) {
	case string:
		_, ok := b.(string)
		return ok
	case bool:
		_, ok := b.(bool)
		return ok
	}
	return false
}

// declares reports that st or one of its comprehensions declares name.
func declares(st *fstruct, name string) bool {
	for _, f := range st.fields {
		if f.name == name || f.dyn != "" {
			return true
		}
	}
	for _, comp := range st.comps {
		if declares(comp.body, name) {
			return true
		}
	}
	return false
}
