package github

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// What one run may ask of GitHub and read back. A GitHub that is broken, or a
// server that only poses as GitHub, must not keep a CI job busy or exhaust
// its memory: tried on main, a server answering every listing with another
// rel="next" drew 2,265 requests in 100 s without end, and a 400 MiB error
// body took 927 MB to read. A Publisher serves one run, so these are per
// Publisher.
const (
	// requestBudget is how many requests a run may send, every retry
	// counted. A review sends about ten (the pull request, three listings of
	// a page or two, the review, the summary, the status) plus one per
	// outdated comment it deletes, at most the previous run's 50: some 60.
	// Even with all three listings at maxPages (150 more), 500 leaves room
	// for retries, and a server that keeps a run busy is stopped at once.
	requestBudget = 500
	// maxPages is how many times one URL path may be fetched with GET in a
	// run: the pages of one listing, fetched 100 to a page (two listings of
	// one path in a run share it). 5,000 comments or reviews is far beyond
	// what the tool posts at 50 a run, and counting fetches by path also
	// stops a server whose rel="next" loops back to a page already read.
	maxPages = 50
	// maxErrorBodyBytes is how much of an error answer is read. GitHub's
	// error bodies are a message and a documentation URL, under a kilobyte;
	// the rest is cut off, which only shortens the message in the error.
	maxErrorBodyBytes = 64 << 10
	// maxResponseBytes is the largest successful answer read. A page of 100
	// review comments at GitHub's 65,536-character limit is about 7 MiB of
	// JSON; a bigger answer is refused rather than cut, since a cut page
	// would silently drop comments.
	maxResponseBytes = 32 << 20
	// runReadBudget is how much a run reads from GitHub in all, so that
	// maxPages pages of maxResponseBytes each cannot add up to gigabytes.
	// A real run reads well under a megabyte.
	runReadBudget = 128 << 20
)

// Errors a request fails with once a limit is reached: the request is not
// sent (ErrRequestBudget, ErrTooManyPages), or reading its answer fails
// (ErrResponseTooLarge). Error answers are cut at maxErrorBodyBytes instead.
var (
	ErrRequestBudget    = fmt.Errorf("GitHub request budget of %d exhausted", requestBudget)
	ErrTooManyPages     = fmt.Errorf("GitHub listing runs past %d pages", maxPages)
	ErrResponseTooLarge = errors.New("GitHub answer too large")
)

// runLimits counts what one run has asked and read. It is shared by every
// request of a Publisher, which may be made from several goroutines.
type runLimits struct {
	mu       sync.Mutex
	requests int
	pages    map[string]int // GET fetches by URL path
	read     int64
}

func newRunLimits() *runLimits { return &runLimits{pages: map[string]int{}} }

// admit counts a request the caller made (retries are not pages) and refuses
// a GET of a path already fetched maxPages times.
func (l *runLimits) admit(req *http.Request) error {
	if req.Method != http.MethodGet {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pages[req.URL.Path] >= maxPages {
		return fmt.Errorf("refuse page %d of %s: %w", l.pages[req.URL.Path]+1, req.URL.Path, ErrTooManyPages)
	}
	l.pages[req.URL.Path]++
	return nil
}

// spend counts one request about to be sent, retries included.
func (l *runLimits) spend() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.requests >= requestBudget {
		return ErrRequestBudget
	}
	l.requests++
	return nil
}

// bound caps how much of resp's body can be read: an error body is cut at
// maxErrorBodyBytes, a successful one fails past maxResponseBytes, and every
// body counts against runReadBudget.
func (l *runLimits) bound(req *http.Request, resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	b := &boundedBody{rc: resp.Body, run: l, left: maxResponseBytes, what: req.Method + " " + req.URL.Path}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b.left, b.cut = maxErrorBodyBytes, true
	}
	resp.Body = b
}

// take counts n bytes read against the run's budget.
func (l *runLimits) take(n int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.read += int64(n)
	if l.read > runReadBudget {
		return fmt.Errorf("over the %d MiB a run reads: %w", runReadBudget>>20, ErrResponseTooLarge)
	}
	return nil
}

// boundedBody reads at most left bytes of a response body. Closing it before
// the end closes the connection, so the server stops sending.
type boundedBody struct {
	rc   io.ReadCloser
	run  *runLimits
	what string
	left int64
	// cut ends the body quietly at the limit (an error body: the status is
	// what matters) instead of failing the read.
	cut bool
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the limit exactly is allowed: only a byte past it counts.
		var one [1]byte
		if n, err := b.rc.Read(one[:]); n == 0 {
			return 0, err
		}
		if b.cut {
			// go-github keeps a copy of an error body and closes only the
			// copy, so close the connection here, or the server would go
			// on sending until the client's timeout.
			b.rc.Close()
			return 0, io.EOF
		}
		return 0, fmt.Errorf("read answer to %s: over %d MiB: %w", b.what, maxResponseBytes>>20, ErrResponseTooLarge)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if terr := b.run.take(n); terr != nil {
		return n, fmt.Errorf("read answer to %s: %w", b.what, terr)
	}
	return n, err
}

func (b *boundedBody) Close() error { return b.rc.Close() }
