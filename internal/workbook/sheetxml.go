package workbook

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The importer reads worksheets with a byte scanner when they are written
// the way Excel, LibreOffice and excelize write them (UTF-8, no comments or
// CDATA, every row and cell numbered, strings plain rather than rich text).
// excelize's row reader decodes every cell with reflection and took most of
// an import's time. Anything the scanner does not know makes it give up, and
// the importer then reads the whole workbook through excelize, so both
// paths give the same rows (TestFastReaderAgrees).

// sheetScan is one worksheet as the scanner read it: raw cell values by row
// (as excelize's Rows().Columns with RawCellValue returns them; nil rows are
// absent) and the formulas by cell.
type sheetScan struct {
	rows     [][]string
	formulas map[string]string
}

type xmlTok struct {
	kind  byte   // 's' start tag, 'e' end tag, 't' text, 'p' processing instruction
	name  []byte // local name of a tag
	attrs []byte // raw attributes of a start tag
	empty bool   // <x/>
	text  []byte
}

// xmlScan walks well-formed markup; ok turns false at anything it does not
// read, and the caller then gives up.
type xmlScan struct {
	b     []byte
	i     int
	stack [][]byte
	ok    bool
}

func newXMLScan(b []byte) *xmlScan {
	s := &xmlScan{b: b, ok: plainXML(b)}
	return s
}

// plainXML tells whether a part is UTF-8 with no comments, CDATA or
// document type, and no character XML forbids.
func plainXML(b []byte) bool {
	if !utf8.Valid(b) || bytes.Contains(b, []byte("<!")) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	if bytes.HasPrefix(b, []byte("<?xml")) {
		end := bytes.Index(b, []byte("?>"))
		if end < 0 {
			return false
		}
		decl := bytes.ToLower(b[:end])
		if i := bytes.Index(decl, []byte("encoding=")); i >= 0 && !bytes.HasPrefix(bytes.Trim(decl[i+len("encoding="):], `"' `), []byte("utf-8")) {
			return false
		}
	}
	return true
}

func (s *xmlScan) next() (xmlTok, bool) {
	if !s.ok || s.i >= len(s.b) {
		if len(s.stack) > 0 {
			s.ok = false
		}
		return xmlTok{}, false
	}
	if s.b[s.i] != '<' {
		j := bytes.IndexByte(s.b[s.i:], '<')
		if j < 0 {
			j = len(s.b) - s.i
		}
		t := xmlTok{kind: 't', text: s.b[s.i : s.i+j]}
		s.i += j
		return t, true
	}
	j := s.i + 1
	if j < len(s.b) && s.b[j] == '?' {
		e := bytes.Index(s.b[j:], []byte("?>"))
		if e < 0 {
			s.ok = false
			return xmlTok{}, false
		}
		s.i = j + e + 2
		return xmlTok{kind: 'p'}, true
	}
	end := j < len(s.b) && s.b[j] == '/'
	if end {
		j++
	}
	k := j
	for k < len(s.b) && !isXMLSpace(s.b[k]) && s.b[k] != '>' && s.b[k] != '/' {
		k++
	}
	raw := s.b[j:k]
	var q byte
	m := k
	for ; m < len(s.b); m++ {
		c := s.b[m]
		if q != 0 {
			if c == q {
				q = 0
			}
			continue
		}
		if c == '"' || c == '\'' {
			q = c
			continue
		}
		if c == '<' {
			break
		}
		if c == '>' {
			break
		}
	}
	if m >= len(s.b) || s.b[m] != '>' || len(raw) == 0 {
		s.ok = false
		return xmlTok{}, false
	}
	t := xmlTok{kind: 's', name: localName(raw), attrs: s.b[k:m]}
	s.i = m + 1
	switch {
	case end:
		t.kind = 'e'
		if n := len(s.stack); n == 0 || !bytes.Equal(s.stack[n-1], raw) || len(bytes.TrimSpace(t.attrs)) > 0 {
			s.ok = false
			return xmlTok{}, false
		}
		s.stack = s.stack[:len(s.stack)-1]
	case m > k && s.b[m-1] == '/':
		t.empty, t.attrs = true, s.b[k:m-1]
	default:
		s.stack = append(s.stack, raw)
	}
	return t, true
}

// attr returns the value of an attribute by local name.
func attr(raw []byte, name string) (string, bool) {
	for i := 0; i < len(raw); {
		for i < len(raw) && isXMLSpace(raw[i]) {
			i++
		}
		if i >= len(raw) {
			break
		}
		eq := bytes.IndexByte(raw[i:], '=')
		if eq < 0 {
			return "", false
		}
		n := localName(bytes.TrimSpace(raw[i : i+eq]))
		i += eq + 1
		for i < len(raw) && isXMLSpace(raw[i]) {
			i++
		}
		if i >= len(raw) || raw[i] != '"' && raw[i] != '\'' {
			return "", false
		}
		e := bytes.IndexByte(raw[i+1:], raw[i])
		if e < 0 {
			return "", false
		}
		if string(n) == name {
			return xmlText(raw[i+1 : i+1+e])
		}
		i += e + 2
	}
	return "", true
}

var entity = regexp.MustCompile(`&(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});`)

// xmlText decodes character data the way an XML decoder does, or reports
// that it cannot (a carriage return, which XML rewrites; an entity XML does
// not define; a reference to a character XML forbids).
func xmlText(b []byte) (string, bool) {
	if bytes.IndexByte(b, '\r') >= 0 {
		return "", false
	}
	amp := bytes.IndexByte(b, '&')
	if amp < 0 {
		return string(b), true
	}
	if bytes.Count(b, []byte("&")) != len(entity.FindAllIndex(b, -1)) {
		return "", false
	}
	s := html.UnescapeString(string(b))
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError || r == '\r' {
			return "", false
		}
	}
	return s, true
}

// textUntil reads the text of an element whose start tag was just read, up
// to its end tag.
func (s *xmlScan) textUntil(name string) (string, bool) {
	var text []byte
	seen := false
	for {
		t, more := s.next()
		if !more {
			return "", false
		}
		switch t.kind {
		case 't':
			if seen { // text split by markup: left to the XML decoder
				return "", false
			}
			text, seen = t.text, true
		case 'e':
			if string(t.name) != name {
				return "", false
			}
			return xmlText(text)
		default:
			return "", false
		}
	}
}

var cellRef = regexp.MustCompile(`^[A-Z]{1,3}[1-9][0-9]{0,6}$`)

// scanSheet reads a worksheet's cells, or reports that it cannot. It
// stops after maxRows+1 rows: the importer refuses a sheet longer than
// maxRows, and a row numbered a million must not become a million rows.
// A sheet of more than maxCells cells, gaps included, is left to excelize,
// which the importer reads row by row within its bounds.
func scanSheet(b []byte, sst []string, maxRows, maxCells int) (*sheetScan, bool) {
	s := newXMLScan(b)
	out := &sheetScan{formulas: map[string]string{}}
	in := false
	lastRow := 0
	var row *[]string
	lastCol := 0
	cells := 0
	for {
		t, more := s.next()
		if !more {
			return out, s.ok && !in
		}
		switch {
		case t.kind == 't' || t.kind == 'p':
			continue
		case t.kind == 's' && string(t.name) == "sheetData":
			if in || t.empty {
				return out, !in
			}
			in = true
		case !in:
			continue
		case t.kind == 'e' && string(t.name) == "sheetData":
			in = false
		case t.kind == 'e' && string(t.name) == "row":
			row = nil
		case t.kind == 's' && string(t.name) == "row" && row == nil:
			v, ok := attr(t.attrs, "r")
			n, err := strconv.Atoi(v)
			if !ok || err != nil || n <= lastRow || n > excelize.TotalRows {
				return nil, false
			}
			if n > maxRows+1 {
				for len(out.rows) <= maxRows {
					out.rows = append(out.rows, nil)
				}
				return out, true
			}
			for len(out.rows) < n-1 {
				out.rows = append(out.rows, nil)
			}
			out.rows = append(out.rows, []string{})
			lastRow, lastCol = n, 0
			if !t.empty {
				row = &out.rows[n-1]
			}
		case t.kind == 's' && string(t.name) == "c" && row != nil:
			ref, ok := attr(t.attrs, "r")
			if !ok || !cellRef.MatchString(ref) {
				return nil, false
			}
			col, r, err := excelize.CellNameToCoordinates(ref)
			if err != nil || r != lastRow || col <= lastCol {
				return nil, false
			}
			lastCol = col
			if t.empty {
				continue
			}
			typ, ok := attr(t.attrs, "t")
			if !ok {
				return nil, false
			}
			val, formula, hasF, ok := s.cell(typ, sst)
			if !ok {
				return nil, false
			}
			if hasF {
				out.formulas[ref] = formula
			}
			if val != "" || hasF {
				if cells += col - len(*row); cells > maxCells {
					return nil, false
				}
				for len(*row) < col-1 {
					*row = append(*row, "")
				}
				*row = append(*row, val)
			}
		default:
			return nil, false
		}
	}
}

// cell reads a cell's children up to its end tag and gives its raw value.
func (s *xmlScan) cell(typ string, sst []string) (val, formula string, hasF, ok bool) {
	var v, is string
	hasV, hasIS := false, false
	for {
		t, more := s.next()
		if !more {
			return "", "", false, false
		}
		switch {
		case t.kind == 't' || t.kind == 'p':
			continue
		case t.kind == 'e' && string(t.name) == "c":
			switch typ {
			case "s":
				if !hasV || v == "" {
					return v, formula, hasF, true
				}
				i, err := strconv.Atoi(v)
				if err != nil || i < 0 || i >= len(sst) {
					return "", "", false, false
				}
				return sst[i], formula, hasF, true
			case "inlineStr":
				if hasIS {
					return is, formula, hasF, true
				}
				return v, formula, hasF, true
			default:
				return v, formula, hasF, true
			}
		case t.kind == 's' && string(t.name) == "v" && !hasV:
			hasV = true
			if t.empty {
				continue
			}
			if v, ok = s.textUntil("v"); !ok {
				return "", "", false, false
			}
		case t.kind == 's' && string(t.name) == "f" && !hasF:
			hasF = true
			if t.empty {
				continue
			}
			if formula, ok = s.textUntil("f"); !ok {
				return "", "", false, false
			}
		case t.kind == 's' && string(t.name) == "is" && !hasIS && !t.empty:
			hasIS = true
			if is, ok = s.onlyT("is"); !ok {
				return "", "", false, false
			}
		default:
			return "", "", false, false
		}
	}
}

// onlyT reads <t>text</t> and the end tag of its parent, nothing else.
func (s *xmlScan) onlyT(parent string) (string, bool) {
	var text string
	seen := false
	for {
		t, more := s.next()
		if !more {
			return "", false
		}
		switch {
		case t.kind == 't' && len(bytes.TrimSpace(t.text)) == 0, t.kind == 'p':
		case t.kind == 's' && string(t.name) == "t" && !seen:
			seen = true
			if t.empty {
				continue
			}
			var ok bool
			if text, ok = s.textUntil("t"); !ok {
				return "", false
			}
		case t.kind == 'e' && string(t.name) == parent:
			// _xHHHH_ escapes are decoded by excelize alone.
			return text, !strings.Contains(text, "_x")
		default:
			return "", false
		}
	}
}

// scanSST reads a shared-string table of plain strings, or reports that it
// cannot (rich text, phonetic runs).
func scanSST(b []byte) ([]string, bool) {
	s := newXMLScan(b)
	var out []string
	for {
		t, more := s.next()
		if !more {
			return out, s.ok
		}
		switch {
		case t.kind == 't' || t.kind == 'p' || string(t.name) == "sst":
		case t.kind == 's' && string(t.name) == "si":
			if t.empty {
				out = append(out, "")
				continue
			}
			v, ok := s.onlyT("si")
			if !ok {
				return nil, false
			}
			out = append(out, v)
		default:
			return nil, false
		}
	}
}
