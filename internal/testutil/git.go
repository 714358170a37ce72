package testutil

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Git is an in-memory repository whose first commit on main holds the
// repository's own schema, policies and plans.
type Git struct {
	t    testing.TB
	Repo *git.Repository
	FS   billy.Filesystem
	wt   *git.Worktree
	tick int
	// clock is the day commits are dated from: a commit is dated clock
	// plus one minute per commit made so far.
	clock time.Time
}

// NewGit creates the repository in memory and commits the shipped files to
// main.
func NewGit(t testing.TB) *Git {
	t.Helper()
	r, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: plumbing.Main})
	if err != nil {
		t.Fatal(err)
	}
	return newGit(t, r)
}

// NewGitDir is NewGit on disk, in a temporary directory, for code that opens
// a repository by path.
func NewGitDir(t testing.TB) (*Git, string) {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		t.Fatal(err)
	}
	return newGit(t, r), dir
}

func newGit(t testing.TB, r *git.Repository) *Git {
	t.Helper()
	return seedGit(t, r, RepoFS(t))
}

// NewGitOf is NewGit with src (a generated England, say) as the first
// commit on main instead of the shipped repository.
func NewGitOf(t testing.TB, src fstest.MapFS) *Git {
	t.Helper()
	r, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: plumbing.Main})
	if err != nil {
		t.Fatal(err)
	}
	return seedGit(t, r, src)
}

func seedGit(t testing.TB, r *git.Repository, src fstest.MapFS) *Git {
	t.Helper()
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	g := &Git{t: t, Repo: r, FS: wt.Filesystem, wt: wt, clock: time.Date(2019, 3, 1, 9, 0, 0, 0, time.UTC)}
	names := make([]string, 0, len(src))
	for name := range src {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g.Write(name, string(src[name].Data))
	}
	g.Commit("plans as submitted")
	return g
}

// Read returns a file of the work tree.
func (g *Git) Read(name string) string {
	g.t.Helper()
	f, err := g.FS.Open(name)
	if err != nil {
		g.t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// Write puts a file in the work tree and stages it.
func (g *Git) Write(name, data string) {
	g.t.Helper()
	f, err := g.FS.Create(name)
	if err != nil {
		g.t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		g.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		g.t.Fatal(err)
	}
	if _, err := g.wt.Add(name); err != nil {
		g.t.Fatal(err)
	}
}

// Replace edits a file in place; old must occur exactly once.
func (g *Git) Replace(name, old, new string) {
	g.t.Helper()
	data := g.Read(name)
	if n := strings.Count(data, old); n != 1 {
		g.t.Fatalf("replace in %s: %q occurs %d times, want 1", name, old, n)
	}
	g.Write(name, strings.Replace(data, old, new, 1))
}

// Stage adds a path already written through FS (a symlink, say).
func (g *Git) Stage(name string) {
	g.t.Helper()
	if _, err := g.wt.Add(name); err != nil {
		g.t.Fatal(err)
	}
}

// Commit records the staged changes on the current branch.
func (g *Git) Commit(msg string) string {
	g.t.Helper()
	g.tick++
	sig := &object.Signature{Name: "Planning lead", Email: "lead@example.nhs.uk",
		When: g.clock.Add(time.Duration(g.tick) * time.Minute)}
	h, err := g.wt.Commit(msg, &git.CommitOptions{Author: sig, AllowEmptyCommits: true})
	if err != nil {
		g.t.Fatal(err)
	}
	return h.String()
}

// SetClock dates the commits that follow from t (one minute apart), so a
// test can make a history span weeks and deadlines. The first commit is
// dated 2019-03-01 09:01 UTC.
func (g *Git) SetClock(t time.Time) {
	g.clock = t.Add(-time.Duration(g.tick) * time.Minute)
}

// Branch creates branch at the current commit and checks it out.
func (g *Git) Branch(name string) {
	g.t.Helper()
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Create: true}); err != nil {
		g.t.Fatal(err)
	}
}

// Checkout switches to an existing branch.
func (g *Git) Checkout(name string) {
	g.t.Helper()
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name)}); err != nil {
		g.t.Fatal(err)
	}
}

// Head is the SHA of the current commit.
func (g *Git) Head() string {
	g.t.Helper()
	h, err := g.Repo.Head()
	if err != nil {
		g.t.Fatal(err)
	}
	return h.Hash().String()
}

// SetRef points ref (a full name, "refs/pull/7/head") at sha, the way
// GitHub keeps a pull request's head.
func (g *Git) SetRef(ref, sha string) {
	g.t.Helper()
	if err := g.Repo.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(ref), plumbing.NewHash(sha))); err != nil {
		g.t.Fatal(err)
	}
}

// CommitMerge records the staged changes as a merge of the current commit
// and others (SHAs): the work tree must already hold the merged files.
func (g *Git) CommitMerge(msg string, others ...string) string {
	g.t.Helper()
	parents := []plumbing.Hash{plumbing.NewHash(g.Head())}
	for _, o := range others {
		parents = append(parents, plumbing.NewHash(o))
	}
	g.tick++
	sig := &object.Signature{Name: "GitHub", Email: "noreply@github.com",
		When: g.clock.Add(time.Duration(g.tick) * time.Minute)}
	h, err := g.wt.Commit(msg, &git.CommitOptions{Author: sig, Parents: parents, AllowEmptyCommits: true})
	if err != nil {
		g.t.Fatal(err)
	}
	return h.String()
}

// GitServer serves one repository over git's smart HTTP protocol on
// loopback, as GitHub serves a clone URL: fetching only, HTTPS basic
// authentication with the user x-access-token, and any reachable commit
// fetchable by SHA.
type GitServer struct {
	// CloneURL is the repository's URL.
	CloneURL string

	mu       sync.Mutex
	sent     int64
	fetches  int
	refusals int
}

// ServeGit serves g's repository until the test ends; a non-empty token is
// required as the basic-auth password.
func ServeGit(t testing.TB, g *Git, token string) *GitServer {
	t.Helper()
	ep, err := transport.NewEndpoint("file:///plans.git")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.NewServer(server.MapLoader{ep.String(): g.Repo.Storer})
	s := &GitServer{}
	session := func(w http.ResponseWriter, r *http.Request) transport.UploadPackSession {
		user, pass, ok := r.BasicAuth()
		if token != "" && (!ok || user != "x-access-token" || pass != token) {
			s.refusals++
			w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return nil
		}
		sess, err := srv.NewUploadPackSession(ep, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return nil
		}
		return sess
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plans.git/info/refs", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.URL.Query().Get("service") != transport.UploadPackServiceName {
			http.Error(w, "only git-upload-pack is served", http.StatusForbidden)
			return
		}
		sess := session(w, r)
		if sess == nil {
			return
		}
		defer sess.Close()
		ar, err := sess.AdvertisedReferencesContext(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		// GitHub lets a client want any reachable commit.
		if err := ar.Capabilities.Set(capability.AllowReachableSHA1InWant); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ar.Prefix = [][]byte{[]byte("# service=" + transport.UploadPackServiceName), pktline.Flush}
		w.Header().Set("Content-Type", "application/x-git-upload-pack-advertisement")
		_ = ar.Encode(w)
	})
	mux.HandleFunc("POST /plans.git/git-upload-pack", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		sess := session(w, r)
		if sess == nil {
			return
		}
		defer sess.Close()
		req := packp.NewUploadPackRequest()
		err := req.Decode(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// go-git's server decodes wants only; the haves follow, and are
		// what keeps a later fetch down to the new objects.
		if req.Haves, err = decodeHaves(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := sess.UploadPack(r.Context(), req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer resp.Close()
		s.fetches++
		w.Header().Set("Content-Type", "application/x-git-upload-pack-result")
		cw := &countingWriter{w: w}
		_ = resp.Encode(cw)
		s.sent += cw.n
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	s.CloneURL = hs.URL + "/plans.git"
	return s
}

// Sent is the bytes of packs (and their negotiation) served so far.
func (s *GitServer) Sent() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// Fetches counts the packs served; Refusals the requests refused for
// want of credentials.
func (s *GitServer) Fetches() (fetches, refusals int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches, s.refusals
}

// decodeHaves reads the "have" lines that follow a fetch's wants, up to
// "done".
func decodeHaves(r io.Reader) ([]plumbing.Hash, error) {
	var haves []plumbing.Hash
	sc := pktline.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSuffix(string(sc.Bytes()), "\n")
		switch {
		case line == "done":
			return haves, nil
		case strings.HasPrefix(line, "have "):
			haves = append(haves, plumbing.NewHash(strings.TrimPrefix(line, "have ")))
		}
	}
	return haves, sc.Err()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
