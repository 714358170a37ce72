package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"unsafe"
)

// ResultCache keeps what checking a file found between runs
// (internal/cache). Entries come back whole and for the key asked, or not
// at all; what they hold is still checked here before it is used. A
// payload Get returns is the caller's to keep: nothing writes to it again
// (a decoded document's strings are views of it).
type ResultCache interface {
	Get(key [sha256.Size]byte) ([]byte, bool)
	Put(key [sha256.Size]byte, payload []byte) error
}

// fileKey names the result of checking the file name with contents of
// digest sum, under the rules salt names.
func fileKey(salt []byte, name string, sum [sha256.Size]byte) [sha256.Size]byte {
	h := sha256.New()
	for _, p := range [][]byte{[]byte("plan-file/2"), salt, []byte(name), sum[:]} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// sumKey names what is remembered of the bytes a content id names (a git
// blob id): their SHA-256 and size, which depend on the bytes alone, so
// under no salt or path.
func sumKey(id string) [sha256.Size]byte {
	return fileKey([]byte("content-id/1"), id, [sha256.Size]byte{})
}

// knownSum returns the SHA-256 and size of the bytes id names, when c has
// them from an earlier read. A file named by a git blob id is then never
// read when its result is cached: a git repository names its objects by
// their SHA-1, with collision detection in git and go-git alike, so one id
// is one sequence of bytes.
func knownSum(c ResultCache, id string) ([sha256.Size]byte, int64, bool) {
	var sum [sha256.Size]byte
	if c == nil || id == "" {
		return sum, 0, false
	}
	b, ok := c.Get(sumKey(id))
	if !ok || len(b) != sha256.Size+8 {
		return sum, 0, false
	}
	copy(sum[:], b)
	size := binary.BigEndian.Uint64(b[sha256.Size:])
	if size > 1<<40 {
		return sum, 0, false
	}
	return sum, int64(size), true
}

// rememberSum records the SHA-256 and size of the bytes id names.
func rememberSum(c ResultCache, id string, sum [sha256.Size]byte, size int) {
	if c == nil || id == "" {
		return
	}
	// A record that cannot be kept only means a read next time.
	_ = c.Put(sumKey(id), binary.BigEndian.AppendUint64(sum[:], uint64(size)))
}

// Value tags of the encoded data tree.
const (
	tagNull byte = iota
	tagFalse
	tagTrue
	tagString
	tagNumber
	tagList
	tagStruct
)

// encodeChecked writes the outcome of checking one file: its findings, and
// its document with the data and the position of every path. The
// organisations it names are not stored: they are read from the data again.
func encodeChecked(r checked) ([]byte, error) {
	fs, err := json.Marshal(r.findings)
	if err != nil {
		return nil, err
	}
	var b []byte
	b = binary.AppendUvarint(b, uint64(r.omitted))
	b = appendBytes(b, fs)
	if r.doc == nil {
		return append(b, 0), nil
	}
	d := r.doc
	b = append(b, 1)
	for _, s := range []string{d.File, d.Kind, d.Org, d.Year} {
		b = appendBytes(b, []byte(s))
	}
	b = append(b, boolByte(d.Valid))
	if b, err = appendValue(b, d.Data); err != nil {
		return nil, err
	}
	// The index's keys in order, each written as the length it shares
	// with the one before and the rest: paths share long prefixes.
	index := d.positions()
	keys := slices.Sorted(maps.Keys(index))
	b = binary.AppendUvarint(b, uint64(len(keys)))
	prev := ""
	for _, k := range keys {
		n := commonPrefix(prev, k)
		b = binary.AppendUvarint(b, uint64(n))
		b = appendBytes(b, []byte(k[n:]))
		p := index[k]
		b = binary.AppendUvarint(b, uint64(p.line))
		b = binary.AppendUvarint(b, uint64(p.col))
		prev = k
	}
	return b, nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendValue(b []byte, v any) ([]byte, error) {
	var err error
	switch v := v.(type) {
	case nil:
		return append(b, tagNull), nil
	case bool:
		return append(b, tagFalse+boolByte(v)), nil
	case string:
		return appendBytes(append(b, tagString), []byte(v)), nil
	case json.Number:
		return appendBytes(append(b, tagNumber), []byte(v)), nil
	case []any:
		b = binary.AppendUvarint(append(b, tagList), uint64(len(v)))
		for _, e := range v {
			if b, err = appendValue(b, e); err != nil {
				return nil, err
			}
		}
		return b, nil
	case map[string]any:
		b = binary.AppendUvarint(append(b, tagStruct), uint64(len(v)))
		for k, e := range v {
			b = appendBytes(b, []byte(k))
			if b, err = appendValue(b, e); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("cannot encode %T", v)
}

var errEntry = errors.New("malformed cached result")

// reader decodes an entry; every length is checked against what is left,
// so a damaged entry is an error, never a panic or a huge allocation.
type reader struct {
	b   []byte
	err error
	// keys interns field names: a plan repeats a few dozen (months,
	// total, ...) hundreds of times.
	keys map[string]string
}

// view is b as a string without a copy: b is part of a cached entry, which
// nothing writes to once read (ResultCache).
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errEntry
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errEntry
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errEntry
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// count reads a number of elements, each of which takes at least one byte.
func (r *reader) count() int {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errEntry
		return 0
	}
	return int(n)
}

func (r *reader) value(depth int) any {
	if depth > maxDepth+1 {
		r.err = errEntry
		return nil
	}
	switch tag := r.byte(); tag {
	case tagNull:
		return nil
	case tagFalse, tagTrue:
		return tag == tagTrue
	case tagString:
		return view(r.bytes())
	case tagNumber:
		return json.Number(view(r.bytes()))
	case tagList:
		n := r.count()
		l := make([]any, n)
		for i := range l {
			l[i] = r.value(depth + 1)
		}
		return l
	case tagStruct:
		n := r.count()
		m := make(map[string]any, n)
		for range n {
			kb := r.bytes()
			k, ok := r.keys[string(kb)]
			if !ok {
				if r.keys == nil {
					r.keys = map[string]string{}
				}
				k = view(kb)
				r.keys[k] = k
			}
			m[k] = r.value(depth + 1)
		}
		return m
	}
	r.err = errEntry
	return nil
}

// decodeChecked reads back what encodeChecked wrote for the file name. An
// entry that does not decode, or is about another file, is an error: the
// caller checks the file again.
func decodeChecked(b []byte, name string) (checked, error) {
	// The document's strings are views of b (see ResultCache), which
	// lives as long as they do.
	r := &reader{b: b}
	var out checked
	out.omitted = int(r.uvarint())
	if fs := r.bytes(); r.err == nil {
		if err := json.Unmarshal(fs, &out.findings); err != nil {
			return checked{}, errEntry
		}
	}
	for _, f := range out.findings {
		if f.File != name {
			return checked{}, errEntry
		}
	}
	switch r.byte() {
	case 0:
		if r.err != nil || len(r.b) != 0 {
			return checked{}, errEntry
		}
		return out, nil
	case 1:
	default:
		return checked{}, errEntry
	}
	d := &Document{}
	d.File = string(r.bytes())
	d.Kind = string(r.bytes())
	d.Org = string(r.bytes())
	d.Year = string(r.bytes())
	d.Valid = r.byte() == 1
	data, _ := r.value(0).(map[string]any)
	// The index is checked whole here and decoded when first used.
	d.indexEnc = r.b
	n := r.count()
	prevLen := uint64(0)
	for range n {
		shared := r.uvarint()
		rest := r.bytes()
		if shared > prevLen {
			r.err = errEntry
		}
		prevLen = shared + uint64(len(rest))
		if line, col := r.uvarint(), r.uvarint(); line > 1<<31-1 || col > 1<<31-1 {
			r.err = errEntry
		}
	}
	if r.err != nil || len(r.b) != 0 || d.File != name || data == nil {
		return checked{}, errEntry
	}
	d.Data = data
	if d.Valid != (len(out.findings) == 0) {
		return checked{}, errEntry
	}
	if d.Valid {
		refs, err := readRefs(d.Kind, d.Data)
		if err != nil {
			return checked{}, errEntry
		}
		d.refs = refs
	}
	out.doc = d
	return out, nil
}

// decodeIndex decodes an index decodeChecked has checked.
func decodeIndex(b []byte) map[string]position {
	r := &reader{b: b}
	n := r.count()
	index := make(map[string]position, n)
	prev := ""
	for range n {
		shared := r.uvarint()
		k := prev[:shared] + string(r.bytes())
		line, col := r.uvarint(), r.uvarint()
		index[k] = position{line: int32(line), col: int32(col)}
		prev = k
	}
	return index
}

// commonPrefix is the length of the prefix a and b share.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// cacheable reports whether a result may be kept: not one that ran out of
// its deadline, as whether a file does depends on the machine's load.
func cacheable(r checked) bool { return !r.late && !r.failed && !r.unread }
