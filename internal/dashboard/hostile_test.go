package dashboard_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"

	"github.com/triangulate-nhs/triangulate/internal/dashboard"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// hostile is text a planner could write into a plan's name or an
// explanation: markup, a script, a javascript: link in HTML and markdown.
const hostile = `<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)> <a href="javascript:alert(4)">x</a> **bold** # heading javascript:alert(5)`

// hostileFS is the bundled plans with hostile text as RTK's name (in the
// reference list and its plan) and as its explanation of B01.
func hostileFS(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := testutil.RepoFS(t)
	edit := func(name, old, new string) {
		t.Helper()
		f := fsys[name]
		if f == nil || !strings.Contains(string(f.Data), old) {
			t.Fatalf("%s: %q not found", name, old)
		}
		f.Data = []byte(strings.Replace(string(f.Data), old, new, 1))
	}
	q := strconv.Quote(hostile)
	edit("plans/organisations.cue", `RTK: {name: "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `RTK: {name: `+q)
	edit("plans/2019-20/providers/rtk.cue", `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name: `+q)
	edit("plans/2019-20/providers/rtk.cue", `text:  "January occupancy of about 94%`, `text:  "`+q[1:len(q)-1]+` January occupancy of about 94%`)
	return fsys
}

// allowed are the elements and attributes the templates write; anything
// else in a page came from the data.
var allowed = map[string][]string{
	"html": {"lang"}, "head": nil, "meta": {"charset", "name", "content"}, "title": nil, "link": {"rel", "href"},
	"body": nil, "a": {"href", "class", "aria-label"}, "header": nil, "nav": {"aria-label"}, "ol": {"class"}, "ul": {"class"},
	"li": {"class", "aria-current", "id"}, "p": {"class"}, "main": {"id"}, "footer": nil, "code": nil, "h1": nil, "h2": {"id"},
	"span": {"class", "aria-hidden"}, "strong": nil, "section": {"aria-labelledby", "class", "id"}, "div": {"class", "role", "aria-labelledby", "aria-label", "tabindex"},
	"table": {"class", "id"}, "caption": {"id"}, "thead": nil, "tbody": nil, "tr": nil, "th": {"scope"}, "td": {"class", "title"},
	"figure": {"class", "id"}, "figcaption": nil, "details": nil, "summary": nil,
	"svg": {"role", "aria-labelledby", "viewbox", "width", "height"}, "desc": {"id"}, "line": {"class", "x1", "x2", "y1", "y2"},
	"text": {"class", "x", "y", "text-anchor"}, "polyline": {"class", "points", "fill"}, "circle": {"class", "cx", "cy", "r"},
	"rect": {"class", "x", "y", "width", "height"},
}

// liveMarkup lists every element, attribute or link in page that the
// templates do not write themselves.
func liveMarkup(page []byte, repoURL string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(string(page)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs, ok := allowed[tok.Data]
			if tok.Data == "title" || tok.Data == "desc" {
				attrs, ok = []string{"id"}, true
			}
			if !ok {
				out = append(out, "element <"+tok.Data+">")
				continue
			}
			for _, a := range tok.Attr {
				if !contains(attrs, a.Key) {
					out = append(out, "attribute "+a.Key+" on <"+tok.Data+">")
				}
				// The one data: URL is the empty icon that keeps the browser
				// from asking the server for /favicon.ico.
				if a.Key == "href" && strings.Contains(a.Val, ":") && !strings.HasPrefix(a.Val, repoURL+"/") && (tok.Data != "link" || a.Val != "data:,") {
					out = append(out, "link "+a.Val)
				}
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Plan names and explanations full of markup reach every page as text:
// nothing in them becomes an element, an attribute or a link.
func TestHostileTextIsText(t *testing.T) {
	in := judged(t, hostileFS(t))
	dir := t.TempDir()
	if err := dashboard.Write(dir, in); err != nil {
		t.Fatal(err)
	}
	shown := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, bad := range liveMarkup(b, testSource.RepoURL) {
			t.Errorf("%s: %s", p, bad)
		}
		text := pageText(b)
		if strings.Contains(text, hostile) {
			shown++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The name and the explanation show on RTK's page and its system's.
	if shown < 2 {
		t.Errorf("hostile text shown as text on %d pages, want at least 2", shown)
	}
	rtk, err := os.ReadFile(filepath.Join(dir, "orgs", "RTK.html"))
	if err != nil {
		t.Fatal(err)
	}
	text := pageText(rtk)
	if !strings.Contains(text, "RTK "+hostile) {
		t.Error("RTK's page does not show its hostile name as text")
	}
	if !strings.Contains(text, hostile+" January occupancy") {
		t.Error("RTK's page does not show its hostile explanation as text")
	}
}

// The check above can fail: a page with live markup is caught.
func TestLiveMarkupCanFail(t *testing.T) {
	for _, page := range []string{
		`<p><script>alert(1)</script></p>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<img src=x onerror=alert(1)>`,
		`<p onclick="alert(1)">x</p>`,
		`<a href="https://elsewhere.example/">x</a>`,
	} {
		if len(liveMarkup([]byte(page), testSource.RepoURL)) == 0 {
			t.Errorf("%s: not caught", page)
		}
	}
}

// pageText is the text a reader sees: the page with its markup removed
// (each tag read as a space, so table cells stay apart) and entities
// decoded.
func pageText(page []byte) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(string(page)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		default:
			b.WriteByte(' ')
		}
	}
}
