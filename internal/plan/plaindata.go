package plan

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// readPlainData reads a plan file written as plain data in the plainest
// spelling (the canonical layout internal/planfile writes, and most hand
// edits of it) in one pass: the value dataOf would build from CUE's syntax
// tree and the index inspectFile would, without building the tree. It
// accepts only what it is sure of: fields named by identifiers or simple
// quoted strings, structs, lists, double-quoted strings without escapes,
// whole or decimal numbers written out, true, false, null and // comments.
// For anything else (an escape, a repeated field, an optional marker, an
// attribute, a multi-line string, a construct the parser would refuse) ok
// is false and the caller goes through CUE's parser, which decides what the
// file means and what is wrong with it. TestPlainDataAgrees and
// FuzzPlainData hold it to CUE's parser.
func readPlainData(src []byte) (data map[string]any, index map[string]position, ok bool) {
	r := plainReader{src: src, line: 1, index: map[string]position{}}
	defer func() {
		// A reader bug must not take the load down: CUE's parser
		// decides instead.
		if recover() != nil {
			data, index, ok = nil, nil, false
		}
	}()
	// CUE refuses a source that is not UTF-8, or holds a NUL or a byte
	// order mark, comments included.
	if !utf8.Valid(src) || bytes.IndexByte(src, 0) >= 0 || bytes.Contains(src, []byte("\uFEFF")) {
		return nil, nil, false
	}
	r.space()
	r.index[""] = r.pos()
	if r.off == len(src) {
		return nil, nil, false
	}
	data = map[string]any{}
	if !r.fields(data, keyPath{}, eof) || r.off != len(src) {
		return nil, nil, false
	}
	return data, r.index, true
}

const eof = -1

type plainReader struct {
	src       []byte
	off       int
	line      int32
	lineStart int
	index     map[string]position
	// newline reports that space() crossed a line end: CUE ends a field
	// there as it would at a comma.
	newline bool
	b       builder
}

func (r *plainReader) pos() position {
	return position{line: r.line, col: int32(r.off-r.lineStart) + 1}
}

func (r *plainReader) peek() int {
	if r.off >= len(r.src) {
		return eof
	}
	return int(r.src[r.off])
}

// space skips blanks, line ends and // comments.
func (r *plainReader) space() {
	r.newline = false
	for r.off < len(r.src) {
		switch c := r.src[r.off]; c {
		case ' ', '\t', '\r':
			r.off++
		case '\n':
			r.off++
			r.line++
			r.lineStart = r.off
			r.newline = true
		case '/':
			if r.off+1 >= len(r.src) || r.src[r.off+1] != '/' {
				return
			}
			for r.off < len(r.src) && r.src[r.off] != '\n' {
				r.off++
			}
		default:
			return
		}
	}
}

// fields reads fields up to the closing byte end (eof for the file),
// separated by commas or line ends, into m.
func (r *plainReader) fields(m map[string]any, path keyPath, end int) bool {
	for {
		r.space()
		if r.peek() == end {
			if end != eof {
				r.off++
			}
			return true
		}
		if !r.field(m, path) {
			return false
		}
		r.space()
		switch {
		case r.peek() == ',':
			r.off++
		case r.peek() == end, r.newline:
		default:
			return false
		}
	}
}

// field reads one field, or a chain of them (a: b: 1).
func (r *plainReader) field(m map[string]any, path keyPath) bool {
	if path.depth >= maxDepth {
		return false
	}
	at := r.pos()
	name, ok := r.label()
	if !ok || r.peek() != ':' {
		return false
	}
	r.off++
	if c := r.peek(); c != ' ' && c != '\t' {
		return false
	}
	r.space()
	if r.newline {
		return false
	}
	p := path.child(name)
	if _, seen := r.index[p.key]; !seen {
		r.index[p.key] = at
	}
	if chained, braced := r.labelAhead(), r.peek() == '{'; chained || braced {
		// a: b: 1 is a: {b: 1}; a struct repeated is merged, as CUE
		// unifies them.
		sub, isStruct := m[name].(map[string]any)
		if _, taken := m[name]; taken && !isStruct {
			return false
		}
		if !isStruct {
			sub = map[string]any{}
			m[name] = sub
		}
		if chained {
			return r.field(sub, p)
		}
		r.off++
		return r.fields(sub, p, '}')
	}
	if _, taken := m[name]; taken {
		return false
	}
	v, ok := r.value(p)
	if ok {
		m[name] = v
	}
	return ok
}

// labelAhead reports whether the next token is a label followed by a
// colon.
func (r *plainReader) labelAhead() bool {
	// A label never spans a line, so only the offset moves.
	off := r.off
	_, ok := r.label()
	ok = ok && r.peek() == ':'
	r.off = off
	return ok
}

// keywords CUE reserves or gives meaning to: refused as bare labels here.
var keywords = map[string]bool{"true": true, "false": true, "null": true, "for": true, "in": true,
	"if": true, "let": true, "import": true, "package": true, "func": true}

func (r *plainReader) label() (string, bool) {
	if r.peek() == '"' {
		return r.str()
	}
	start := r.off
	for r.off < len(r.src) {
		c := r.src[r.off]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && r.off > start || c == '_' && r.off > start {
			r.off++
			continue
		}
		break
	}
	name := string(r.src[start:r.off])
	return name, name != "" && !keywords[name]
}

// str reads a double-quoted string with no escapes, no control characters
// and valid UTF-8.
func (r *plainReader) str() (string, bool) {
	if r.peek() != '"' || r.off+2 < len(r.src) && r.src[r.off+1] == '"' && r.src[r.off+2] == '"' {
		return "", false
	}
	r.off++
	start := r.off
	for r.off < len(r.src) {
		c := r.src[r.off]
		switch {
		case c == '"':
			s := string(r.src[start:r.off])
			r.off++
			return s, utf8.ValidString(s)
		case c == '\\' || c < 0x20 || c == 0x7f:
			return "", false
		}
		r.off++
	}
	return "", false
}

// value reads a list element or a field's value other than a struct.
func (r *plainReader) value(path keyPath) (any, bool) {
	switch c := r.peek(); {
	case c == '{':
		r.off++
		m := map[string]any{}
		return m, r.fields(m, path, '}')
	case c == '[':
		return r.list(path)
	case c == '"':
		return r.str()
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	default:
		word, _ := r.label()
		switch word {
		case "true":
			return true, true
		case "false":
			return false, true
		case "null":
			return nil, true
		}
		return nil, false
	}
}

func (r *plainReader) list(path keyPath) (any, bool) {
	if path.depth >= maxDepth {
		return nil, false
	}
	r.off++ // [
	out := []any{}
	for i := 0; ; i++ {
		r.space()
		if r.peek() == ']' {
			r.off++
			return out, true
		}
		p := path.child(strconv.Itoa(i))
		r.index[p.key] = r.pos()
		v, ok := r.value(p)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		r.space()
		switch {
		case r.peek() == ',':
			r.off++
		case r.peek() == ']':
		default:
			return nil, false
		}
	}
}

// number reads -?digits(.digits)?, spelt as dataOf spells it.
func (r *plainReader) number() (any, bool) {
	neg := r.peek() == '-'
	if neg {
		r.off++
	}
	start := r.off
	digits := func() int {
		n := 0
		for r.off < len(r.src) && r.src[r.off] >= '0' && r.src[r.off] <= '9' {
			r.off++
			n++
		}
		return n
	}
	if digits() == 0 {
		return nil, false
	}
	kind := token.INT
	if r.peek() == '.' {
		r.off++
		if digits() == 0 {
			return nil, false
		}
		kind = token.FLOAT
	}
	if c := r.peek(); c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.' {
		return nil, false
	}
	lit := string(r.src[start:r.off])
	// The numbers the fast validator reads as CUE does (fast.go).
	if !plainDecimal(lit, kind == token.FLOAT) {
		return nil, false
	}
	if kind == token.INT {
		if neg && lit == "0" {
			return nil, false
		}
		if neg {
			return json.Number("-" + lit), true
		}
		return json.Number(lit), true
	}
	return r.b.number(&ast.BasicLit{Kind: kind, Value: lit}, neg)
}
