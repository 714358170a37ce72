package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ScanAgrees reads every worksheet of an .xlsx both with the byte scanner
// and with excelize, and returns whether the scanner read them all and the
// first cell where the two disagree ("" when they agree).
func ScanAgrees(data []byte) (fast bool, diff string, err error) {
	why, _, in := inspect(data, DefaultLimits)
	if why != "" {
		return false, "", fmt.Errorf("refused: %s", why)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return false, "", err
	}
	defer x.Close()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false, "", err
	}
	var sst []string
	sstOK := true
	for _, f := range z.File {
		if strings.EqualFold(f.Name, "xl/sharedStrings.xml") {
			b, err := readPart(f, DefaultLimits.MaxUncompressed)
			if err != nil {
				return false, "", err
			}
			sst, sstOK = scanSST(b)
		}
	}
	names, _ := sheetNames(map[string]*zip.File{"xl/workbook.xml": find(z, "xl/workbook.xml"), "xl/_rels/workbook.xml.rels": find(z, "xl/_rels/workbook.xml.rels")})
	fast = in.sheets != nil
	for _, f := range z.File {
		sheet := names[strings.ToLower(f.Name)]
		if sheet == "" {
			continue
		}
		b, err := readPart(f, DefaultLimits.MaxUncompressed)
		if err != nil {
			return false, "", err
		}
		s, ok := scanSheet(b, sst, DefaultLimits.MaxRows, DefaultLimits.MaxCells)
		if !ok || !sstOK {
			continue
		}
		want, err := x.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return false, "", err
		}
		for r := 0; r < max(len(want), len(s.rows)); r++ {
			var w, g []string
			if r < len(want) {
				w = want[r]
			}
			if r < len(s.rows) {
				g = s.rows[r]
			}
			for c := 0; c < max(len(w), len(g)); c++ {
				var wv, gv string
				if c < len(w) {
					wv = w[c]
				}
				if c < len(g) {
					gv = g[c]
				}
				if wv != gv {
					return fast, fmt.Sprintf("%s!%s: excelize reads %q, the scanner %q", sheet, cell(c+1, r+1), wv, gv), nil
				}
			}
		}
	}
	return fast, "", nil
}

func find(z *zip.Reader, name string) *zip.File {
	for _, f := range z.File {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// ExternalFormula is externalFormula, for the tests of its patterns.
var ExternalFormula = externalFormula
