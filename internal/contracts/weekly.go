package contracts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"
	_ "time/tzdata" // Friday ends at midnight in London wherever the tool runs

	"github.com/triangulate-nhs/triangulate/internal/check"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// MaxWeeks bounds the weeks Weekly reads: five years of Fridays.
const MaxWeeks = 260

// DefaultRef is the branch whose history is the submitted position.
const DefaultRef = "main"

// London is the time zone of the national bodies' deadlines: a week's
// position is main as it stood at the end of Friday there.
var London = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // time/tzdata is embedded: cannot happen
	}
	return l
}()

// WeeklyOptions say which weeks Weekly reads.
type WeeklyOptions struct {
	// Ref is the branch whose first-parent history is read; "" is main.
	Ref string
	// From: the first week is the one ending on the first Friday on or
	// after From. Zero: the first Friday on or after the first commit that
	// changes plans/.
	From time.Time
	// To: the last week ends on the first Friday on or after To. Zero: the
	// date of Ref's commit.
	To time.Time
	// MaxFileSize bounds one plan file (0: plan.DefaultMaxFileSize).
	MaxFileSize int64
	// Cache, when set, keeps each commit's position between runs, keyed by
	// Version and the commit; a damaged or foreign entry is read afresh and
	// rewritten. Nil reads every commit afresh and keeps nothing. Trimming
	// it after the run is the caller's (cache.Cache.Trim).
	Cache *cache.Cache
	// CheckCache, when set, is the check's own cache of plan-file results
	// (keyed by the rules and the file's bytes): commits that share plan
	// files read each once, and a report reuses what its check read.
	CheckCache *cache.Cache
	// Version names the code that reads positions; an entry written under
	// another version is never read. "" is the running program's build
	// (cache.Program).
	Version string
}

// positionKind names the kind of result in cache keys; a change to Week's
// shape changes it, though a new build of the program already misses.
const positionKind = "contracts-position/1"

// positionCache is opts' cache and the version its keys name; nil when the
// running program cannot be identified, as results not tied to the code
// computing them are not kept.
func positionCache(opts WeeklyOptions) (*cache.Cache, []byte) {
	if opts.Version != "" {
		return opts.Cache, []byte(opts.Version)
	}
	prog, err := cache.Program()
	if err != nil {
		return nil, nil
	}
	return opts.Cache, prog
}

// WeekRow is one contract's position at the end of one week.
type WeekRow struct {
	Row
	// Moved reports that the position (either side's status or its date,
	// money or activity) differs from the week before.
	Moved bool `json:"moved"`
	// WeeksSinceMoved counts the weeks since the position last changed on
	// main, 0 in the week it changed. Weeks before From count too, so a
	// contract signed in December and untouched since shows its age in the
	// first week of the table.
	WeeksSinceMoved int `json:"weeks_since_moved"`
}

// Week is main's position at the end of one Friday.
type Week struct {
	// Friday is the week's last day, YYYY-MM-DD (London).
	Friday string `json:"friday"`
	// Commit is the commit main pointed at by then; "" when it had none.
	Commit string `json:"commit,omitempty"`
	// Error says why the plans at Commit could not be read (its schema does
	// not compile, say); Contracts is then empty.
	Error     string    `json:"error,omitempty"`
	Contracts []WeekRow `json:"contracts"`
}

// History is the Friday-by-Friday position of every contract.
type History struct {
	// Ref and Head name the branch read and the commit it was at.
	Ref  string `json:"ref"`
	Head string `json:"head"`
	// Weeks run oldest first.
	Weeks []Week `json:"weeks"`
}

// ErrNoPlanHistory is returned when no commit on the branch's first-parent
// history changes plans/: there is no position to rebuild.
var ErrNoPlanHistory = errors.New("no commit on its first-parent history changes plans/")

// Friday returns the first Friday on or after t's day in London, as a date
// at midnight London time.
func Friday(t time.Time) time.Time {
	t = t.In(London)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, London)
	return d.AddDate(0, 0, (int(time.Friday)-int(d.Weekday())+7)%7)
}

// Weekly rebuilds from repo's history the position of every contract at the
// end of each Friday from opts.From to opts.To: the plans on the branch as
// they stood then, both sides' statuses, the money and activity gaps, and
// how many weeks each position has stood unchanged. The plans at each commit
// are read with that commit's own schema; a commit is read once however many
// weeks it spans.
func Weekly(ctx context.Context, repo *gitrepo.Repo, opts WeeklyOptions) (*History, error) {
	ref := opts.Ref
	if ref == "" {
		ref = DefaultRef
	}
	head, err := repo.Resolve(ref)
	if err != nil {
		return nil, err
	}
	log, err := repo.Log(ctx, head, "plans")
	if err != nil {
		return nil, err
	}
	first := -1
	for i, e := range log {
		if len(e.Changed) > 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return nil, fmt.Errorf("read contracts on %s: %w", ref, ErrNoPlanHistory)
	}
	from, to := opts.From, opts.To
	if from.IsZero() {
		from = log[first].When
	}
	if to.IsZero() {
		to = head.When
	}
	start, end := Friday(from), Friday(to)
	if end.Before(start) {
		return nil, fmt.Errorf("read contracts on %s: --from %s is after the last week, ending %s", ref, from.Format(time.DateOnly), end.Format(time.DateOnly))
	}
	// Positions are rebuilt from the first plan commit so a contract's age
	// is right in the first week shown.
	walk := Friday(log[first].When)
	if start.Before(walk) {
		walk = start
	}
	if n := weeksBetween(start, end) + 1; n > MaxWeeks {
		return nil, fmt.Errorf("read contracts on %s: %d weeks from %s to %s, more than %d: give a later --from", ref, n,
			start.Format(time.DateOnly), end.Format(time.DateOnly), MaxWeeks)
	}
	if earliest := start.AddDate(0, 0, -7*3*MaxWeeks); walk.Before(earliest) {
		walk = earliest // a contract unmoved for 15 years shows 780 weeks, not its full age
	}

	h := &History{Ref: ref, Head: head.Hash}
	type seen struct {
		key   string
		since time.Time
	}
	last := map[rowKey]seen{}
	read := map[string]Week{}
	disk, version := positionCache(opts)
	at := -1 // the last commit of the history main had by the week's end
	for fri := walk; !fri.After(end); fri = fri.AddDate(0, 0, 7) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		endOfDay := fri.AddDate(0, 0, 1)
		for at+1 < len(log) && log[at+1].When.Before(endOfDay) {
			at++
		}
		w := Week{Friday: fri.Format(time.DateOnly), Contracts: []WeekRow{}}
		if at >= 0 {
			c := log[at].Commit
			pos, ok := read[c.Hash]
			if !ok {
				key := cache.NewKey(version, []byte(positionKind), []byte(c.Hash))
				if !disk.GetJSON(key, &pos) {
					if pos, err = positionAt(ctx, c, opts.MaxFileSize, opts.CheckCache); err != nil {
						return nil, err
					}
					_ = disk.PutJSON(key, pos) // a cache that cannot be written costs time, not correctness
				}
				read[c.Hash] = pos
			}
			w.Commit, w.Error = c.Hash, pos.Error
			for _, r := range pos.Contracts {
				k := rowKey{r.Year, r.Provider, r.Commissioner}
				b, err := json.Marshal(r.Row)
				if err != nil {
					return nil, fmt.Errorf("compare contract positions: %w", err)
				}
				prev, had := last[k]
				if !had || prev.key != string(b) {
					prev = seen{key: string(b), since: fri}
					last[k] = prev
					r.Moved = true
				}
				r.WeeksSinceMoved = weeksBetween(prev.since, fri)
				w.Contracts = append(w.Contracts, r)
			}
		}
		if !fri.Before(start) {
			h.Weeks = append(h.Weeks, w)
		}
	}
	return h, nil
}

type rowKey struct{ year, provider, commissioner string }

func weeksBetween(a, b time.Time) int {
	return int((b.Sub(a) + 12*time.Hour) / (7 * 24 * time.Hour))
}

// positionAt reads the contracts at one commit with its own schema. A
// commit whose plans cannot be read is a week with Error set; only an
// interrupted run is an error.
func positionAt(ctx context.Context, c gitrepo.Commit, maxSize int64, checks *cache.Cache) (Week, error) {
	fsys, err := c.FS()
	if err != nil {
		return Week{Error: err.Error(), Contracts: []WeekRow{}}, nil
	}
	rows, err := positionIn(ctx, fsys, maxSize, checks)
	if ctx.Err() != nil {
		return Week{}, ctx.Err()
	}
	if err != nil {
		return Week{Error: err.Error(), Contracts: []WeekRow{}}, nil
	}
	out := make([]WeekRow, len(rows))
	for i, r := range rows {
		out[i] = WeekRow{Row: r}
	}
	return Week{Contracts: out}, nil
}

func positionIn(ctx context.Context, fsys fs.FS, maxSize int64, checks *cache.Cache) ([]Row, error) {
	schema, err := plan.LoadSchema(fsys)
	if err != nil {
		return nil, err
	}
	if maxSize == 0 {
		maxSize = plan.DefaultMaxFileSize
	}
	po := plan.Options{MaxFileSize: maxSize}
	if checks != nil {
		if salt, err := check.RulesHash(fsys); err == nil {
			po.Cache, po.CacheSalt = checks, salt
		}
	}
	set, err := schema.LoadContext(ctx, fsys, po)
	if errors.Is(err, plan.ErrNoPlans) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return Position(set)
}
