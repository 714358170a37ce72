package workbook

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
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
// It also returns, by sheet name, the cells that hold a formula: the
// importer reads a formula total as the sum of its months.
func inspect(data []byte, l Limits) (refusal string, cells []string, formulas map[string]map[string]bool) {
	if int64(len(data)) > l.MaxBytes {
		return fmt.Sprintf("the workbook is %d bytes, over the limit of %d", len(data), l.MaxBytes), nil, nil
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "not an .xlsx workbook (its zip container cannot be read: " + err.Error() + ")", nil, nil
	}
	if len(z.File) > l.MaxEntries {
		return fmt.Sprintf("the workbook has %d parts, over the limit of %d", len(z.File), l.MaxEntries), nil, nil
	}
	var total uint64
	parts := map[string]*zip.File{}
	for _, f := range z.File {
		name := strings.ToLower(f.Name)
		parts[name] = f
		total += f.UncompressedSize64
		if total > uint64(l.MaxUncompressed) {
			return fmt.Sprintf("the workbook expands to more than %d bytes (a zip bomb?)", l.MaxUncompressed), nil, nil
		}
		if f.UncompressedSize64 > 1<<20 && (f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > uint64(l.MaxRatio)) {
			return fmt.Sprintf("part %s compresses more than %d to 1 (a zip bomb?)", f.Name, l.MaxRatio), nil, nil
		}
		switch {
		case path.Base(name) == "vbaproject.bin" || strings.HasSuffix(name, ".bin") && strings.Contains(name, "vba"):
			return "the workbook contains macros (" + f.Name + "): save it as a plain .xlsx workbook", nil, nil
		case strings.HasPrefix(name, "xl/externallinks/"):
			return "the workbook links to other workbooks (" + f.Name + "): paste the figures as values and remove the links", nil, nil
		}
	}
	ct, err := readPart(parts["[content_types].xml"], 1<<20)
	if err != nil {
		return "not an .xlsx workbook: " + err.Error(), nil, nil
	}
	lct := strings.ToLower(string(ct))
	switch {
	case strings.Contains(lct, "macroenabled.main+xml") || strings.Contains(lct, `partname="/xl/vbaproject`):
		return "the workbook is macro-enabled (.xlsm): save it as a plain .xlsx workbook", nil, nil
	case strings.Contains(lct, "externallink"):
		return "the workbook links to other workbooks: paste the figures as values and remove the links", nil, nil
	}
	// Formulas that reference another workbook ([1]Sheet!A1 or
	// 'file:///...[book.xlsx]Sheet'!A1) carry figures from outside the plan.
	names := sheetNames(parts)
	formulas = map[string]map[string]bool{}
	for name, f := range parts {
		if !strings.HasPrefix(name, "xl/worksheets/") || !strings.HasSuffix(name, ".xml") {
			continue
		}
		b, err := readPart(f, l.MaxUncompressed)
		if err != nil {
			return "part " + f.Name + " cannot be read: " + err.Error(), nil, nil
		}
		sheet := names[name]
		if sheet == "" {
			sheet = f.Name
		}
		all, ext := scanFormulas(b)
		formulas[sheet] = all
		for _, c := range ext {
			cells = append(cells, sheet+"!"+c)
		}
	}
	return "", cells, formulas
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

// sheetNames maps worksheet part names to the sheet names users see.
func sheetNames(parts map[string]*zip.File) map[string]string {
	out := map[string]string{}
	wb, err1 := readPart(parts["xl/workbook.xml"], 4<<20)
	rels, err2 := readPart(parts["xl/_rels/workbook.xml.rels"], 4<<20)
	if err1 != nil || err2 != nil {
		return out
	}
	var w struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var r struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(wb, &w) != nil || xml.Unmarshal(rels, &r) != nil {
		return out
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
	return out
}

// scanFormulas lists the cells of a worksheet part that hold a formula, and
// those whose formula refers to another workbook.
func scanFormulas(b []byte) (all map[string]bool, out []string) {
	all = map[string]bool{}
	d := xml.NewDecoder(bytes.NewReader(b))
	var cur string
	inF := false
	for {
		tok, err := d.Token()
		if err != nil {
			return all, out
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
				all[cur] = true
			}
		case xml.EndElement:
			if t.Name.Local == "f" {
				inF = false
			}
		case xml.CharData:
			if inF && (bytes.Contains(t, []byte("[")) || bytes.Contains(bytes.ToLower(t), []byte("file:")) || bytes.Contains(bytes.ToLower(t), []byte("http"))) {
				if len(out) < 100 {
					out = append(out, cur)
				}
			}
		}
	}
}
