package gitrepo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// FetchTimeout bounds one fetch, waiting for the repository's lock aside. A
// first fetch of MaxPackBytes at a modest 4 MB/s takes about four and a half
// minutes; later fetches bring only the commits pushed since, and take
// seconds. A fetch that runs longer is stuck, and the review is retried.
const FetchTimeout = 5 * time.Minute

// MaxPackBytes bounds the packfile one fetch may write: GitHub recommends
// repositories stay under 1 GB, and a plan repository (text, a few hundred
// files a year) is a small fraction of that, so a larger pack is not a plan
// repository and must not fill the server's disk.
const MaxPackBytes = 1 << 30

// maxReaders bounds the reviews reading one cached repository at once; a
// fetch into it waits for them all (see repoLock). The server's worker pool
// is far smaller, so it never waits on this bound in practice.
const maxReaders = 64

// GitHubUser is the user name GitHub expects with an installation token (or
// a GITHUB_TOKEN) as the password of HTTPS basic authentication.
const GitHubUser = "x-access-token"

// Auth is HTTPS basic authentication for a fetch; the zero Auth sends none.
type Auth struct {
	Username, Password string
}

// TokenAuth authenticates to GitHub with an installation token.
func TokenAuth(token string) Auth { return Auth{Username: GitHubUser, Password: token} }

// Errors of Fetch, to test with errors.Is.
var (
	// ErrPackTooLarge is returned when a fetch would write more than
	// MaxPackBytes.
	ErrPackTooLarge = errors.New("packfile over the size a fetch accepts")
	// ErrCloneURL is returned for a clone URL a cache does not fetch from.
	ErrCloneURL = errors.New("clone URL refused")
)

// Cache keeps one bare repository per clone URL under a directory, so each
// review fetches only what was pushed since the last one. Fetches into one
// repository are serialised, and wait for the reviews reading it; different
// repositories are fetched and read concurrently. One process owns a cache
// directory: the locks are in memory.
type Cache struct {
	dir string
	// maxPack is MaxPackBytes, smaller in tests.
	maxPack int64

	mu    sync.Mutex
	locks map[string]*repoLock // by repository directory
}

// NewCache keeps repositories under dir, creating it when missing.
func NewCache(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create repository cache %s: %w", dir, err)
	}
	return &Cache{dir: dir, maxPack: MaxPackBytes, locks: map[string]*repoLock{}}, nil
}

// Fetch brings wants into the cached repository of cloneURL and opens it for
// reading. A want is either a ref ("refs/heads/main", "refs/pull/7/head"),
// fetched to the same name and forced, since branches are rewritten, or a
// full commit SHA that must be there afterwards: when the refs did not
// bring it, it is asked for by SHA (GitHub serves any reachable commit: a
// merge group's head, or a pull request's head before refs/pull/N/head
// catches up). Tags are never fetched.
//
// The returned Repo holds a read lock on the repository until Close: call it
// when the review is done, and never Fetch the same repository while holding
// one, or the fetch waits for ever.
//
// cloneURL is https:// (GitHub), or for tests and trials http:// on loopback,
// file:// or a local path. Credentials are sent over https and loopback only,
// never in the URL; the cache never stores them.
func (c *Cache) Fetch(ctx context.Context, cloneURL string, auth Auth, wants ...string) (*Repo, error) {
	ep, err := checkCloneURL(cloneURL, auth)
	if err != nil {
		return nil, err
	}
	specs, shas, err := refSpecs(wants)
	if err != nil {
		return nil, fmt.Errorf("fetch from %s: %w", where(ep), err)
	}
	what := fmt.Sprintf("%s from %s", strings.Join(wants, ", "), where(ep))
	dir := filepath.Join(c.dir, cacheName(ep))
	l := c.lock(dir)
	if err := l.lock(ctx); err != nil {
		return nil, fmt.Errorf("fetch %s: wait for the repository: %w", what, err)
	}
	err = fetchInto(ctx, dir, cloneURL, auth, specs, shas, c.maxPack)
	l.unlock()
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", what, err)
	}
	if err := l.rlock(ctx); err != nil {
		return nil, fmt.Errorf("open cached %s: %w", where(ep), err)
	}
	r, err := git.Open(newStorage(osfs.New(dir)), nil)
	if err != nil {
		l.runlock()
		return nil, fmt.Errorf("open cached %s: %w", where(ep), err)
	}
	repo := Wrap(r)
	var once sync.Once
	repo.close = func() error {
		once.Do(l.runlock)
		return nil
	}
	return repo, nil
}

func (c *Cache) lock(dir string) *repoLock {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.locks[dir]
	if !ok {
		l = newRepoLock()
		c.locks[dir] = l
	}
	return l
}

// checkCloneURL parses cloneURL and refuses what the cache does not fetch
// from: other protocols, credentials in the URL (they would land in error
// messages and logs), and credentials over plain HTTP off loopback.
func checkCloneURL(cloneURL string, auth Auth) (*transport.Endpoint, error) {
	ep, err := transport.NewEndpoint(cloneURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCloneURL, err)
	}
	switch ep.Protocol {
	case "https", "file":
	case "http":
		if ip := net.ParseIP(ep.Host); auth != (Auth{}) && ep.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("%w: credentials are sent over plain http to loopback only, not %s", ErrCloneURL, ep.Host)
		}
	default:
		return nil, fmt.Errorf("%w: protocol %q (https, http on loopback, or a local path)", ErrCloneURL, ep.Protocol)
	}
	if ep.User != "" || ep.Password != "" {
		return nil, fmt.Errorf("%w: %s carries credentials; pass them as Auth", ErrCloneURL, where(ep))
	}
	return ep, nil
}

// where names a repository in messages: host and path, never credentials.
func where(ep *transport.Endpoint) string {
	if ep.Host == "" {
		return ep.Path
	}
	return ep.Host + "/" + strings.TrimPrefix(ep.Path, "/")
}

var (
	shaRe    = regexp.MustCompile(`^[0-9a-f]{40}$`)
	unsafeRe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
)

// maxNameLen bounds the readable part of a cache directory's name, well
// inside any file system's 255 bytes; the hash after it keeps it unique.
const maxNameLen = 80

// refSpecs turns wants into refspecs, and lists the SHAs among them.
func refSpecs(wants []string) ([]config.RefSpec, []plumbing.Hash, error) {
	if len(wants) == 0 {
		return nil, nil, errors.New("nothing to fetch")
	}
	var specs []config.RefSpec
	var shas []plumbing.Hash
	for _, w := range wants {
		switch {
		case shaRe.MatchString(w):
			shas = append(shas, plumbing.NewHash(w))
		case strings.HasPrefix(w, "refs/") && plumbing.ReferenceName(w).Validate() == nil:
			specs = append(specs, config.RefSpec("+"+w+":"+w))
		default:
			return nil, nil, fmt.Errorf("want %q is neither a full ref name nor a full commit SHA", w)
		}
	}
	return specs, shas, nil
}

// cacheName is the directory of a clone URL: readable, and unique by a hash
// of the whole endpoint, so two URLs never share a repository.
func cacheName(ep *transport.Endpoint) string {
	sum := sha256.Sum256([]byte(ep.String()))
	name := strings.Trim(unsafeRe.ReplaceAllString(ep.Host+"_"+strings.TrimSuffix(ep.Path, ".git"), "_"), "_.")
	if len(name) > maxNameLen {
		name = name[len(name)-maxNameLen:]
	}
	return name + "-" + hex.EncodeToString(sum[:8]) + ".git"
}

// fetchInto fetches into the bare repository at dir, creating it first; the
// caller holds the repository's write lock.
func fetchInto(ctx context.Context, dir, cloneURL string, auth Auth, specs []config.RefSpec, shas []plumbing.Hash, maxPack int64) error {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	if _, err := git.PlainOpen(dir); err != nil {
		// Missing, or left half-made by a crash during its creation: start
		// again, and this fetch brings everything.
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("reset cache: %w", err)
		}
		if _, err := git.PlainInit(dir, true); err != nil {
			return fmt.Errorf("create cache: %w", err)
		}
	}
	st := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRUDefault())
	defer st.Close()
	// A fetch cut short (a crash, the pack bound) leaves its temporary pack.
	defer removeTempPacks(dir)
	removeTempPacks(dir)
	sto := &boundedStorage{Storage: st, max: maxPack}
	remote := git.NewRemote(sto, &config.RemoteConfig{Name: "origin", URLs: []string{cloneURL}})
	round := func(specs []config.RefSpec) error {
		if len(specs) == 0 {
			return nil
		}
		opts := &git.FetchOptions{RefSpecs: specs, Tags: git.NoTags, Force: true}
		if auth != (Auth{}) {
			opts.Auth = &githttp.BasicAuth{Username: auth.Username, Password: auth.Password}
		}
		err := remote.FetchContext(ctx, opts)
		switch {
		case errors.Is(err, git.NoErrAlreadyUpToDate):
			return nil
		case sto.over:
			return fmt.Errorf("%w (%d bytes)", ErrPackTooLarge, maxPack)
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		return err
	}
	if err := round(specs); err != nil {
		return err
	}
	// Commits are asked for by SHA only when the refs did not bring them:
	// usually a pull request's head is its refs/pull/N/head, and a server
	// need not let a client want an unadvertised commit (GitHub does).
	var missing []config.RefSpec
	for _, h := range shas {
		if _, err := st.EncodedObject(plumbing.CommitObject, h); err != nil {
			// go-git records what a refspec brings under its destination.
			missing = append(missing, config.RefSpec("+"+h.String()+":"+scratchRef(h).String()))
		}
	}
	if err := round(missing); err != nil {
		return err
	}
	for _, h := range shas {
		if _, err := st.EncodedObject(plumbing.CommitObject, h); err != nil {
			return fmt.Errorf("commit %s not fetched: %w", h, err)
		}
		// The objects stay; the scratch refs would only pile up.
		if err := st.RemoveReference(scratchRef(h)); err != nil {
			return fmt.Errorf("remove scratch ref of %s: %w", h, err)
		}
	}
	return nil
}

func scratchRef(h plumbing.Hash) plumbing.ReferenceName {
	return plumbing.ReferenceName("refs/triangulate/fetched/" + h.String())
}

func removeTempPacks(dir string) {
	tmp, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "tmp_pack_*"))
	for _, f := range tmp {
		_ = os.Remove(f)
	}
}

// boundedStorage stops a fetch whose packfiles pass max bytes together:
// go-git has no bound of its own, and every fetch writes its objects
// through PackfileWriter.
type boundedStorage struct {
	*filesystem.Storage
	max, n int64
	over   bool
}

func (s *boundedStorage) PackfileWriter() (io.WriteCloser, error) {
	w, err := s.Storage.PackfileWriter()
	if err != nil {
		return nil, err
	}
	return &boundedWriter{WriteCloser: w, s: s}, nil
}

type boundedWriter struct {
	io.WriteCloser
	s *boundedStorage
}

func (w *boundedWriter) Write(p []byte) (int, error) {
	if w.s.n+int64(len(p)) > w.s.max {
		w.s.over = true
		return 0, ErrPackTooLarge
	}
	n, err := w.WriteCloser.Write(p)
	w.s.n += int64(n)
	return n, err
}

// repoLock lets many reviews read a repository and one fetch write it, each
// waiting only as long as its context allows (sync.RWMutex cannot be given
// up on). Readers take one of maxReaders slots; a writer takes the writer
// token, then every slot, so it waits for the readers and holds new ones
// off.
type repoLock struct {
	writer chan struct{}
	slots  chan struct{}
}

func newRepoLock() *repoLock {
	return &repoLock{writer: make(chan struct{}, 1), slots: make(chan struct{}, maxReaders)}
}

func (l *repoLock) rlock(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *repoLock) runlock() { <-l.slots }

func (l *repoLock) lock(ctx context.Context) error {
	select {
	case l.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	for i := range maxReaders {
		select {
		case l.slots <- struct{}{}:
		case <-ctx.Done():
			for range i {
				<-l.slots
			}
			<-l.writer
			return ctx.Err()
		}
	}
	return nil
}

func (l *repoLock) unlock() {
	for range maxReaders {
		<-l.slots
	}
	<-l.writer
}
