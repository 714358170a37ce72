package plan

import (
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// pathKey joins path segments into a map key. Segments are field names or
// decimal list indexes; neither contains NUL.
func pathKey(segs []string) string { return strings.Join(segs, "\x00") }

// problem is a construct a plan file must not contain.
type problem struct {
	pos token.Pos
	msg string
}

// inspector checks that a file is plain data and indexes the position of
// every field and list element by path, so findings from any stage can be
// placed on the line a person edits.
type inspector struct {
	index    map[string]position
	problems []problem
	tooDeep  bool
}

func inspectFile(f *ast.File) *inspector {
	in := &inspector{index: map[string]position{}}
	in.index[""] = at(f.Pos())
	in.decls(f.Decls, keyPath{})
	return in
}

func (in *inspector) reject(n ast.Node, format string, args ...any) {
	in.problems = append(in.problems, problem{pos: n.Pos(), msg: fmt.Sprintf(format, args...)})
}

func (in *inspector) decls(decls []ast.Decl, path keyPath) {
	for _, d := range decls {
		switch d := d.(type) {
		case *ast.Field:
			in.field(d, path)
		case *ast.CommentGroup:
		case *ast.Package:
			in.reject(d, "package clause %q is not allowed: plan files are plain data checked against the schema", d.Name.Name)
		case *ast.ImportDecl:
			in.reject(d, "imports are not allowed in plan files")
		case *ast.Attribute:
			in.reject(d, "attribute %s is not allowed in plan files (no @embed or @extern: a plan holds its own figures)", d.Text)
		case *ast.EmbedDecl:
			in.reject(d, "embedded values are not allowed in plan files; write fields as name: value")
		case *ast.LetClause:
			in.reject(d, "let is not allowed in plan files; write the figures themselves")
		case *ast.Comprehension:
			in.reject(d, "comprehensions are not allowed in plan files; write the figures themselves")
		case *ast.Ellipsis:
			in.reject(d, "\"...\" is not allowed in plan files")
		case *ast.BadDecl:
			in.reject(d, "unreadable declaration")
		default:
			in.reject(d, "%T is not allowed in plan files", d)
		}
	}
}

func (in *inspector) field(f *ast.Field, path keyPath) {
	if in.deep(f, path) {
		return
	}
	name, ok := in.label(f.Label)
	if !ok {
		return
	}
	if f.Constraint != token.ILLEGAL {
		in.reject(f, "field %q: optional or required markers (%s) belong in the schema, not in a plan", name, f.Constraint)
	}
	for _, a := range f.Attrs {
		in.reject(a, "attribute %s is not allowed in plan files", a.Text)
	}
	p := path.child(name)
	if _, seen := in.index[p.key]; !seen {
		in.index[p.key] = at(f.Label.Pos())
	}
	in.value(f.Value, p)
}

// keyPath is a path being walked: its depth and its index key (pathKey of
// its segments), each child's key built from its parent's, so indexing a
// file costs one string per field and element.
type keyPath struct {
	depth int
	key   string
}

func (p keyPath) child(seg string) keyPath {
	if p.depth == 0 {
		return keyPath{depth: 1, key: seg}
	}
	return keyPath{depth: p.depth + 1, key: p.key + "\x00" + seg}
}

// deep reports (once) a path nested beyond maxDepth. The pre-scan refuses
// such a file before it is parsed; this keeps the walk bounded on its own,
// and path indexing linear, whatever its caller checked.
func (in *inspector) deep(n ast.Node, path keyPath) bool {
	if path.depth < maxDepth {
		return false
	}
	if !in.tooDeep {
		in.tooDeep = true
		in.reject(n, "values nested more than %d levels deep are not plan data", maxDepth)
	}
	return true
}

func (in *inspector) label(l ast.Label) (string, bool) {
	switch l := l.(type) {
	case *ast.Ident:
		if strings.HasPrefix(l.Name, "#") || strings.HasPrefix(l.Name, "_") {
			in.reject(l, "field %s: definitions and hidden fields are not allowed in plan files", l.Name)
			return "", false
		}
		return l.Name, true
	case *ast.BasicLit:
		if l.Kind == token.STRING {
			s, err := strconv.Unquote(l.Value)
			if err == nil {
				return s, true
			}
		}
	}
	in.reject(l, "field labels must be names or quoted strings")
	return "", false
}

func (in *inspector) value(v ast.Expr, path keyPath) {
	switch v := v.(type) {
	case *ast.StructLit:
		in.decls(v.Elts, path)
	case *ast.ListLit:
		if in.deep(v, path) {
			return
		}
		for i, e := range v.Elts {
			if _, ok := e.(*ast.Ellipsis); ok {
				in.reject(e, "\"...\" is not allowed in plan files")
				continue
			}
			p := path.child(strconv.Itoa(i))
			in.index[p.key] = at(e.Pos())
			in.value(e, p)
		}
	case *ast.BasicLit:
		// Numbers, strings without interpolation, true, false, null.
	case *ast.Ident:
		switch v.Name {
		case "true", "false", "null":
		default:
			in.reject(v, "%s: references are not allowed in plan files; write the value itself", v.Name)
		}
	case *ast.UnaryExpr:
		if lit, ok := v.X.(*ast.BasicLit); ok && v.Op == token.SUB && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
			return
		}
		in.reject(v, "expressions are not allowed in plan files; write the value itself")
	case *ast.Interpolation:
		in.reject(v, "string interpolation is not allowed in plan files")
	default:
		in.reject(v, "expressions are not allowed in plan files; write the value itself")
	}
}
