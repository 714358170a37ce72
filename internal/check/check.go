// Package check is the pipeline shared by every command: load and validate
// the plans, evaluate the policies, apply explanations and waivers. check,
// review and serve differ only in where the trees come from and how the
// result is reported.
package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gate"
	"github.com/triangulate-nhs/triangulate/internal/panics"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/policy"
	"github.com/triangulate-nhs/triangulate/internal/register"
)

// Options tune a run.
type Options struct {
	// MaxFileSize bounds one plan file (0: plan.DefaultMaxFileSize).
	MaxFileSize int64
	// Today decides which waivers are in date (zero: now).
	Today time.Time
	// Progress is told how many plan files are checked of how many (see
	// plan.Options.Progress); not sent to the sandbox.
	Progress func(done, total int) `json:"-"`
	// Cache, when set, keeps results between runs (internal/cache): each
	// plan file's load, and the policy findings over the whole set, keyed
	// by the rules (Rules.Hash) and the plan files' bytes. Not sent to the
	// sandbox: proposed rules are always evaluated afresh.
	Cache *cache.Cache `json:"-"`
	// Memo, when set, keeps compiled rules in memory between calls of a
	// long-running process (see Memo). Not sent to the sandbox.
	Memo *Memo `json:"-"`
}

// Rules are the trees that judge: schema/, policy/, policy/register/ and
// policy/waivers/. In a review they come from the base branch, never from
// the change.
type Rules struct {
	Schema    *plan.Schema
	Registers register.Registers
	Waivers   []gate.Waiver
	// Findings about the rules' own files (malformed registers, malformed or
	// expired waivers).
	Findings []finding.Finding
	// Hash names everything the rules are made of: the program itself and
	// every file under schema/, policy/ (registers and waivers included)
	// and cue.mod/, and the organisation reference list. A cached result
	// is used only under the same hash.
	Hash []byte

	// engine returns the compiled policies, waiting for them when
	// StartRules compiles them in the background.
	engine func() (*policy.Engine, error)
}

// Engine returns the compiled policies: after LoadRules, or after a Run
// that succeeded with rules from StartRules.
func (r *Rules) Engine() *policy.Engine {
	e, _ := r.engine()
	return e
}

// Err reports whether the policies compiled, waiting for them if
// StartRules is still compiling them.
func (r *Rules) Err() error {
	_, err := r.engine()
	return err
}

// LoadRules compiles the schema and policies in fsys and reads its waivers,
// or takes them from opts.Memo when the same rules were loaded for the same
// day.
func LoadRules(ctx context.Context, fsys fs.FS, opts Options) (*Rules, error) {
	snap, hash, err := readRules(fsys)
	if err != nil {
		return nil, err
	}
	return opts.Memo.rules(hash, today(opts), func() (*Rules, error) {
		r, err := loadRules(ctx, snap, opts, hash, false)
		if err == nil {
			err = r.Err()
		}
		return r, err
	})
}

// StartRules is LoadRules for a process that checks once: the policies,
// the slowest part, compile in the background while the plans load (Run
// waits for them), and their errors are Run's, or Err's. With opts.Memo,
// whose rules are shared, it is LoadRules.
func StartRules(ctx context.Context, fsys fs.FS, opts Options) (*Rules, error) {
	if opts.Memo != nil {
		return LoadRules(ctx, fsys, opts)
	}
	snap, hash, err := readRules(fsys)
	if err != nil {
		return nil, err
	}
	return loadRules(ctx, snap, opts, hash, true)
}

// today is the day waivers are judged on.
func today(opts Options) time.Time {
	if opts.Today.IsZero() {
		return time.Now()
	}
	return opts.Today
}

// loadRules compiles the rules read into snap, whose hash is hash. snap
// is in memory and never changes: what is compiled is what was hashed, and
// the background compile reads it alongside the plans' loader.
func loadRules(ctx context.Context, snap fs.FS, opts Options, hash []byte, background bool) (*Rules, error) {
	fsys := snap
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		return nil, err
	}
	var engine func() (*policy.Engine, error)
	if background {
		src, err := policy.Read(fsys)
		if err != nil {
			return nil, err
		}
		type loaded struct {
			e   *policy.Engine
			err error
		}
		done := make(chan loaded, 1)
		go func() {
			var l loaded
			l.err = panics.Call(func() (err error) {
				l.e, err = src.Compile(ctx)
				return err
			})
			done <- l
		}()
		engine = sync.OnceValues(func() (*policy.Engine, error) {
			l := <-done
			return l.e, l.err
		})
	} else {
		e, err := policy.Load(ctx, fsys)
		if err != nil {
			return nil, err
		}
		engine = func() (*policy.Engine, error) { return e, nil }
	}
	regs, rf := register.Load(fsys, s)
	w, wf := gate.LoadWaivers(fsys, s, today(opts))
	return &Rules{Schema: s, engine: engine, Registers: regs, Waivers: w, Findings: slices.Concat(rf, wf), Hash: hash}, nil
}

// rulesDirs are the trees whose every file is part of the rules.
var rulesDirs = []string{plan.SchemaDir, policy.Dir, "cue.mod"}

// RulesHash names the rules fsys holds for result caches: the program and
// every file under schema/, policy/ and cue.mod/, and the reference list,
// each with its path. Plan-file results cached under it
// (plan.Options.CacheSalt) are never taken for other rules.
func RulesHash(fsys fs.FS) ([]byte, error) {
	_, h, err := readRules(fsys)
	return h, err
}

// readRules reads the files RulesHash names into memory, once, and hashes
// them: the rules are compiled from the copy, so a working tree edited
// meanwhile cannot give rules that differ from their hash, and a git tree
// is read once, not once to hash and again to compile.
func readRules(fsys fs.FS) (fstest.MapFS, []byte, error) {
	prog, err := cache.Program()
	if err != nil {
		return nil, nil, err
	}
	snap := fstest.MapFS{}
	parts := [][]byte{[]byte("rules/1"), prog}
	add := func(name string) error {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		snap[name] = &fstest.MapFile{Data: b, Mode: 0o444}
		parts = append(parts, []byte(name), b)
		return nil
	}
	for _, dir := range rulesDirs {
		err := fs.WalkDir(fsys, dir, func(name string, d fs.DirEntry, err error) error {
			switch {
			case errors.Is(err, fs.ErrNotExist) && name == dir:
				return fs.SkipDir
			case err != nil:
				return err
			case d.IsDir():
				return nil
			case !d.Type().IsRegular():
				// A link or device is named, never followed.
				snap[name] = &fstest.MapFile{Mode: d.Type()}
				parts = append(parts, []byte(name), []byte(d.Type().String()))
				return nil
			}
			return add(name)
		})
		if err != nil {
			return nil, nil, fmt.Errorf("read rules: %w", err)
		}
	}
	if err := add(plan.ReferenceListFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("read rules: %w", err)
	}
	k := cache.NewKey(parts...)
	return snap, k[:], nil
}

// Catalogue lists every rule: schema, policy and gate, ordered by id.
func (r *Rules) Catalogue() []finding.Rule {
	all := slices.Concat(plan.Rules, r.Engine().Rules(), gate.Rules)
	slices.SortFunc(all, func(a, b finding.Rule) int { return strings.Compare(a.ID, b.ID) })
	return all
}

// describe sets every finding's title and category from the catalogue: the
// one place they are set, so a rule reads the same in every stage and
// format.
func (r *Rules) describe(fs []finding.Finding) {
	byID := map[string]finding.Rule{}
	for _, rule := range r.Catalogue() {
		byID[rule.ID] = rule
	}
	for i := range fs {
		if rule, ok := byID[fs[i].Rule]; ok {
			fs[i].Title, fs[i].Category = rule.Title, rule.Category
		}
	}
}

// Result is what one run found.
type Result struct {
	Set      *plan.Set
	Findings []finding.Finding
	// PlansRead counts the plan documents read (providers, commissioners and
	// systems).
	PlansRead int

	// rules judged the set (nil for a result not made by Run); policy
	// are the policies' own findings, before explanations and waivers:
	// what RunFrom starts from.
	rules  *Rules
	policy []finding.Finding
}

// Blocking reports whether anything blocks submission.
func (r *Result) Blocking() bool {
	return slices.ContainsFunc(r.Findings, finding.Finding.Blocking)
}

// Run checks the plans in plansFS against the rules.
func Run(ctx context.Context, rules *Rules, plansFS fs.FS, opts Options) (*Result, error) {
	return RunFrom(ctx, rules, nil, plansFS, opts)
}

// RunFrom checks the plans in plansFS as Run does, given prev, an earlier
// result of the same rules over another tree of the same repository (nil:
// none): files prev checked with the same bytes are not checked again, and
// the policies judge only what the changed files can affect
// (policy.Engine.EvaluateChange). The result is Run's, finding for
// finding; a review checks its head this way from its base.
func RunFrom(ctx context.Context, rules *Rules, prev *Result, plansFS fs.FS, opts Options) (*Result, error) {
	if prev != nil && !rules.same(prev.rules) {
		prev = nil
	}
	po := plan.Options{MaxFileSize: opts.MaxFileSize, Progress: opts.Progress}
	c := opts.Cache
	if rules.Hash == nil {
		c = nil
	}
	if c != nil {
		po.Cache, po.CacheSalt = c, rules.Hash
	}
	if prev != nil {
		po.Reuse = prev.Set
	}
	set, err := rules.Schema.LoadContext(ctx, plansFS, po)
	if err != nil {
		return nil, fmt.Errorf("load plans: %w", err)
	}
	pf, err := rules.evaluate(ctx, set, c, prev)
	if err != nil {
		return nil, err
	}
	all := slices.Concat(set.Findings, pf, rules.Findings)
	rules.describe(all)
	all = gate.Apply(all, set, rules.Waivers)
	finding.Sort(all)
	n := 0
	for _, d := range set.Documents {
		if d.Kind != "organisations" && d.Kind != "waivers" {
			n++
		}
	}
	return &Result{Set: set, Findings: all, PlansRead: n, rules: rules, policy: pf}, nil
}

// same reports whether r and o are the same rules: one compiled object, or
// two with the same hash.
func (r *Rules) same(o *Rules) bool {
	return o != nil && (r == o || r.Hash != nil && slices.Equal(r.Hash, o.Hash))
}

// evaluate runs the policies over set, or takes their findings from c
// when the same rules have judged a set with the same digest; given prev,
// it judges only what changed since (policy.Engine.EvaluateChange).
func (r *Rules) evaluate(ctx context.Context, set *plan.Set, c *cache.Cache, prev *Result) ([]finding.Finding, error) {
	e, err := r.engine()
	if err != nil {
		return nil, err
	}
	judge := func() ([]finding.Finding, error) {
		if prev == nil {
			return e.Evaluate(ctx, set, r.Registers)
		}
		return e.EvaluateChange(ctx, prev.Set, prev.policy, set, r.Registers, plan.ChangedFiles(prev.Set, set))
	}
	if c == nil {
		return judge()
	}
	d := set.Digest()
	key := cache.NewKey([]byte("policy/1"), r.Hash, d[:])
	if b, ok := c.Get(key); ok {
		if fs, err := r.decodeFindings(b); err == nil {
			return fs, nil
		}
	}
	fs, err := judge()
	if err != nil {
		return nil, err
	}
	if b, err := json.Marshal(fs); err == nil {
		// A result that cannot be kept is computed again next time.
		_ = c.Put(key, b)
	}
	return fs, nil
}

// decodeFindings reads cached policy findings, refusing any that names a
// rule the policies do not have.
func (r *Rules) decodeFindings(b []byte) ([]finding.Finding, error) {
	var fs []finding.Finding
	if err := json.Unmarshal(b, &fs); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, rule := range r.Engine().Rules() {
		known[rule.ID] = true
	}
	for _, f := range fs {
		if !known[f.Rule] {
			return nil, fmt.Errorf("cached finding for unknown rule %q", f.Rule)
		}
	}
	return fs, nil
}
