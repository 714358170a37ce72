package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

func TestGitHubGolden(t *testing.T) { testGolden(t, "github", "txt") }

func TestAnnotation(t *testing.T) {
	at := finding.Location{File: "plans/RTE.cue", Line: 12, Column: 4}
	tests := []struct {
		name string
		f    finding.Finding
		want string
	}{
		{"error with catalogue title",
			finding.Finding{Rule: "A01", Severity: finding.Error, Message: "6.6% apart", Location: at},
			"::error file=plans/RTE.cue,line=12,col=4,title=A01 Activity agrees between commissioner and provider::6.6%25 apart"},
		{"warning with its own title",
			finding.Finding{Rule: "B05", Title: "Agency within ceiling", Severity: finding.Warning, Message: "m",
				Location: finding.Location{File: "plans/RTE.cue", Line: 3}},
			"::warning file=plans/RTE.cue,line=3,title=B05 Agency within ceiling::m"},
		{"info without a line",
			finding.Finding{Rule: "B08", Severity: finding.Info, Message: "m", Location: finding.Location{File: "plans/RTE.cue"}},
			"::notice file=plans/RTE.cue,title=B08 Monthly profile is seasonal::m"},
		{"no file, unknown rule",
			finding.Finding{Rule: "X01", Severity: finding.Error, Message: "m"},
			"::error title=X01::m"},
		{"explained warning becomes a notice",
			finding.Finding{Rule: "B01", Severity: finding.Warning, Message: "m", Location: at,
				Status: finding.Explained, Reason: "winter beds"},
			"::notice file=plans/RTE.cue,line=12,col=4,title=B01 Beds fit the planned activity::m [explained: winter beds]"},
		{"waived error becomes a notice",
			finding.Finding{Rule: "C01", Severity: finding.Error, Message: "m", Status: finding.Waived, Reason: "agreed"},
			"::notice title=C01 Control total met::m [waived: agreed]"},
		{"related on further lines; the catalogue's title over the finding's",
			finding.Finding{Rule: "A01", Title: "t", Severity: finding.Error, Message: "m",
				Related: []finding.Location{{Org: "15M", File: "plans/15M.cue", Line: 8}, {Org: "00L"}}},
			"::error title=A01 Activity agrees between commissioner and provider::m%0Asee also plans/15M.cue:8 (15M)%0Asee also 00L"},
		{"hostile properties",
			finding.Finding{Rule: "Z99", Title: "a, b: c%", Severity: finding.Warning, Message: "m\r\n::error::x",
				Location: finding.Location{File: "dir/a,b:c%\n.cue", Line: 1}},
			"::warning file=dir/a%2Cb%3Ac%25%0A.cue,line=1,title=Z99 a%2C b%3A c%25::m%0D%0A::error::x"},
		{"terminal escapes",
			finding.Finding{Rule: "Z99", Title: "t\x1b[2J", Severity: finding.Warning, Message: "m\x1b[31m\tred"},
			"::warning title=Z99 t\\x1b[2J::m\\x1b[31m red"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := annotation(Result{Rules: rules}, tt.f); got != tt.want {
				t.Errorf("annotation()\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\nb\rc", "a%0Ab%0Dc", "a%0Ab%0Dc"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"%0A", "%250A", "%250A"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

// TestGitHubHostile checks that plan text cannot start a workflow command of
// its own and that the runner's unescaping gives the text back.
func TestGitHubHostile(t *testing.T) {
	out := string(render(t, "github", hostile))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(hostile.Findings)+1 {
		t.Fatalf("%d lines for %d findings:\n%s", len(lines), len(hostile.Findings), out)
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "::warning ") && !strings.HasPrefix(l, "::notice ") {
			t.Errorf("line is not one annotation: %q", l)
		}
	}
	if last := lines[len(lines)-1]; strings.HasPrefix(last, "::") || last != summary(hostile) {
		t.Errorf("last line = %q, want the plain summary", last)
	}
	// The runner splits at the first "::" after the command and unescapes.
	_, data, ok := strings.Cut(strings.TrimPrefix(lines[0], "::"), "::")
	if !ok {
		t.Fatalf("no message in %q", lines[0])
	}
	unescape := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace
	text := strings.ReplaceAll(hostileText, "\x1b", `\x1b`)
	want := text + " [explained by R1F; awaiting X2C4Y: " + text + "]\nsee also plans/x|y.cue:2 (X2C4Y)"
	if got := unescape(data); got != want {
		t.Errorf("message after unescaping = %q, want %q", got, want)
	}
}

func TestWriteJobSummaryWriterError(t *testing.T) {
	if err := WriteJobSummary(failingWriter{}, mixed); !errors.Is(err, errDiskFull) {
		t.Errorf("WriteJobSummary = %v, want the writer's error", err)
	}
}

func TestWriteJobSummary(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJobSummary(&buf, c.r); err != nil {
				t.Fatal(err)
			}
			if want := render(t, "markdown", c.r); !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("job summary differs from the markdown report:\n%s", buf.String())
			}
		})
	}
}

// TestJobSummaryLimit checks that an oversized summary keeps its verdict and
// counts and drops rows instead, saying how many.
func TestJobSummaryLimit(t *testing.T) {
	r := many()
	full := render(t, "markdown", r)
	tests := []struct {
		name      string
		limit     int
		wantRows  int
		wantNote  string
		wantWhole bool
	}{
		{"fits", len(full), 12, "", true},
		{"halved", len(full) - 1, 6, "6 more findings not listed here", false},
		{"tiny", 10, 0, "12 more findings not listed here", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeJobSummary(&buf, r, tt.limit); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if got := bytes.Equal(buf.Bytes(), full); got != tt.wantWhole {
				t.Errorf("whole report = %v, want %v", got, tt.wantWhole)
			}
			if !strings.HasPrefix(out, "# Not submittable: 12 blocking findings\n") {
				t.Errorf("verdict lost:\n%s", out)
			}
			if rows := strings.Count(out, "| I01 |"); rows != tt.wantRows {
				t.Errorf("%d rows, want %d", rows, tt.wantRows)
			}
			if tt.wantNote != "" && !strings.Contains(out, tt.wantNote) {
				t.Errorf("no note %q in:\n%s", tt.wantNote, out)
			}
			if tt.limit >= 1000 && len(out) > tt.limit {
				t.Errorf("summary of %d bytes exceeds the limit %d", len(out), tt.limit)
			}
		})
	}
}
