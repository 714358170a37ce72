package plan

import (
	"sort"
	"sync/atomic"
)

// ChangedFiles lists the paths under plans/ that differ between two loads:
// present in only one, or with other bytes. A file refused before it was
// read (a link, an oversized file) has no digest, so it is always listed:
// what it would have held cannot be compared. Sorted; nil when a and b
// hold the same files.
func ChangedFiles(a, b *Set) []string {
	sums := func(s *Set) map[string]source {
		m := map[string]source{}
		if s != nil {
			for _, f := range s.files {
				m[f.name] = f
			}
		}
		return m
	}
	as, bs := sums(a), sums(b)
	var out []string
	for name, f := range as {
		if g, ok := bs[name]; !ok || g.sum != f.sum || f.sum == ([32]byte{}) {
			out = append(out, name)
		}
	}
	for name := range bs {
		if _, ok := as[name]; !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// DocsOf returns the documents loaded from file.
func (s *Set) DocsOf(file string) []*Document {
	var out []*Document
	for _, d := range s.Documents {
		if d.File == file {
			out = append(out, d)
		}
	}
	return out
}

// Mentions lists every string in the document's data, keys and values, that
// could be an organisation code (three or five capitals and digits), sorted
// and each once. It is what an incremental evaluation takes as the
// organisations a plan is connected to: wider than the counterparties the
// schema names (it includes explanations, statuses and any field a rule
// might read), so it never misses one. Computed once per document.
func (d *Document) Mentions() []string {
	if m := d.mentions.Load(); m != nil {
		return *m
	}
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if codeLike(k) {
					seen[k] = true
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			if codeLike(v) {
				seen[v] = true
			}
		}
	}
	walk(d.Data)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	d.mentions.Store(&out)
	return out
}

// codeLike reports whether s has the shape of an ODS code.
func codeLike(s string) bool {
	if len(s) != 3 && len(s) != 5 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// mentionsMemo is Document.Mentions' memo, set at most once per document
// in effect (two racing first calls compute the same list).
type mentionsMemo = atomic.Pointer[[]string]
