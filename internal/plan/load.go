package plan

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/panics"
)

// PlansDir is where plan files live in a repository.
const PlansDir = "plans"

// DefaultMaxFileSize bounds one plan file. A real plan is tens of kilobytes;
// anything near this size is a mistake or an attack on the checker.
const DefaultMaxFileSize = 1 << 20

// DefaultMaxFiles bounds the files under plans/. A national year is about
// 460 plan files (220 trusts, 190 CCGs, 42 systems, the reference list and
// notes); this leaves room for eight such years in one repository. Every
// file is held in memory while the set is judged, so a pushed branch of a
// hundred thousand small files must not be read.
const DefaultMaxFiles = 4000

// Options tune a load.
type Options struct {
	// MaxFileSize is the largest plan file accepted, in bytes
	// (0: DefaultMaxFileSize).
	MaxFileSize int64
	// MaxFiles is the most files read under plans/ (0: DefaultMaxFiles);
	// past it, one S00 finding names the file where the limit was passed
	// and no more are read.
	MaxFiles int
	// FileDeadline bounds the time to check one file
	// (0: DefaultFileDeadline).
	FileDeadline time.Duration
	// Progress, when set, is told after each plan file is checked how
	// many of how many are done. Calls never overlap, and done only grows.
	Progress func(done, total int)
	// Cache, when set, keeps each file's result between loads, under a
	// key naming CacheSalt, the file's path and its bytes. CacheSalt
	// must name everything else a file's result depends on: the schema
	// and the program itself.
	Cache     ResultCache
	CacheSalt []byte
	// Reuse, when set, is an earlier load of another tree under the same
	// schema: a file with the same path and bytes takes that load's
	// result instead of being checked again. A review loads the head
	// this way from the base, so only the files a change touches are
	// read past their bytes; where the file system names each file's
	// bytes (a git tree: see ContentIDer), the others are not read at
	// all.
	Reuse *Set
}

// ContentIDer is a directory entry that names its file's bytes: two
// entries with the same non-empty id hold the same bytes (a git blob id).
type ContentIDer interface {
	ContentID() string
}

func contentID(d fs.DirEntry) string {
	if c, ok := d.(ContentIDer); ok {
		return c.ContentID()
	}
	return ""
}

// Set is every plan file read from one tree.
type Set struct {
	Documents []*Document
	// Findings are the schema findings (S00-S04), sorted.
	Findings []finding.Finding

	// files lists every file under plans/ with the SHA-256 of its bytes
	// (zero for a file refused before it was read), in walk order.
	files []source

	// refused holds, per year, the organisations whose plan file was
	// refused before its code could be read, as inferred from its path.
	refused map[string]map[string]bool

	// checked holds each checked file's result by path, for Options.Reuse.
	checked map[string]checkedFile
}

// reusable returns s's result for f when s checked the same bytes at the
// same path in time; s may be nil.
func (s *Set) reusable(f source) (checkedFile, bool) {
	if s == nil {
		return checkedFile{}, false
	}
	prev, ok := s.checked[f.name]
	return prev, ok && prev.sum == f.sum && cacheable(prev.r)
}

// sameContent returns s's result for the file name whose bytes id names,
// when s checked a file at that path with that id; s may be nil.
func (s *Set) sameContent(name, id string) (checkedFile, bool) {
	if s == nil || id == "" {
		return checkedFile{}, false
	}
	prev, ok := s.checked[name]
	return prev, ok && prev.id == id && cacheable(prev.r)
}

// checkedFile is one file's result as a later load may reuse it.
type checkedFile struct {
	sum [sha256.Size]byte
	id  string
	r   checked
}

// Invalid returns the organisations whose plan for year ("2019/20") cannot
// be trusted: it failed the schema, or it was refused before its
// organisation code could be read (not plain data, an import, too large or
// deep, a syntax error). A refused file's organisation is inferred from
// where it is filed (plans/2019-20/providers/rtk.cue,
// plans/2019-20/commissioners/09n.cue, plans/2019-20/system-qxu.cue: the
// code upper-cased, the year from the folder) when the reference list has
// that code with the type the folder implies. Policy findings involving
// these organisations are to be held back until the schema findings are
// fixed; otherwise a counterparty would be told the plan does not exist.
// The map is new on every call and never nil.
func (s *Set) Invalid(year string) map[string]bool {
	out := map[string]bool{}
	for _, d := range s.Documents {
		if d.Valid || d.Org == "" {
			continue
		}
		// A plan whose year field is wrong still stands for the year of
		// the folder it is filed in.
		if d.Year == year || FileYear(d.File) == year {
			out[d.Org] = true
		}
	}
	for org := range s.refused[year] {
		out[org] = true
	}
	return out
}

// Doc returns the plan of org for year, or nil.
func (s *Set) Doc(year, org string) *Document {
	for _, d := range s.Documents {
		if d.Year == year && d.Org == org && d.Kind != "organisations" {
			return d
		}
	}
	return nil
}

// Years lists the financial years with at least one plan, in order.
func (s *Set) Years() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range s.Documents {
		if d.Year != "" && !seen[d.Year] {
			seen[d.Year] = true
			out = append(out, d.Year)
		}
	}
	sort.Strings(out)
	return out
}

// ErrNoPlans is returned when the tree has no plans/ folder.
var ErrNoPlans = errors.New("no plans/ folder")

// Load is LoadContext without cancellation.
func (s *Schema) Load(fsys fs.FS, opts Options) (*Set, error) {
	return s.LoadContext(context.Background(), fsys, opts)
}

// LoadContext reads every file under plans/ in fsys and validates it against
// the schema, each file under opts.FileDeadline. Problems with the plans are
// findings in the set; the error is for a tree that cannot be read, or ctx's
// when it is done first: ctx is checked between files and while a file is
// checked, so a cancelled load returns at once (an evaluation under way is
// abandoned, see checkFile).
func (s *Schema) LoadContext(ctx context.Context, fsys fs.FS, opts Options) (*Set, error) {
	if opts.MaxFiles <= 0 {
		opts.MaxFiles = DefaultMaxFiles
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.FileDeadline <= 0 {
		opts.FileDeadline = DefaultFileDeadline
	}
	if fi, err := fs.Stat(fsys, PlansDir); err != nil || !fi.IsDir() {
		return nil, ErrNoPlans
	}
	set := &Set{}
	var files []source
	// unread are files refused or read without an organisation code.
	unread := map[string]bool{}
	seen := 0 // files under plans/
	err := fs.WalkDir(fsys, PlansDir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if seen++; seen > opts.MaxFiles {
			set.Findings = append(set.Findings, finding.Finding{Rule: "S00", Severity: finding.Error, Location: finding.Location{File: name},
				Message: fmt.Sprintf("more than %d files under %s/: no repository of plans needs so many, and none from here on is read or judged", opts.MaxFiles, PlansDir)})
			return fs.SkipAll
		}
		id := contentID(d)
		if prev, ok := opts.Reuse.sameContent(name, id); ok && d.Type().IsRegular() {
			// The bytes the earlier load checked at this path: not
			// read again.
			files = append(files, source{name: name, sum: prev.sum, id: id, at: len(set.files)})
			set.files = append(set.files, source{name: name, sum: prev.sum})
			return nil
		}
		if sum, size, ok := knownSum(opts.Cache, id); ok && d.Type().IsRegular() && strings.HasSuffix(name, ".cue") {
			// Bytes seen before under this id: their digest and size
			// are known, and they are read only if no result is cached
			// for them (readUnread).
			read := source{name: name, sum: sum}
			f := tooLarge(name, size, opts)
			if f == nil {
				files = append(files, source{name: name, sum: sum, id: id, at: len(set.files)})
			} else {
				read.sum = [sha256.Size]byte{} // refused unread, as by admit
			}
			set.files = append(set.files, read)
			if f != nil {
				set.Findings = append(set.Findings, *f)
				unread[name] = true
			}
			return nil
		}
		f := s.admit(fsys, name, d, opts)
		read := source{name: name}
		if f == nil && strings.HasSuffix(name, ".cue") {
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			read.sum = sha256.Sum256(src)
			rememberSum(opts.Cache, id, read.sum, len(src))
			if f = tooLarge(name, int64(len(src)), opts); f == nil {
				files = append(files, source{name: name, src: src, sum: read.sum, id: id, at: len(set.files)})
			}
		}
		set.files = append(set.files, read)
		if f != nil {
			set.Findings = append(set.Findings, *f)
			unread[name] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tick := progress(opts.Progress, len(files))
	results, err := s.checkAll(ctx, files, opts, tick)
	if err == nil {
		err = s.readUnread(ctx, fsys, set, files, results, opts, tick)
	}
	if err != nil {
		return nil, err
	}
	omitted := map[string]int{}
	set.checked = make(map[string]checkedFile, len(results))
	for n, r := range results {
		set.checked[files[n].name] = checkedFile{sum: files[n].sum, id: files[n].id, r: r}
		if r.doc != nil && r.doc.Org != "" {
			for i := range r.findings {
				r.findings[i].Org, r.findings[i].Orgs = r.doc.Org, []string{r.doc.Org}
			}
		} else {
			unread[files[n].name] = true
		}
		set.Findings = append(set.Findings, r.findings...)
		omitted[files[n].name] = r.omitted
		if r.doc != nil {
			set.Documents = append(set.Documents, r.doc)
		}
	}
	set.Findings = append(set.Findings, crossCheck(set)...)
	set.attributeRefused(unread)
	set.Findings = limitFindings(set.Findings, omitted)
	finding.Sort(set.Findings)
	return set, nil
}

// readUnread reads and checks the files checkAll found no result for
// without their bytes (named by content id, see knownSum), in results and
// set in place. Reading is sequential, as the walk's: a git repository is
// not read concurrently.
func (s *Schema) readUnread(ctx context.Context, fsys fs.FS, set *Set, files []source, results []checked, opts Options, tick func()) error {
	var idx []int
	var sub []source
	for i := range results {
		if !results[i].unread {
			continue
		}
		f := &files[i]
		src, err := fs.ReadFile(fsys, f.name)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.name, err)
		}
		// The bytes decide, whatever was remembered of them.
		f.sum = sha256.Sum256(src)
		set.files[f.at].sum = f.sum
		rememberSum(opts.Cache, f.id, f.sum, len(src))
		if tl := tooLarge(f.name, int64(len(src)), opts); tl != nil {
			results[i] = checked{findings: []finding.Finding{*tl}}
			tick()
			continue
		}
		f.src = src
		idx = append(idx, i)
		sub = append(sub, *f)
	}
	if len(sub) == 0 {
		return nil
	}
	rs, err := s.checkAll(ctx, sub, opts, tick)
	if err != nil {
		return err
	}
	for n, i := range idx {
		results[i] = rs[n]
	}
	return nil
}

// progress turns Options.Progress into a tick safe to call from every
// worker.
func progress(report func(done, total int), total int) func() {
	if report == nil {
		return func() {}
	}
	var (
		mu   sync.Mutex
		done int
	)
	return func() {
		mu.Lock()
		defer mu.Unlock()
		done++
		report(done, total)
	}
}

// filesPerWorker keeps small plan sets on one goroutine, where compiling a
// second schema would cost more than it saves.
const filesPerWorker = 16

// checkAll validates files in parallel, one CUE context per worker (a
// context is not safe for concurrent use), keeping the files' order. A file
// whose result is in opts.Cache is not evaluated, and a worker compiles its
// schema only when it has a file to evaluate. It stops at the first error,
// ctx's included.
func (s *Schema) checkAll(ctx context.Context, files []source, opts Options, tick func()) ([]checked, error) {
	out := make([]checked, len(files))
	// one checks file i with the worker's schema *ws, compiled when
	// first needed.
	one := func(ctx context.Context, ws **Schema, i int) error {
		f := files[i]
		if prev, ok := opts.Reuse.reusable(f); ok {
			out[i] = prev.r
			// The findings are completed in place by the load (the
			// organisation they involve): the earlier set keeps its own.
			out[i].findings = slices.Clone(prev.r.findings)
			tick()
			return nil
		}
		var key [sha256.Size]byte
		if opts.Cache != nil {
			key = fileKey(opts.CacheSalt, f.name, f.sum)
			if b, ok := opts.Cache.Get(key); ok {
				if r, err := decodeChecked(b, f.name); err == nil {
					out[i] = r
					tick()
					return nil
				}
			}
		}
		if f.src == nil {
			// Named by its content id and not read: no result is at
			// hand for its bytes, so it is read after (readUnread).
			out[i] = checked{unread: true}
			return nil
		}
		if *ws == nil {
			c, err := s.clone()
			if err != nil {
				return err
			}
			*ws = c
		}
		r, err := (*ws).checkFile(ctx, f.name, f.src, opts.FileDeadline)
		if err != nil {
			return err
		}
		out[i] = r
		if opts.Cache != nil && cacheable(r) {
			if b, err := encodeChecked(r); err == nil {
				// A result that cannot be kept is computed again
				// next time; the check itself is unaffected.
				_ = opts.Cache.Put(key, b)
			}
		}
		tick()
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), (len(files)+filesPerWorker-1)/filesPerWorker)
	if workers <= 1 {
		// Every worker evaluates in a schema of its own, compiled when
		// first needed: s may be shared by concurrent loads.
		var ws *Schema
		for i := range files {
			if err := one(ctx, &ws, i); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var (
		wg   sync.WaitGroup
		next atomic.Int64
		errs = make([]error, workers)
	)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ws *Schema
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				if errs[w] = panics.Call(func() error { return one(ctx, &ws, i) }); errs[w] != nil {
					cancel() // the other workers stop too
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := parent.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		// Workers stopped by another's error report the cancellation.
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, fmt.Errorf("validate plans: %w", err)
		}
	}
	return out, nil
}

// admit refuses files that must never be read as plans.
func (s *Schema) admit(fsys fs.FS, name string, d fs.DirEntry, opts Options) *finding.Finding {
	reject := func(msg string) *finding.Finding {
		return &finding.Finding{Rule: "S00", Severity: finding.Error, Message: msg,
			Location: finding.Location{File: name}}
	}
	switch {
	case d.Type()&fs.ModeSymlink != 0:
		return reject("symbolic links are not allowed under plans/: a plan must be the file itself")
	case !d.Type().IsRegular():
		return reject("only regular files are allowed under plans/")
	}
	if !strings.HasSuffix(name, ".cue") {
		if strings.HasSuffix(name, ".md") {
			return nil
		}
		return reject(fmt.Sprintf("%s is not a plan file: plans/ holds .cue plan files (and .md notes) only", path.Base(name)))
	}
	info, err := d.Info()
	if err != nil {
		return reject(fmt.Sprintf("cannot stat file: %v", err))
	}
	return tooLarge(name, info.Size(), opts)
}

// tooLarge refuses a file over the size limit. It is asked before the file
// is read and again after, of what was read.
func tooLarge(name string, size int64, opts Options) *finding.Finding {
	if size <= opts.MaxFileSize {
		return nil
	}
	return &finding.Finding{Rule: "S00", Severity: finding.Error, Location: finding.Location{File: name},
		Message: fmt.Sprintf("file is %d bytes, over the %d-byte limit for a plan file", size, opts.MaxFileSize)}
}

// Digest names everything the policies are given of this set: the path and
// bytes of every file under plans/, and the schema findings (which also say
// which files ran out of their deadline, the one part of a load that
// depends on more than the files and the rules). Two sets loaded with the
// same rules and the same digest give the policies the same input.
func (s *Set) Digest() [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, f := range s.files {
		binary.BigEndian.PutUint64(n[:], uint64(len(f.name)))
		h.Write(n[:])
		h.Write([]byte(f.name))
		h.Write(f.sum[:])
	}
	// Findings marshal without error: they are strings and numbers.
	b, _ := json.Marshal(s.Findings)
	h.Write(b)
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}
