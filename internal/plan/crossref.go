package plan

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

var yearFolder = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)

// roleType is the reference-list type each document kind must have.
var roleType = map[string]string{"provider": "trust", "commissioner": "ccg", "system": "system"}

// crossCheck runs the schema rules that need more than one file: codes in
// the reference list (S01), counterparties of the right type (S04), one plan
// per organisation and year (S01) and the year matching its folder (S02).
func crossCheck(set *Set) []finding.Finding {
	var out []finding.Finding
	add := func(rule string, d *Document, p []any, format string, args ...any) {
		loc := d.Locate(p)
		out = append(out, finding.Finding{Rule: rule, Severity: finding.Error, Orgs: orgs(d.Org),
			Message: fmt.Sprintf(format, args...), Location: loc})
	}
	var lists []*Document
	for _, d := range set.Documents {
		if d.Kind == "organisations" {
			lists = append(lists, d)
		}
	}
	for _, d := range set.Documents {
		if d.Kind == "waivers" {
			add("S00", d, []any{"kind"}, "waivers are regulator-owned and belong in policy/waivers/, not in plans/")
		}
	}
	for _, extra := range lists[min(1, len(lists)):] {
		add("S01", extra, nil, "a second organisation reference list; the first is %s: keep one", lists[0].File)
	}
	var known map[string]any
	if len(lists) == 0 {
		out = append(out, finding.Finding{Rule: "S01", Severity: finding.Error,
			Message: "no organisation reference list: add plans/organisations.cue (kind: \"organisations\")"})
	} else if lists[0].Valid {
		known, _ = lists[0].Data["organisations"].(map[string]any)
	}
	typeOf := func(code string) string {
		o, _ := known[code].(map[string]any)
		t, _ := o["type"].(string)
		return t
	}

	// Documents are in file order (WalkDir is lexical), so "the first" plan
	// of a duplicate pair is stable.
	seen := map[string]*Document{}
	for _, d := range set.Documents {
		want, isPlan := roleType[d.Kind]
		if !isPlan || !d.Valid {
			continue
		}
		key := d.Year + "\x00" + d.Org
		if first, dup := seen[key]; dup {
			add("S01", d, []any{"org"}, "a second plan for %s in %s; the first is %s", d.Org, d.Year, first.File)
		} else {
			seen[key] = d
		}
		if folder, ok := yearFolderOf(d.File); ok && strings.ReplaceAll(d.Year, "/", "-") != folder {
			add("S02", d, []any{"year"}, "year %q does not match the folder %s/ the plan is filed in", d.Year, folder)
		}
		if known == nil {
			continue
		}
		switch got := typeOf(d.Org); {
		case got == "":
			add("S01", d, []any{"org"}, "%s is not in the organisation reference list (%s)", d.Org, lists[0].File)
		case got != want:
			add("S01", d, []any{"org"}, "%s is a %s in the organisation reference list, but this is a %s plan", d.Org, got, d.Kind)
		}
		if sys, ok := d.Data["system"].(string); ok && typeOf(sys) != "system" {
			add("S04", d, []any{"system"}, "system %s is not a system (STP/ICS) in the organisation reference list", sys)
		}
		for _, c := range counterparties(d) {
			switch got := typeOf(c.code); {
			case got == "":
				add("S04", d, c.path, "%s is not in the organisation reference list (%s)", c.code, lists[0].File)
			case c.want != "" && got != c.want:
				add("S04", d, c.path, "%s is a %s in the organisation reference list; %s must name a %s", c.code, got, DisplayPath(toStrings(c.path[:len(c.path)-1])), c.want)
			}
		}
	}
	return out
}

// yearFolderOf finds the year folder (e.g. 2019-20) a plan is filed in: its
// parent, or its grandparent for plans/<year>/providers/<code>.cue.
func yearFolderOf(file string) (string, bool) {
	dir := path.Dir(file)
	for _, d := range []string{path.Base(dir), path.Base(path.Dir(dir))} {
		if yearFolder.MatchString(d) {
			return d, true
		}
	}
	return "", false
}

type counterparty struct {
	code string
	want string // reference-list type, "" for any organisation
	path []any
}

// counterparties lists every organisation a document names, with where.
func counterparties(d *Document) []counterparty {
	var out []counterparty
	keys := func(want string, p ...string) {
		m := lookup(d.Data, p...)
		for _, k := range sortedKeys(m) {
			out = append(out, counterparty{code: k, want: want, path: append(toAny(p), k)})
		}
	}
	switch d.Kind {
	case "provider":
		keys("ccg", "activity")
		keys("ccg", "finance", "income", "by_commissioner")
		keys("", "prior_year", "activity")
	case "commissioner":
		keys("trust", "contracts")
		keys("", "prior_year", "activity")
	case "system":
		members, _ := d.Data["members"].([]any)
		for i, m := range members {
			if s, ok := m.(string); ok {
				out = append(out, counterparty{code: s, path: []any{"members", i}})
			}
		}
	}
	return out
}

func lookup(m map[string]any, p ...string) map[string]any {
	cur := m
	for _, k := range p {
		next, _ := cur[k].(map[string]any)
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func toAny(p []string) []any {
	out := make([]any, len(p))
	for i, s := range p {
		out[i] = s
	}
	return out
}

func toStrings(p []any) []string {
	out := make([]string, len(p))
	for i, s := range p {
		out[i] = segment(s)
	}
	return out
}

func orgs(org string) []string {
	if org == "" {
		return nil
	}
	return []string{org}
}
