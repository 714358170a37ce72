package plan

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

var yearFolder = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)

// roleType is the reference-list type each document kind must have.
var roleType = map[string]string{"provider": "trust", "commissioner": "ccg", "system": "system"}

// crossCheck runs the schema rules that need more than one file: codes in
// the reference list (S01), counterparties of the right type (S04), one plan
// per organisation and year (S01), each plan at the path its organisation
// owns (S01) and the year matching its folder (S02).
func crossCheck(set *Set) []finding.Finding {
	var out []finding.Finding
	add := func(rule string, d *Document, p []any, format string, args ...any) {
		loc := d.Locate(p)
		out = append(out, finding.Finding{Rule: rule, Severity: finding.Error, Orgs: orgs(d.Org),
			Message: fmt.Sprintf(format, args...), Location: loc})
	}
	hasList := false
	for _, d := range set.Documents {
		switch d.Kind {
		case "organisations":
			if d.File == ReferenceListFile {
				hasList = true
				continue
			}
			// Only ReferenceListFile is the regulators' (CODEOWNERS); a list
			// elsewhere is never read, and is refused rather than ignored
			// so nobody believes an organisation it adds is known.
			add("S01", d, []any{"kind"}, "the organisation reference list is %s alone: a list anywhere else is not read; move its entries there (a regulators' change) and remove this file", ReferenceListFile)
		case "waivers":
			add("S00", d, []any{"kind"}, "waivers are regulator-owned and belong in policy/waivers/, not in plans/")
		case "register":
			// A register under plans/ is never read as one: the figures
			// plans are judged by come only from policy/register/.
			add("S00", d, []any{"kind"}, "the regulator register is regulator-owned and belongs in policy/register/, not in plans/")
		}
	}
	var known map[string]string
	if !hasList {
		out = append(out, finding.Finding{Rule: "S01", Severity: finding.Error,
			Message: fmt.Sprintf("no organisation reference list: add %s (kind: \"organisations\")", ReferenceListFile)})
	} else {
		known = referenceList(set)
	}
	typeOf := func(code string) string { return orgType(known, code) }

	for _, dup := range duplicates(set) {
		add("S01", dup[1], []any{"org"}, "a second plan for %s in %s; the first is %s", dup[1].Org, dup[1].Year, dup[0].File)
	}
	for _, d := range set.Documents {
		want, isPlan := roleType[d.Kind]
		if !isPlan || !d.Valid {
			continue
		}
		if folder, ok := yearFolderOf(d.File); ok && strings.ReplaceAll(d.Year, "/", "-") != folder {
			msg := fmt.Sprintf("year %q does not match the folder %s/ the plan is filed in", d.Year, folder)
			if home, ok := PlanPath(d.Kind, d.Org, d.Year); ok {
				msg += fmt.Sprintf(": correct the year, or move the file to %s", home)
			}
			add("S02", d, []any{"year"}, "%s", msg)
		}
		if known == nil {
			continue
		}
		switch got := typeOf(d.Org); {
		case got == "":
			add("S01", d, []any{"org"}, "%s is not in the organisation reference list (%s)", d.Org, ReferenceListFile)
		case got != want:
			add("S01", d, []any{"org"}, "%s is a %s in the organisation reference list, but this is a %s plan", d.Org, got, d.Kind)
		default:
			// Only a code known with the right type says where the plan
			// belongs; a wrong code is fixed first, or the planner would
			// be sent to move the file to the wrong organisation's path.
			if msg := misplaced(d); msg != "" {
				add("S01", d, []any{"org"}, "%s", msg)
			}
		}
		if sys := d.refs.system; sys != "" && typeOf(sys) != "system" {
			add("S04", d, []any{"system"}, "system %s is not a system (STP/ICS) in the organisation reference list", sys)
		}
		for _, c := range d.refs.parties {
			switch got := typeOf(c.code); {
			case got == "":
				add("S04", d, c.path, "%s is not in the organisation reference list (%s)", c.code, ReferenceListFile)
			case c.want != "" && got != c.want:
				add("S04", d, c.path, "%s is a %s in the organisation reference list; %s must name a %s", c.code, got, DisplayPath(toStrings(c.path[:len(c.path)-1])), c.want)
			}
		}
	}
	return out
}

// duplicates pairs each valid plan that repeats an organisation and year
// with the plan it repeats: [first, second]. The first is the one filed at
// its PlanPath when there is one, otherwise the first in file order (WalkDir
// is lexical), so the finding lands on the copy that has to go and is
// stable from run to run.
func duplicates(set *Set) [][2]*Document {
	var plans []*Document
	for _, d := range set.Documents {
		if _, isPlan := roleType[d.Kind]; isPlan && d.Valid {
			plans = append(plans, d)
		}
	}
	atHome := func(d *Document) bool {
		p, ok := PlanPath(d.Kind, d.Org, d.Year)
		return ok && p == d.File
	}
	slices.SortStableFunc(plans, func(a, b *Document) int {
		switch ha, hb := atHome(a), atHome(b); {
		case ha == hb:
			return 0
		case ha:
			return -1
		}
		return 1
	})
	var out [][2]*Document
	seen := map[string]*Document{}
	for _, d := range plans {
		key := d.Year + "\x00" + d.Org
		if first, dup := seen[key]; dup {
			out = append(out, [2]*Document{first, d})
		} else {
			seen[key] = d
		}
	}
	return out
}

// referenceList returns the type of each organisation ("trust", "ccg",
// "system") in the set's reference list (ReferenceListFile), or nil when it
// is missing or failed the schema: codes are only confirmed against a list
// that can be trusted.
func referenceList(set *Set) map[string]string {
	for _, d := range set.Documents {
		if d.Kind == "organisations" && d.File == ReferenceListFile {
			return d.Organisations()
		}
	}
	return nil
}

// orgType is code's type in the reference list, or "" when the list does
// not have it.
func orgType(known map[string]string, code string) string { return known[code] }

// folderType is the reference-list type of the organisations whose plans
// each folder under plans/<year>/ holds.
var folderType = map[string]string{"providers": "trust", "commissioners": "ccg"}

// FiledAs infers whose plan a file is from where it is filed:
// plans/<year>/providers/<code>.cue, plans/<year>/commissioners/<code>.cue
// or plans/<year>/system-<code>.cue. It returns the year ("2019/20"), the
// code upper-cased and the type the reference list must give that code.
// Only a file at the organisation's PlanPath stands for it: a file anywhere
// else would be refused even if it could be read.
func FiledAs(file string) (year, code, typ string, ok bool) {
	parts := strings.Split(file, "/")
	if len(parts) < 3 || parts[0] != PlansDir || !yearFolder.MatchString(parts[1]) {
		return "", "", "", false
	}
	name, isCue := strings.CutSuffix(parts[len(parts)-1], ".cue")
	switch {
	case !isCue:
		return "", "", "", false
	case len(parts) == 4 && folderType[parts[2]] != "":
		typ = folderType[parts[2]]
	case len(parts) == 3 && strings.HasPrefix(name, "system-"):
		name, typ = strings.TrimPrefix(name, "system-"), "system"
	default:
		return "", "", "", false
	}
	year, code = strings.ReplaceAll(parts[1], "-", "/"), strings.ToUpper(name)
	if home, ok := PlanPath(PlanKind(typ), code, year); !ok || home != file {
		return "", "", "", false
	}
	return year, code, typ, true
}

// attributeRefused works out whose plans the unread files (refused, or
// read without an organisation code) were, from their paths and the
// reference list; it records them for Invalid and names the organisation
// on the files' findings, so the problem is shown against its owner.
func (s *Set) attributeRefused(unread map[string]bool) {
	known := referenceList(s)
	owner := map[string]string{}
	for file := range unread {
		year, code, typ, ok := FiledAs(file)
		if !ok || orgType(known, code) != typ {
			continue
		}
		owner[file] = code
		if s.refused == nil {
			s.refused = map[string]map[string]bool{}
		}
		if s.refused[year] == nil {
			s.refused[year] = map[string]bool{}
		}
		s.refused[year][code] = true
	}
	for i := range s.Findings {
		f := &s.Findings[i]
		if code, ok := owner[f.File]; ok && len(f.Orgs) == 0 {
			f.Org, f.Orgs = code, []string{code}
		}
	}
}

// FileYear is the financial year a file's place names, as "2019/20": the
// year folder it is filed in (plans/2019-20/system-qxu.cue,
// plans/2019-20/providers/rtk.cue) or, failing that, a file named for the
// year (policy/register/2019-20.cue). It is "" when the path names no year.
func FileYear(file string) string {
	folder, ok := yearFolderOf(file)
	if !ok {
		stem := strings.TrimSuffix(path.Base(file), ".cue")
		if !yearFolder.MatchString(stem) {
			return ""
		}
		folder = stem
	}
	return strings.ReplaceAll(folder, "-", "/")
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

// refs is what the cross-checks read of a valid document: the organisations
// it names. It is decoded from the document's data into the structs below,
// whose tags TestRefsInSchema finds in the schema, so a misspelt key fails a
// test instead of silently naming no one.
type refs struct {
	system  string            // the system a plan names, "" for none
	parties []counterparty    // every organisation the document names, with where
	types   map[string]string // a reference list's organisations: code to type
}

type (
	providerRefs struct {
		System   string   `json:"system"`
		Activity codeKeys `json:"activity"`
		Finance  struct {
			Income struct {
				ByCommissioner codeKeys `json:"by_commissioner"`
			} `json:"income"`
		} `json:"finance"`
		PriorYear priorYearRefs `json:"prior_year"`
	}
	commissionerRefs struct {
		System    string        `json:"system"`
		Contracts codeKeys      `json:"contracts"`
		PriorYear priorYearRefs `json:"prior_year"`
	}
	priorYearRefs struct {
		Activity codeKeys `json:"activity"`
	}
	systemRefs struct {
		Members []string `json:"members"`
	}
	organisationsRefs struct {
		Organisations map[string]struct {
			Type string `json:"type"`
		} `json:"organisations"`
	}
	// codeKeys is a struct keyed by organisation code; only the keys are
	// read.
	codeKeys map[string]struct{}
)

// readRefs decodes the organisations a valid document of kind names.
func readRefs(kind string, data map[string]any) (refs, error) {
	var r refs
	keys := func(m codeKeys, want string, p ...string) {
		for _, code := range slices.Sorted(maps.Keys(m)) {
			r.parties = append(r.parties, counterparty{code: code, want: want, path: append(toAny(p), code)})
		}
	}
	var err error
	switch kind {
	case "provider":
		var p providerRefs
		if err = decodeData(data, &p); err == nil {
			r.system = p.System
			keys(p.Activity, "ccg", "activity")
			keys(p.Finance.Income.ByCommissioner, "ccg", "finance", "income", "by_commissioner")
			keys(p.PriorYear.Activity, "", "prior_year", "activity")
		}
	case "commissioner":
		var c commissionerRefs
		if err = decodeData(data, &c); err == nil {
			r.system = c.System
			keys(c.Contracts, "trust", "contracts")
			keys(c.PriorYear.Activity, "", "prior_year", "activity")
		}
	case "system":
		var sys systemRefs
		if err = decodeData(data, &sys); err == nil {
			for i, m := range sys.Members {
				r.parties = append(r.parties, counterparty{code: m, path: []any{"members", i}})
			}
		}
	case "organisations":
		var o organisationsRefs
		if err = decodeData(data, &o); err == nil {
			r.types = make(map[string]string, len(o.Organisations))
			for code, org := range o.Organisations {
				r.types[code] = org.Type
			}
		}
	}
	if err != nil {
		return refs{}, fmt.Errorf("decode %s: %w", kind, err)
	}
	return r, nil
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
