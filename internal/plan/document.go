package plan

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue/token"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

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

	index map[string]position
	// indexEnc is the index as a cached result holds it (cached.go),
	// decoded on first use by positions: most documents read from the
	// cache are never asked where a path is.
	indexEnc  []byte
	indexOnce sync.Once
	// refs are the organisations a valid document names (crossref.go).
	refs refs
	// mentions memoises Mentions.
	mentions mentionsMemo
	// derived memoises Derived.
	derived sync.Map
}

// Derived returns what compute makes of the document, computed once per key
// and document: a document two loads share (plan.Options.Reuse) is, for
// example, converted to the policies' input form once. compute must depend
// on the document alone; an error is not kept.
func (d *Document) Derived(key any, compute func() (any, error)) (any, error) {
	if v, ok := d.derived.Load(key); ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return nil, err
	}
	v, _ = d.derived.LoadOrStore(key, v)
	return v, nil
}

// positions is the position of every path in the file, by pathKey.
func (d *Document) positions() map[string]position {
	d.indexOnce.Do(func() {
		if d.indexEnc != nil {
			d.index, d.indexEnc = decodeIndex(d.indexEnc), nil
		}
	})
	return d.index
}

// position is a line and column in a plan file, both from 1; zero when
// unknown. Unlike a token.Pos it holds no reference to the parsed file, so a
// document keeps only its positions, and they can be cached.
type position struct{ line, col int32 }

func at(p token.Pos) position {
	if !p.IsValid() {
		return position{}
	}
	return position{line: int32(p.Line()), col: int32(p.Column())}
}

func (p position) valid() bool { return p.line > 0 }

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
		if pos, ok := d.positions()[pathKey(segs[:n])]; ok && pos.valid() {
			loc.Line, loc.Column = int(pos.line), int(pos.col)
			return loc
		}
	}
	return loc
}

// Has reports whether the path names a field or element present in the file.
func (d *Document) Has(p []string) bool {
	_, ok := d.positions()[pathKey(p)]
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
