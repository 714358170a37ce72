// Package ledger reads the submissions of every organisation from git
// history. A merge to main is a submission: every commit on main's
// first-parent history that changes an organisation's plan file for a year
// (a pull request's merge commit or a direct commit alike) is the next
// version of that organisation's plan for that year, draft or final by the
// plan's status; a commit that deletes the plan submits nothing, and a
// system's file is not a submission. For each version the ledger gives its commit, date,
// author, pull-request number, the gate's result at that commit (the check
// run again on that commit's tree with that commit's rules, cached) and
// whether it arrived on time against the register's submission windows; for
// each organisation in the reference list it says whether its draft and
// final are on time, late, due or missing. The ledger is plain data; the
// command line and the dashboard render it.
package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/register"
)

// TagPrefix starts the name of every submission tag.
const TagPrefix = "submission/"

// Statuses a plan declares.
const (
	Draft = "draft"
	Final = "final"
)

// Timeliness of one version, or the state of an organisation's draft or
// final submission for a year.
const (
	OnTime = "on_time"
	Late   = "late"
	// Resubmission: a final after the final deadline, inside a
	// resubmission window the register opened.
	Resubmission = "resubmission"
	// Due: nothing yet, and the deadline has not passed.
	Due = "due"
	// Missing: nothing by the deadline, which has passed.
	Missing = "missing"
	// NoWindow: the register sets no such window for the year.
	NoWindow = "no_window"
)

// Options say which history to read and how.
type Options struct {
	// Ref is the submission branch; "" is main.
	Ref string
	// Year ("2019/20" or "2019-20") and Org (an ODS code) narrow what the
	// ledger lists; versions are numbered over the whole history either way.
	Year, Org string
	// AsOf is the moment the ledger is drawn up: commits after it are not
	// yet submitted, and a deadline is missed only once AsOf is past it.
	// Zero: now.
	AsOf time.Time
	// Cache, when set, keeps each commit's gate results between runs,
	// keyed by Version and the commit; a damaged or foreign entry is
	// recomputed and rewritten. Nil computes every one and keeps none.
	// Trimming it after the run is the caller's (cache.Cache.Trim).
	Cache *cache.Cache
	// CheckCache, when set, is the check's own result cache (plan files
	// and policy findings keyed by the rules and the files' bytes) for the
	// checks the ledger runs: commits that share files share their work,
	// and a report reuses what its own check just computed. Waivers are
	// applied after it, as of each commit's date.
	CheckCache *cache.Cache
	// Version names the code the gate results were computed with; a
	// cached result from another version is recomputed. "" is the running
	// program's build (cache.Program).
	Version string
	// MaxFileSize bounds one plan file (0: plan.DefaultMaxFileSize).
	MaxFileSize int64
	// NoGates lists versions and tags only: no check is run and the tip's
	// reference list and register are not read, so each version's Status
	// and Gate and the entries' states are left empty, and organisations
	// that never submitted are not listed. Enough to know which tags to
	// create.
	NoGates bool
}

// Gate is the gate's result for one organisation at one commit.
type Gate struct {
	// Submittable: no blocking finding involves the organisation.
	Submittable bool `json:"submittable"`
	// Blocking counts the blocking findings that involve it; Rules are
	// their ids, sorted, each once.
	Blocking int      `json:"blocking"`
	Rules    []string `json:"rules,omitempty"`
	// Error says why the check could not run at the commit (its rules do
	// not load, say); the version is then not submittable.
	Error string `json:"error,omitempty"`
}

// Version is one submission of an organisation's plan for a year.
type Version struct {
	// N counts the organisation's submissions for the year from 1.
	N int `json:"n"`
	// Tag is the version's tag, submission/<year>/<org>/v<n>; TagCommit is
	// the commit an existing tag of that name points to ("" when there is
	// none). A tag pointing elsewhere is never moved.
	Tag       string `json:"tag"`
	TagCommit string `json:"tag_commit,omitempty"`
	Commit    string `json:"commit"`
	// Date is the commit's committer time: when it reached main.
	Date   time.Time `json:"date"`
	Author string    `json:"author"`
	// PR is the pull request the commit merged ("Merge pull request #N",
	// or a squash merge's "(#N)"); 0 when the message names none.
	PR int `json:"pr,omitempty"`
	// File is the plan file the commit changed.
	File string `json:"file"`
	// Status is the plan's status at the commit ("draft", "final"), or ""
	// when the plan could not be read.
	Status string `json:"status"`
	Gate   Gate   `json:"gate"`
	// Timeliness is OnTime, Late or Resubmission against the register's
	// window for Status, or NoWindow.
	Timeliness string `json:"timeliness"`
	// Deadline is the last day of that window (YYYY-MM-DD), "" when none.
	Deadline string `json:"deadline,omitempty"`
}

// Entry is one organisation's submissions for one year.
type Entry struct {
	Year string `json:"year"`
	Org  string `json:"org"`
	// Versions run oldest first.
	Versions []Version `json:"versions"`
	// Draft and Final are the state of the year's draft and final
	// submissions: OnTime, Late, Due, Missing or NoWindow. Any first
	// submission counts as the draft; only a plan with status final counts
	// as the final.
	Draft string `json:"draft"`
	Final string `json:"final"`
	// DraftDeadline and FinalDeadline are the register's last days.
	DraftDeadline string `json:"draft_deadline,omitempty"`
	FinalDeadline string `json:"final_deadline,omitempty"`
	// Submittable reports that the latest version passed the gate at its
	// commit.
	Submittable bool `json:"submittable"`
	// Now is the gate for the organisation at the last commit drawn up
	// (the branch's tip, or its last commit by AsOf): a plan can become
	// submittable, or stop being, when a counterparty's plan changes.
	// Empty for an organisation without a plan there.
	Now Gate `json:"now"`
}

// Latest is the newest version, or nil.
func (e Entry) Latest() *Version {
	if len(e.Versions) == 0 {
		return nil
	}
	return &e.Versions[len(e.Versions)-1]
}

// Ledger is every organisation's submissions.
type Ledger struct {
	// Ref and Head name the branch read and its commit; At is the last
	// commit drawn up (Head, or its last commit by AsOf).
	Ref  string    `json:"ref"`
	Head string    `json:"head"`
	At   string    `json:"at"`
	AsOf time.Time `json:"as_of"`
	// Entries are sorted by year and organisation: every organisation with
	// a submission, and every organisation of the reference list at Head for
	// every year with a register there.
	Entries []Entry `json:"entries"`
	// Computed and Cached count the commits whose gate results were run
	// afresh and read from the cache.
	Computed int `json:"-"`
	Cached   int `json:"-"`
}

// Tag is a submission tag and the commit it names.
type Tag struct {
	Name   string `json:"name"`
	Commit string `json:"commit"`
}

// Tags lists the tags of every version, oldest first within each entry.
func (l *Ledger) Tags() []Tag {
	var out []Tag
	for _, e := range l.Entries {
		for _, v := range e.Versions {
			out = append(out, Tag{Name: v.Tag, Commit: v.Commit})
		}
	}
	return out
}

// MissingTags lists the tags not yet created; Conflicts the tags that exist
// but name another commit (left as they are: a tag is never moved).
func (l *Ledger) MissingTags() (missing, conflicts []Tag) {
	for _, e := range l.Entries {
		for _, v := range e.Versions {
			switch v.TagCommit {
			case "":
				missing = append(missing, Tag{Name: v.Tag, Commit: v.Commit})
			case v.Commit:
			default:
				conflicts = append(conflicts, Tag{Name: v.Tag, Commit: v.TagCommit})
			}
		}
	}
	return missing, conflicts
}

// TagName is the tag of version n of org's plan for year ("2019/20"):
// submission/2019-20/RTK/v1.
func TagName(year, org string, n int) string {
	return fmt.Sprintf("%s%s/%s/v%d", TagPrefix, strings.ReplaceAll(year, "/", "-"), org, n)
}

// ErrNoSubmissions is returned when no commit on the branch's first-parent
// history changes a plan: there is nothing to list.
var ErrNoSubmissions = errors.New("no commit on its first-parent history changes a plan file")

var (
	yearPattern = regexp.MustCompile(`^\d{4}[/-]\d{2}$`)
	// odsCode is the shape of a trust's or CCG's code; a file named
	// otherwise is refused by the schema (S01) and is no one's submission,
	// and its name never reaches a tag.
	odsCode = regexp.MustCompile(`^[A-Z0-9]{3}([A-Z0-9]{2})?$`)
)

// NormaliseYear turns "2019-20" or "2019/20" into "2019/20"; ok is false for
// anything else.
func NormaliseYear(y string) (string, bool) {
	if !yearPattern.MatchString(y) {
		return "", false
	}
	return strings.ReplaceAll(y, "-", "/"), true
}

var (
	mergeMessage  = regexp.MustCompile(`^Merge pull request #(\d{1,9})\b`)
	squashMessage = regexp.MustCompile(`\(#(\d{1,9})\)\s*$`)
)

// PullRequest is the pull request a commit message says it merged, or 0.
func PullRequest(message string) int {
	subject, _, _ := strings.Cut(message, "\n")
	subject = strings.TrimSpace(subject)
	for _, re := range []*regexp.Regexp{mergeMessage, squashMessage} {
		if m := re.FindStringSubmatch(subject); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

type key struct{ year, org string }

// Read draws up the ledger of the branch opts.Ref in repo.
func Read(ctx context.Context, repo *gitrepo.Repo, opts Options) (*Ledger, error) {
	ref := cmp.Or(opts.Ref, contracts.DefaultRef)
	year := ""
	if opts.Year != "" {
		y, ok := NormaliseYear(opts.Year)
		if !ok {
			return nil, fmt.Errorf("year %q: want YYYY/YY, e.g. 2019/20", opts.Year)
		}
		year = y
	}
	org := strings.ToUpper(strings.TrimSpace(opts.Org))
	asOf := opts.AsOf
	if asOf.IsZero() {
		asOf = time.Now()
	}
	head, err := repo.Resolve(ref)
	if err != nil {
		return nil, err
	}
	log, err := repo.Log(ctx, head, plan.PlansDir)
	if err != nil {
		return nil, err
	}
	tags, err := repo.Tags(TagPrefix)
	if err != nil {
		return nil, err
	}

	// Number every submission over the whole history, then keep those
	// drawn up by AsOf that the filters select.
	entries := map[key]*Entry{}
	var (
		commits []gitrepo.LogEntry
		at      gitrepo.LogEntry
	)
	found := false
	for _, e := range log {
		if e.When.After(asOf) {
			break
		}
		at = e
		used := false
		for _, file := range e.Changed {
			y, code, typ, ok := plan.FiledAs(file)
			if !ok || e.Removed[file] || !submits(typ) || !odsCode.MatchString(code) {
				continue
			}
			found = true
			k := key{y, code}
			en := entries[k]
			if en == nil {
				en = &Entry{Year: y, Org: code}
				entries[k] = en
			}
			n := len(en.Versions) + 1
			tag := TagName(y, code, n)
			en.Versions = append(en.Versions, Version{N: n, Tag: tag, TagCommit: tags[tag], Commit: e.Hash, Date: e.When,
				Author: bounded(e.Author), PR: PullRequest(e.Message), File: file})
			used = used || selected(k, year, org)
		}
		if used {
			commits = append(commits, e)
		}
	}
	if found && (len(commits) == 0 || commits[len(commits)-1].Hash != at.Hash) {
		commits = append(commits, at)
	}
	if !found {
		if len(log) > 0 && log[0].When.After(asOf) {
			return nil, fmt.Errorf("read submissions on %s as of %s: %w (its first commit is from %s)", ref,
				asOf.Format(time.DateOnly), ErrNoSubmissions, log[0].When.Format(time.DateOnly))
		}
		return nil, fmt.Errorf("read submissions on %s: %w", ref, ErrNoSubmissions)
	}

	// Without gates only the versions and their tags are wanted: the
	// reference list and the windows at the tip are not read.
	h := &headView{}
	if !opts.NoGates {
		if h, err = readHead(ctx, head, opts); err != nil {
			return nil, err
		}
	}
	for _, y := range h.years {
		for code := range h.orgs {
			if _, ok := entries[key{y, code}]; !ok {
				entries[key{y, code}] = &Entry{Year: y, Org: code}
			}
		}
	}
	if org != "" && !h.known(org) && !slices.ContainsFunc(keys(entries), func(k key) bool { return k.org == org }) {
		return nil, fmt.Errorf("organisation %q: not in the reference list at %s and never submitted", org, ref)
	}

	gates := newGates(opts)
	results := map[string]*atCommit{}
	for _, c := range commits {
		if opts.NoGates {
			break
		}
		r, err := gates.at(ctx, c.Commit)
		if err != nil {
			return nil, err
		}
		results[c.Hash] = r
	}

	l := &Ledger{Ref: ref, Head: head.Hash, At: at.Hash, AsOf: asOf, Computed: gates.computed, Cached: gates.cached}
	for k, en := range entries {
		if !selected(k, year, org) {
			continue
		}
		if opts.NoGates {
			l.Entries = append(l.Entries, *en)
			continue
		}
		w := h.windows[k.year]
		for i := range en.Versions {
			v := &en.Versions[i]
			if r := results[v.Commit]; r != nil {
				o := r.org(k.year, k.org)
				v.Status, v.Gate = o.Status, o.Gate
			}
			v.Timeliness, v.Deadline = w.timeliness(v.Status, v.Date)
		}
		en.Draft, en.DraftDeadline = w.state(Draft, firstVersion(en.Versions, ""), asOf)
		en.Final, en.FinalDeadline = w.state(Final, firstVersion(en.Versions, Final), asOf)
		if v := en.Latest(); v != nil {
			en.Submittable = v.Gate.Submittable
		}
		if r := results[at.Hash]; r != nil {
			if o, ok := r.Orgs[k.year+" "+k.org]; ok {
				en.Now = o.Gate
			}
		}
		l.Entries = append(l.Entries, *en)
	}
	if len(l.Entries) == 0 {
		return nil, fmt.Errorf("read submissions on %s: no organisation and year match --year %q --org %q", ref, opts.Year, opts.Org)
	}
	slices.SortFunc(l.Entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Org, b.Org))
	})
	return l, nil
}

// maxAuthor bounds the author a version shows: it is whatever the commit
// says.
const maxAuthor = 200

func bounded(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxAuthor {
		return s
	}
	cut := maxAuthor
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// submits reports whether an organisation of reference-list type typ
// submits a plan with a status: trusts and CCGs. A system's file lists its
// members; it is not a submission.
func submits(typ string) bool { return typ == "trust" || typ == "ccg" }

func selected(k key, year, org string) bool {
	return (year == "" || k.year == year) && (org == "" || k.org == org)
}

func keys(m map[key]*Entry) []key {
	out := make([]key, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// firstVersion is the first version with status (any status for "").
func firstVersion(vs []Version, status string) *Version {
	for i := range vs {
		if status == "" || vs[i].Status == status {
			return &vs[i]
		}
	}
	return nil
}

// headView is what the branch's tip says about every year: the reference list
// and the register's windows. The tip's register judges every version, so a
// window the regulators extend applies to submissions already made.
type headView struct {
	orgs    map[string]string
	years   []string
	windows map[string]windows
}

func (h *headView) known(org string) bool { _, ok := h.orgs[org]; return ok }

func readHead(ctx context.Context, head gitrepo.Commit, opts Options) (*headView, error) {
	fsys, err := head.FS()
	if err != nil {
		return nil, err
	}
	schema, err := plan.LoadSchema(fsys)
	if err != nil {
		return nil, fmt.Errorf("read schema at %s: %w", head.Hash[:12], err)
	}
	h := &headView{orgs: map[string]string{}, windows: map[string]windows{}}
	regs, _ := register.Load(fsys, schema)
	for y, d := range regs {
		ws, err := parseWindows(d)
		if err != nil {
			return nil, err
		}
		h.windows[y] = ws
		h.years = append(h.years, y)
	}
	slices.Sort(h.years)
	// Only the reference list is read, not every plan: a national set
	// would take seconds to load for a list of codes.
	f, err := fsys.Open(plan.ReferenceListFile)
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", plan.ReferenceListFile, head.Hash[:12], err)
	}
	defer f.Close()
	limit := cmp.Or(opts.MaxFileSize, plan.DefaultMaxFileSize)
	src, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", plan.ReferenceListFile, head.Hash[:12], err)
	}
	if int64(len(src)) > limit {
		return nil, fmt.Errorf("read %s at %s: over %d bytes", plan.ReferenceListFile, head.Hash[:12], limit)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	doc, _ := schema.CheckFile(plan.ReferenceListFile, src)
	for code, typ := range doc.Organisations() {
		if submits(typ) {
			h.orgs[code] = typ
		}
	}
	return h, nil
}
