package check

import (
	"slices"
	"sync"
	"time"
)

// Memo keeps, in memory, the rules and results a long-running process needs
// again: a server reviewing pull requests against the same tip of main
// compiles main's rules and checks main's plans once, not once per review.
// It holds the last few of each (memoRules, memoResults), so its memory is
// bounded; a nil Memo keeps nothing. Safe for concurrent use.
type Memo struct {
	mu      sync.Mutex
	kept    []memoRules
	results []memoResult
}

type memoRules struct {
	hash  []byte
	day   string
	rules *Rules
}

type memoResult struct {
	rules  *Rules
	key    string
	result *Result
}

const (
	memoRulesKept   = 4
	memoResultsKept = 2
)

// NewMemo returns an empty memo.
func NewMemo() *Memo { return &Memo{} }

// rules returns the rules loaded earlier from files with the given hash for
// the same day (waivers lapse by the day), or loads them. Without a hash
// nothing is kept.
func (m *Memo) rules(hash []byte, today time.Time, load func() (*Rules, error)) (*Rules, error) {
	if m == nil || hash == nil {
		return load()
	}
	day := today.Format("2006-01-02")
	m.mu.Lock()
	for _, e := range m.kept {
		if slices.Equal(e.hash, hash) && e.day == day {
			m.mu.Unlock()
			return e.rules, nil
		}
	}
	m.mu.Unlock()
	r, err := load()
	if err != nil || !slices.Equal(r.Hash, hash) {
		// Rules whose files changed while they were read are not kept.
		return r, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kept = append([]memoRules{{hash: hash, day: day, rules: r}}, m.kept...)
	m.kept = m.kept[:min(len(m.kept), memoRulesKept)]
	return r, nil
}

// Result returns the result of rules over the tree named key (a commit:
// what it holds never changes), computed by run when not kept.
func (m *Memo) Result(rules *Rules, key string, run func() (*Result, error)) (*Result, error) {
	if m == nil || key == "" {
		return run()
	}
	m.mu.Lock()
	for _, e := range m.results {
		if e.rules == rules && e.key == key {
			m.mu.Unlock()
			return e.result, nil
		}
	}
	m.mu.Unlock()
	r, err := run()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.results = append([]memoResult{{rules: rules, key: key, result: r}}, m.results...)
	m.results = m.results[:min(len(m.results), memoResultsKept)]
	return r, nil
}
