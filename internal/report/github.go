package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// writeGitHub writes one GitHub Actions workflow command per finding, which
// the runner turns into an annotation on the file and line, then a plain
// summary line for the log.
func writeGitHub(w io.Writer, r Result) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.Findings {
		if _, err := bw.WriteString(annotation(r, f) + "\n"); err != nil {
			return err
		}
	}
	if _, err := bw.WriteString(summary(r) + "\n"); err != nil {
		return err
	}
	return bw.Flush()
}

// jobSummaryLimit is the largest step summary GitHub accepts (1 MiB); a
// larger one is dropped whole, verdict included.
const jobSummaryLimit = 1 << 20

// WriteJobSummary writes the markdown report for $GITHUB_STEP_SUMMARY, so a
// workflow run's page shows the verdict and the findings as a table. When
// the full report would exceed GitHub's limit, each section lists fewer
// findings and says how many it left out.
func WriteJobSummary(w io.Writer, r Result) error {
	if err := writeJobSummary(w, r, jobSummaryLimit); err != nil {
		return fmt.Errorf("write job summary: %w", err)
	}
	return nil
}

func writeJobSummary(w io.Writer, r Result, limit int) error {
	var buf bytes.Buffer
	rows := -1
	for {
		buf.Reset()
		if err := writeMarkdownRows(&buf, r, rows); err != nil {
			return err
		}
		if buf.Len() <= limit || rows == 0 {
			break
		}
		if rows < 0 {
			rows = len(r.Findings)
		}
		rows /= 2
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// annotation renders one finding as a workflow command, e.g.
// ::error file=plans/RTE.cue,line=12,col=3,title=A01 Activity aligned::message
func annotation(r Result, f finding.Finding) string {
	var props []string
	if f.File != "" {
		props = append(props, "file="+escapeProperty(showControls(f.File, true)))
		if f.Line > 0 {
			props = append(props, "line="+strconv.Itoa(f.Line))
			if f.Column > 0 {
				props = append(props, "col="+strconv.Itoa(f.Column))
			}
		}
	}
	title := f.Rule
	if t := r.title(f); t != "" {
		title += " " + t
	}
	props = append(props, "title="+escapeProperty(showControls(title, true)))

	msg := scopeMarker(f) + f.Message
	if note := f.StatusNote(); note != "" {
		msg += " [" + note + "]"
	}
	for _, rel := range f.Related {
		if t := relatedText(rel); t != "" {
			msg += "\nsee also " + t
		}
	}

	var b strings.Builder
	b.WriteString("::")
	b.WriteString(annotationLevel(f))
	b.WriteByte(' ')
	b.WriteString(strings.Join(props, ","))
	b.WriteString("::")
	// Line breaks survive as %0A, so a message keeps its shape in the
	// annotation; other control characters would reach the log viewer.
	b.WriteString(escapeData(showControls(msg, true)))
	return b.String()
}

// annotationLevel maps a finding to the runner's three annotation levels.
// Findings that no longer block become notices, so a pull request's checks
// tab shows red and yellow only for what still needs work.
func annotationLevel(f finding.Finding) string {
	if f.Status != finding.Open {
		return "notice"
	}
	switch f.Severity {
	case finding.Error:
		return "error"
	case finding.Warning:
		return "warning"
	default:
		return "notice"
	}
}

// escapeData escapes a workflow command's message as the runner expects
// (actions/toolkit command.ts): without it a newline in a plan's text could
// start a command of its own.
var escapeData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// escapeProperty additionally escapes the separators of the property list.
var escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
