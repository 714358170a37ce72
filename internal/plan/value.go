package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
	"github.com/cockroachdb/apd/v3"
)

// dataOf builds the Go value of a plain-data file straight from its syntax,
// as CUE would export it (numbers as json.Number in CUE's own spelling,
// strings unquoted by CUE's rules), so a plan is evaluated once, against its
// schema, instead of once alone, once with the schema and once more to
// export it. A field repeated in one struct is merged when both are structs,
// as CUE unifies them. ok is false for anything else that is not plain JSON
// data (a repeated scalar or list, bytes, a label or literal CUE refuses):
// the caller then evaluates the file with CUE, which decides what it means.
// The file has passed inspectFile, so it holds no expressions.
func dataOf(f *ast.File) (map[string]any, bool) {
	b := builder{}
	m := map[string]any{}
	if !b.fields(m, f.Decls) {
		return nil, false
	}
	return m, true
}

type builder struct {
	num literal.NumInfo
	dec apd.Decimal
}

func (b *builder) fields(into map[string]any, decls []ast.Decl) bool {
	for _, d := range decls {
		switch d := d.(type) {
		case *ast.CommentGroup:
		case *ast.Field:
			name, _, err := ast.LabelName(d.Label)
			if err != nil || d.Constraint != token.ILLEGAL || len(d.Attrs) > 0 {
				return false
			}
			if s, ok := d.Value.(*ast.StructLit); ok {
				sub, seen := into[name].(map[string]any)
				if !seen {
					if _, taken := into[name]; taken {
						return false
					}
					sub = map[string]any{}
					into[name] = sub
				}
				if !b.fields(sub, s.Elts) {
					return false
				}
				continue
			}
			if _, taken := into[name]; taken {
				return false
			}
			v, ok := b.value(d.Value)
			if !ok {
				return false
			}
			into[name] = v
		default:
			return false
		}
	}
	return true
}

func (b *builder) value(x ast.Expr) (any, bool) {
	switch x := x.(type) {
	case *ast.StructLit:
		m := map[string]any{}
		return m, b.fields(m, x.Elts)
	case *ast.ListLit:
		out := make([]any, 0, len(x.Elts))
		for _, e := range x.Elts {
			v, ok := b.value(e)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	case *ast.Ident:
		switch x.Name {
		case "true":
			return true, true
		case "false":
			return false, true
		case "null":
			return nil, true
		}
	case *ast.UnaryExpr:
		if lit, ok := x.X.(*ast.BasicLit); ok && x.Op == token.SUB {
			return b.number(lit, true)
		}
	case *ast.BasicLit:
		switch x.Kind {
		case token.INT, token.FLOAT:
			return b.number(x, false)
		case token.TRUE:
			return true, true
		case token.FALSE:
			return false, true
		case token.NULL:
			return nil, true
		case token.STRING:
			q, start, _, err := literal.ParseQuotes(x.Value, x.Value)
			if err != nil || !q.IsDouble() {
				return nil, false
			}
			s, err := q.Unquote(x.Value[start:])
			return s, err == nil
		}
	}
	return nil, false
}

// number spells a number literal as CUE exports it to JSON.
func (b *builder) number(lit *ast.BasicLit, neg bool) (any, bool) {
	if lit.Kind != token.INT && lit.Kind != token.FLOAT {
		return nil, false
	}
	// Most plan figures are whole numbers written plainly, which CUE
	// exports as written: no need to go through a decimal.
	if plainInt(lit.Value) && !(neg && lit.Value == "0") {
		if neg {
			return json.Number("-" + lit.Value), true
		}
		return json.Number(lit.Value), true
	}
	if err := literal.ParseNum(lit.Value, &b.num); err != nil {
		return nil, false
	}
	if err := b.num.Decimal(&b.dec); err != nil {
		return nil, false
	}
	if neg {
		b.dec.Neg(&b.dec)
	}
	return json.Number(b.dec.Append(nil, 'G')), true
}

// decodeData decodes exported data into the struct, map, slice and string
// types the cross-checks read (crossref.go), as encoding/json would decode
// its JSON, without writing the JSON: a value of another type than the
// target's is an error, a key the target lacks is skipped.
func decodeData(data any, into any) error {
	return decodeValue(data, reflect.ValueOf(into).Elem(), nil)
}

func decodeValue(v any, dst reflect.Value, path []string) error {
	if v == nil {
		return nil // as encoding/json: null leaves the target alone
	}
	mismatch := func() error {
		return fmt.Errorf("%s: cannot read %T as %s", cmpOr(DisplayPath(path), "value"), v, dst.Type())
	}
	switch dst.Kind() {
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return mismatch()
		}
		dst.SetString(s)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch()
		}
		t := dst.Type()
		for i := range t.NumField() {
			key, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if fv, ok := m[key]; ok && key != "" {
				if err := decodeValue(fv, dst.Field(i), append(path, key)); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch()
		}
		if dst.IsNil() {
			dst.Set(reflect.MakeMapWithSize(dst.Type(), len(m)))
		}
		for k, fv := range m {
			e := reflect.New(dst.Type().Elem()).Elem()
			if err := decodeValue(fv, e, append(path, k)); err != nil {
				return err
			}
			dst.SetMapIndex(reflect.ValueOf(k), e)
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return mismatch()
		}
		s := reflect.MakeSlice(dst.Type(), len(l), len(l))
		for i, ev := range l {
			if err := decodeValue(ev, s.Index(i), append(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
		dst.Set(s)
	default:
		return fmt.Errorf("cannot decode into %s", dst.Type())
	}
	return nil
}

// plainInt reports whether lit is a decimal integer without sign,
// separators or leading zeros.
func plainInt(lit string) bool {
	if lit == "0" {
		return true
	}
	if lit == "" || lit[0] < '1' || lit[0] > '9' {
		return false
	}
	for i := 1; i < len(lit); i++ {
		if lit[i] < '0' || lit[i] > '9' {
			return false
		}
	}
	return true
}
