package report

import (
	"bufio"
	"io"
	"strings"
)

// writeText writes one line per finding in the file:line:col form editors and
// grep understand, then a summary line ending in the verdict.
func writeText(w io.Writer, r Result) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.Findings {
		var line strings.Builder
		if loc := f.Location.String(); loc != "" {
			line.WriteString(oneLine(loc))
			line.WriteString(": ")
		}
		line.WriteString(string(f.Severity))
		line.WriteByte(' ')
		line.WriteString(oneLine(f.Rule))
		line.WriteByte(' ')
		line.WriteString(oneLine(scopeMarker(f)))
		line.WriteString(oneLine(f.Message))
		if note := f.StatusNote(); note != "" {
			line.WriteString(" [")
			line.WriteString(oneLine(note))
			line.WriteByte(']')
		}
		line.WriteByte('\n')
		for _, rel := range f.Related {
			if t := relatedText(rel); t != "" {
				line.WriteString("    see also ")
				line.WriteString(oneLine(t))
				line.WriteByte('\n')
			}
		}
		if _, err := bw.WriteString(line.String()); err != nil {
			return err
		}
	}
	if _, err := bw.WriteString(summary(r) + "\n"); err != nil {
		return err
	}
	return bw.Flush()
}
