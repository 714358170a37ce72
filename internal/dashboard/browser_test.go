package dashboard_test

import (
	"context"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/triangulate-nhs/triangulate/internal/dashboard"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// chromiumPath finds Debian's Chromium: $TRIANGULATE_CHROMIUM, then
// /usr/bin/chromium, then chromium on PATH.
func chromiumPath() string {
	for _, p := range []string{os.Getenv("TRIANGULATE_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	p, _ := exec.LookPath("chromium")
	return p
}

// screenshotDir is where the browser test writes its screenshots.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("TRIANGULATE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "triangulate-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is one headless Chromium tab that records everything the page
// writes to the console, every uncaught exception, every browser log entry
// and every request.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	console  []string
	requests []string
}

func newBrowser(t *testing.T, path string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(b.record))
	ctx, cancelTimeout := context.WithTimeout(ctx, 8*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	b.ctx = ctx
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	return b
}

// record runs in the tab's read loop: it only appends.
func (b *browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value)+a.Description)
		}
		b.console = append(b.console, fmt.Sprintf("console.%s(%s)", ev.Type, strings.Join(args, ", ")))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		b.console = append(b.console, "exception: "+text)
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			b.console = append(b.console, fmt.Sprintf("log %s: %s %s", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	}
}

// drain returns and forgets what was recorded.
func (b *browser) drain() (console, requests []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	console, requests = b.console, b.requests
	b.console, b.requests = nil, nil
	return console, requests
}

// navTiming is the page's navigation timing (ms from navigation start).
type navTiming struct {
	DOMContentLoaded float64 `json:"domContentLoadedEventEnd"`
	Load             float64 `json:"loadEventEnd"`
	Transfer         float64 `json:"transferSize"`
}

// open navigates to url, waits for the load event and returns the timing.
func (b *browser) open(t *testing.T, url string) navTiming {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	var nt navTiming
	for range 50 {
		var err error
		nt, err = chromedp.Run(b.ctx, chromedp.Evaluate[navTiming](`performance.getEntriesByType("navigation")[0].toJSON()`))
		if err != nil {
			t.Fatalf("read navigation timing of %s: %v", url, err)
		}
		if nt.Load > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nt
}

func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// pageChecks are what every page must pass in the browser.
const pageChecks = `(() => {
  const bad = [];
  if (document.querySelectorAll("h1").length !== 1) bad.push("want one h1");
  if (document.scripts.length) bad.push("page has a script");
  for (const th of document.querySelectorAll("th")) if (!th.getAttribute("scope")) bad.push("th without scope: " + th.textContent);
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.getAttribute("role") !== "img") bad.push("svg without role=img");
    const ids = (svg.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
    if (ids.length !== 2) bad.push("svg not labelled by its title and description");
    for (const id of ids) { const e = document.getElementById(id); if (!e || !e.textContent.trim()) bad.push("svg label " + id + " empty"); }
    const fig = svg.closest("figure");
    if (!fig || !fig.querySelector("details table tbody tr")) bad.push("chart " + svg.id + " has no data table");
  }
  for (const a of document.querySelectorAll("a[href]")) if (a.protocol === "javascript:") bad.push("javascript: link");
  // Readable at 1280 px: wide tables scroll inside their own region, the
  // page itself never sideways.
  if (document.documentElement.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth && !e.closest(".scroll")).slice(0, 3).map(e => e.tagName + "." + e.className);
    bad.push("page scrolls sideways: " + document.documentElement.scrollWidth + " px wide (" + wide.join(", ") + ")");
  }
  return bad;
})()`

func TestBrowser(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		t.Skip("Chromium not found (/usr/bin/chromium, $TRIANGULATE_CHROMIUM or PATH): install Debian's chromium package to run the browser test")
	}
	shots := screenshotDir(t)
	b := newBrowser(t, path)

	// One server holds the sites and a stand-in for the repository host,
	// which serves each file at the commit with one element per line, as
	// GitHub's blob view anchors #L<n>.
	const commit = "0123456789abcdef0123456789abcdef01234567"
	var mu sync.Mutex
	root, repos := t.TempDir(), map[string]fs.FS{}
	mux := http.NewServeMux()
	mux.Handle("GET /site/", http.StripPrefix("/site/", http.FileServer(http.Dir(root))))
	mux.HandleFunc("GET /host/{name}/plans/blob/{commit}/{path...}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fsys := repos[r.PathValue("name")]
		mu.Unlock()
		src, err := fs.ReadFile(fsys, r.PathValue("path"))
		if fsys == nil || r.PathValue("commit") != commit || err != nil {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `<!doctype html><title>blob</title><link rel="icon" href="data:,">`)
		for i, l := range strings.Split(string(src), "\n") {
			fmt.Fprintf(w, "<div id=\"L%d\">%s</div>\n", i+1, html.EscapeString(l))
		}
	})
	mux.HandleFunc("GET /selftest", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>x</title><link rel="icon" href="data:,"><script>console.error("listened"); throw new Error("thrown")</script>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The listener can fail: a page that logs an error and throws is caught.
	b.open(t, srv.URL+"/selftest")
	if console, _ := b.drain(); len(console) < 2 {
		t.Fatalf("self-test page: recorded %q, want its console.error and its exception", console)
	}

	england, err := generate.Generate(os.DirFS(testutil.Root(t)), generate.Options{Systems: generate.DefaultSystems, Seed: 1, Faults: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	national := fstest.MapFS{}
	for name, data := range england {
		national[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	// The reference list folds two systems into a third, so one system
	// page has over 30 members, as the largest real systems do.
	ref := national["plans/organisations.cue"]
	for _, from := range []string{"QFT", "Q66"} {
		ref.Data = []byte(strings.ReplaceAll(string(ref.Data), `system: "`+from+`"`, `system: "QSR"`))
	}

	history, historyFS := withHistory(t, time.Date(2019, 4, 20, 0, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		name string
		fsys fs.FS
		in   func() dashboard.Input
	}{
		{"bundled", historyFS, func() dashboard.Input { return history }},
		{"hostile", hostileFS(t), nil},
		{"national", national, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.drain() // what an earlier case left behind
			var in dashboard.Input
			if tc.in != nil {
				in = tc.in()
			} else {
				in = judged(t, tc.fsys)
			}
			in.Source = dashboard.Source{Label: tc.name, RepoURL: srv.URL + "/host/" + tc.name + "/plans", Commit: commit}
			dir := filepath.Join(root, tc.name)
			start := time.Now()
			if err := dashboard.Write(dir, in); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: site written in %v", tc.name, time.Since(start).Round(time.Millisecond))
			mu.Lock()
			repos[tc.name] = tc.fsys
			mu.Unlock()
			base := srv.URL + "/site/" + tc.name + "/"

			// The national page, the system with most members, and the
			// page of the organisation named by the first finding that has
			// a file and line.
			system, members := busiestSystem(t, dir)
			if tc.name == "national" && members < 30 {
				t.Errorf("the busiest system has %d members, want over 30", members)
			}
			org := ""
			var first finding.Finding
			for _, f := range in.Findings {
				if f.Org != "" && f.Line > 0 && f.Scope == "" {
					first, org = f, f.Org
					break
				}
			}
			if org == "" {
				t.Fatal("no finding with a file and line to follow")
			}
			pages := []string{"index.html", "systems/" + system + ".html", "orgs/" + org + ".html"}
			for _, p := range pages {
				nt := b.open(t, base+strings.TrimSuffix(p, "index.html"))
				t.Logf("%s %s: DOMContentLoaded %.0f ms, load %.0f ms, %.0f bytes", tc.name, p, nt.DOMContentLoaded, nt.Load, nt.Transfer)
				if nt.Load <= 0 || nt.Load > 10000 {
					t.Errorf("%s: load event at %.0f ms", p, nt.Load)
				}
				for _, bad := range eval[[]string](t, b, pageChecks) {
					t.Errorf("%s: %s", p, bad)
				}
				if p != pages[2] {
					cells := eval[int](t, b, `document.querySelectorAll("table.matrix tbody td").length`)
					if cells == 0 {
						t.Errorf("%s: no alignment matrix", p)
					}
				}
				if tc.name == "hostile" && p == pages[1] {
					// RTK's name is on its system's page as text, and
					// nothing in it became an element.
					if !eval[bool](t, b, "document.body.innerText.includes("+strconv.Quote(hostile)+")") {
						t.Errorf("%s: the hostile name is not shown as text", p)
					}
					if n := eval[int](t, b, `document.querySelectorAll("img, iframe, object, embed, [onerror], [onclick]").length`); n != 0 {
						t.Errorf("%s: %d elements came from plan text", p, n)
					}
				}
				if charts := eval[int](t, b, `document.querySelectorAll("figure.chart svg").length`); charts == 0 {
					t.Errorf("%s: no chart", p)
				}
				if p == pages[0] || p == pages[1] {
					png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
					if err != nil {
						t.Fatal(err)
					}
					name := filepath.Join(shots, tc.name+"-"+strings.NewReplacer("/", "-", ".html", "").Replace(p)+".png")
					if err := os.WriteFile(name, png, 0o644); err != nil {
						t.Fatal(err)
					}
					t.Logf("screenshot: %s", name)
				}
				// Keyboard: the first Tab lands on the skip link, which
				// shows its focus.
				if err := chromedp.Do(b.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
					t.Fatal(err)
				}
				focus := eval[string](t, b, `document.activeElement.className + " " + getComputedStyle(document.activeElement).outlineStyle`)
				if focus != "skip solid" {
					t.Errorf("%s: after Tab the focus is on %q, want the skip link with a solid outline", p, focus)
				}
				console, requests := b.drain()
				for _, c := range console {
					t.Errorf("%s: %s", p, c)
				}
				for _, r := range requests {
					if !strings.HasPrefix(r, srv.URL+"/site/") && !strings.HasPrefix(r, "data:") {
						t.Errorf("%s: requested %s: the site must work offline", p, r)
					}
				}
			}

			// The organisation's first finding links to its file and line
			// at the commit, and following the link lands on that line.
			href := eval[string](t, b, `document.querySelector(".finding a.file").href`)
			want := in.Source.Blob(first.File, first.Line)
			if href != want {
				t.Fatalf("first finding on %s links to %s, want %s", org, href, want)
			}
			if err := chromedp.Do(b.ctx, chromedp.Click(".finding a.file")); err != nil {
				t.Fatal(err)
			}
			// Until the navigation settles the old page may answer, or
			// none: poll, and let evaluation errors pass while it does.
			var got string
			for range 250 {
				got, _ = chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href.startsWith(`+strconv.Quote(want)+`) && document.readyState === "complete" && document.getElementById(location.hash.slice(1)) ? location.hash + " " + document.getElementById(location.hash.slice(1)).textContent : ""`))
				if got != "" {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			src, err := fs.ReadFile(tc.fsys, first.File)
			if err != nil {
				t.Fatal(err)
			}
			line := strings.Split(string(src), "\n")[first.Line-1]
			if wantLine := fmt.Sprintf("#L%d %s", first.Line, line); got != wantLine {
				t.Errorf("following %s landed on %q, want %q", href, got, wantLine)
			}
			b.drain()
		})
	}
}

// busiestSystem is the code of the system page with the most members, and
// how many.
func busiestSystem(t *testing.T, dir string) (string, int) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "systems"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("no system pages: %v", err)
	}
	best, most := "", -1
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "systems", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), `<tr><th scope="row"><a href="../orgs/`); n > most {
			best, most = strings.TrimSuffix(e.Name(), ".html"), n
		}
	}
	return best, most
}
