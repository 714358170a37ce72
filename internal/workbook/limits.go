package workbook

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits bound what the importer reads. Zero fields take the defaults.
type Limits struct {
	// MaxBytes is the largest workbook file accepted.
	MaxBytes int64
	// MaxEntries is the most parts (files) in the zip container.
	MaxEntries int
	// MaxUncompressed is the most bytes all parts may expand to, as the
	// central directory declares them and as actually read.
	MaxUncompressed int64
	// MaxRatio is the largest compression ratio of one part over 1 MiB.
	MaxRatio int64
	// MaxRows and MaxCols bound each sheet; MaxCells bounds the workbook.
	MaxRows, MaxCols, MaxCells int
}

// DefaultLimits fit a national template many times over: a plan's workbook
// is about 100 KiB and 20,000 cells.
var DefaultLimits = Limits{
	MaxBytes:        20 << 20,
	MaxEntries:      200,
	MaxUncompressed: 100 << 20,
	MaxRatio:        100,
	MaxRows:         5000,
	MaxCols:         64,
	MaxCells:        500000,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.MaxBytes > 0 {
		d.MaxBytes = l.MaxBytes
	}
	if l.MaxEntries > 0 {
		d.MaxEntries = l.MaxEntries
	}
	if l.MaxUncompressed > 0 {
		d.MaxUncompressed = l.MaxUncompressed
	}
	if l.MaxRatio > 0 {
		d.MaxRatio = l.MaxRatio
	}
	if l.MaxRows > 0 {
		d.MaxRows = l.MaxRows
	}
	if l.MaxCols > 0 {
		d.MaxCols = l.MaxCols
	}
	if l.MaxCells > 0 {
		d.MaxCells = l.MaxCells
	}
	return d
}

// inspect checks the zip container before any spreadsheet parser sees it:
// its size and central directory (entries, declared sizes and ratios), and
// anything that makes a workbook run or fetch something: macros
// (vbaProject.bin, macro-enabled content types), external links and formulas
// referring to other workbooks. It returns why the workbook is refused, or
// "" when it may be opened.
//
// It also returns, by sheet name, the cells that hold a formula (the
// importer reads a formula total as the sum of its months) and, when the
// byte scanner could read every worksheet, their cells.
func inspect(data []byte, l Limits) (refusal string, cells []external, in inspected) {
	if int64(len(data)) > l.MaxBytes {
		return fmt.Sprintf("the workbook is %d bytes, over the limit of %d", len(data), l.MaxBytes), nil, in
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "not an .xlsx workbook (its zip container cannot be read: " + err.Error() + ")", nil, in
	}
	if len(z.File) > l.MaxEntries {
		return fmt.Sprintf("the workbook has %d parts, over the limit of %d", len(z.File), l.MaxEntries), nil, in
	}
	var total uint64
	parts := map[string]*zip.File{}
	for _, f := range z.File {
		name := strings.ToLower(f.Name)
		parts[name] = f
		total += f.UncompressedSize64
		if total > uint64(l.MaxUncompressed) {
			return fmt.Sprintf("the workbook expands to more than %d bytes (a zip bomb?)", l.MaxUncompressed), nil, in
		}
		if f.UncompressedSize64 > 1<<20 && (f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > uint64(l.MaxRatio)) {
			return fmt.Sprintf("part %s compresses more than %d to 1 (a zip bomb?)", f.Name, l.MaxRatio), nil, in
		}
		switch {
		case path.Base(name) == "vbaproject.bin" || strings.HasSuffix(name, ".bin") && strings.Contains(name, "vba"):
			return "the workbook contains macros (" + f.Name + "): save it as a plain .xlsx workbook", nil, in
		case strings.HasPrefix(name, "xl/externallinks/"):
			return "the workbook links to other workbooks (" + f.Name + "): paste the figures as values and remove the links", nil, in
		}
	}
	ct, err := readPart(parts["[content_types].xml"], 1<<20)
	if err != nil {
		return "not an .xlsx workbook: " + err.Error(), nil, in
	}
	lct := strings.ToLower(string(ct))
	switch {
	case strings.Contains(lct, "macroenabled.main+xml") || strings.Contains(lct, `partname="/xl/vbaproject`):
		return "the workbook is macro-enabled (.xlsm): save it as a plain .xlsx workbook", nil, in
	case strings.Contains(lct, "externallink"):
		return "the workbook links to other workbooks: paste the figures as values and remove the links", nil, in
	}
	// Relationships to targets outside the package fetch or link content
	// (linked data, OLE objects, templates); a hyperlink only opens a page
	// when clicked, so it may stay.
	for name, f := range parts {
		if !strings.HasSuffix(name, ".rels") {
			continue
		}
		b, err := readPart(f, 4<<20)
		if err != nil {
			return "part " + f.Name + " cannot be read: " + err.Error(), nil, in
		}
		if t := externalTarget(b); t != "" {
			return "the workbook links to " + strconv.Quote(clip(t)) + " outside itself (" + f.Name + "): paste the figures as values and remove the link", nil, in
		}
	}
	// Formulas that reference another workbook ([1]Sheet!A1 or
	// 'file:///...[book.xlsx]Sheet'!A1) carry figures from outside the plan.
	names, defined := sheetNames(parts)
	for _, d := range defined {
		if why := externalFormula(d.formula); why != "" {
			cells = append(cells, external{"the defined name " + d.name, why})
		}
	}
	in.formulas = map[string]map[string]bool{}
	in.sheets = map[string]*sheetScan{}
	var sst []string
	fast := true
	if f := parts["xl/sharedstrings.xml"]; f != nil {
		b, err := readPart(f, l.MaxUncompressed)
		if err != nil {
			return "part " + f.Name + " cannot be read: " + err.Error(), nil, in
		}
		sst, fast = scanSST(b)
	}
	for _, name := range slices.Sorted(maps.Keys(parts)) {
		f := parts[name]
		if !strings.HasPrefix(name, "xl/worksheets/") || !strings.HasSuffix(name, ".xml") {
			continue
		}
		b, err := readPart(f, l.MaxUncompressed)
		if err != nil {
			return "part " + f.Name + " cannot be read: " + err.Error(), nil, in
		}
		sheet := names[name]
		if sheet == "" {
			sheet = f.Name
		}
		var all map[string]string
		if s, ok := scanSheet(b, sst, l.MaxRows, l.MaxCells); ok && fast {
			in.sheets[sheet], all = s, s.formulas
		} else {
			fast, all = false, scanFormulasXML(b)
		}
		in.formulas[sheet] = map[string]bool{}
		for _, c := range slices.Sorted(maps.Keys(all)) {
			in.formulas[sheet][c] = true
			if why := externalFormula(all[c]); why != "" && len(cells) < 100 {
				cells = append(cells, external{sheet + "!" + c, why})
			}
		}
	}
	if !fast {
		in.sheets = nil
	}
	return "", cells, in
}

// inspected is what inspect read of a workbook it did not refuse.
type inspected struct {
	formulas map[string]map[string]bool
	// sheets are the worksheets by name, when the byte scanner read them
	// all; nil sends the importer to excelize.
	sheets map[string]*sheetScan
}

// readPart reads one part, never more than limit bytes whatever its
// header declares.
func readPart(f *zip.File, limit int64) ([]byte, error) {
	if f == nil {
		return nil, fmt.Errorf("a required part is missing")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("part %s expands past %d bytes", f.Name, limit)
	}
	return b, nil
}

// external is a formula (at Sheet!Cell, or a defined name) that reaches
// outside the workbook, and why.
type external struct{ at, why string }

type definedName struct{ name, formula string }

// externalTarget returns the target of the first relationship of a .rels
// part that points outside the package, other than a hyperlink.
func externalTarget(b []byte) string {
	var r struct {
		Rels []struct {
			Type       string `xml:"Type,attr"`
			Target     string `xml:"Target,attr"`
			TargetMode string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(b, &r) != nil {
		if bytes.Contains(bytes.ToLower(b), []byte("external")) {
			return "an unreadable relationship"
		}
		return ""
	}
	for _, rel := range r.Rels {
		if strings.EqualFold(rel.TargetMode, "External") && !strings.HasSuffix(rel.Type, "/hyperlink") {
			return rel.Target
		}
	}
	return ""
}

// sheetNames maps worksheet part names to the sheet names users see, and
// lists the workbook's defined names.
func sheetNames(parts map[string]*zip.File) (map[string]string, []definedName) {
	out := map[string]string{}
	wb, err1 := readPart(parts["xl/workbook.xml"], 4<<20)
	rels, err2 := readPart(parts["xl/_rels/workbook.xml.rels"], 4<<20)
	if err1 != nil || err2 != nil {
		return out, nil
	}
	var w struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
		Defined []struct {
			Name    string `xml:"name,attr"`
			Formula string `xml:",chardata"`
		} `xml:"definedNames>definedName"`
	}
	var r struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(wb, &w) != nil || xml.Unmarshal(rels, &r) != nil {
		return out, nil
	}
	var defined []definedName
	for _, d := range w.Defined {
		defined = append(defined, definedName{d.Name, d.Formula})
	}
	target := map[string]string{}
	for _, rel := range r.Rels {
		t := strings.TrimPrefix(rel.Target, "/")
		if !strings.HasPrefix(t, "xl/") {
			t = "xl/" + t
		}
		target[rel.ID] = strings.ToLower(path.Clean(t))
	}
	for _, s := range w.Sheets {
		if t, ok := target[s.ID]; ok {
			out[t] = s.Name
		}
	}
	return out, defined
}

// scanFormulasXML maps the cells of a worksheet part that hold a formula
// to the formula, for parts the byte scanner does not read.
func scanFormulasXML(b []byte) map[string]string {
	all := map[string]string{}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = func(string, io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("only UTF-8 worksheets are read")
	}
	var cur string
	var text strings.Builder
	inF := false
	for {
		tok, err := d.Token()
		if err != nil {
			return all
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "c":
				cur = ""
				for _, a := range t.Attr {
					if a.Name.Local == "r" {
						cur = a.Value
					}
				}
			case "f":
				inF = true
				text.Reset()
				all[cur] = ""
			}
		case xml.EndElement:
			if t.Name.Local == "f" && inF {
				inF = false
				all[cur] = text.String()
			}
		case xml.CharData:
			if inF && text.Len() < 1<<16 {
				text.Write(t)
			}
		}
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func localName(n []byte) []byte {
	if c := bytes.LastIndexByte(n, ':'); c >= 0 {
		return n[c+1:]
	}
	return n
}

var (
	// stringLiteral is a formula's "text", with "" for a quote inside.
	stringLiteral = regexp.MustCompile(`"(?:[^"]|"")*"`)
	// workbookRef is a reference into another workbook: [1]Sheet1!A1,
	// '[1]My sheet'!A1, [Book.xlsx]Sheet1!A1, [1]!Name. A structured
	// reference (Table1[Total], Table1[[#This Row],[M1]]) is never followed
	// by a sheet name and '!'.
	workbookRef = regexp.MustCompile(`\[[^\[\]]+\][^\[\]!(),;+\-*/^&=<>"]*!`)
	// quotedPath is a quoted sheet part holding characters no sheet name
	// may hold (/ \ : [ ]): a path or URL of another file.
	quotedPath = regexp.MustCompile(`'(?:[^']|'')*[/\\:\[\]](?:[^']|'')*'!`)
	// fetches are functions that fetch data from outside the workbook, and
	// DDE links (app|topic!item).
	fetches = regexp.MustCompile(`(?i)\b(?:WEBSERVICE|RTD|CALL|REGISTER\.ID|FILTERXML|IMAGE)\s*\(|\|`)
)

// externalFormula tells whether a formula refers to anything outside the
// workbook, and names what.
func externalFormula(f string) string {
	f = stringLiteral.ReplaceAllString(f, `""`)
	switch {
	case workbookRef.MatchString(f):
		return "the formula refers to another workbook"
	case fetches.MatchString(f):
		return "the formula fetches data from outside the workbook"
	case quotedPath.MatchString(f):
		return "the formula refers to a file or address outside the workbook"
	}
	return ""
}
