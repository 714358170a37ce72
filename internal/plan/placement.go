package plan

import (
	"fmt"
	"path"
	"strings"
)

// ReferenceListFile is the one organisation reference list. It is the
// regulators' (CODEOWNERS), so a list filed anywhere else would let anyone
// who can open a pull request add organisations of their own.
const ReferenceListFile = PlansDir + "/organisations.cue"

// kindFolder is the folder under plans/<year>/ holding each kind of plan; a
// system file sits in the year folder itself, named system-<code>.cue.
var kindFolder = map[string]string{"provider": "providers", "commissioner": "commissioners"}

// PlanPath is the one path at which the plan of kind ("provider",
// "commissioner", "system") of organisation code for year ("2019/20") may
// be filed: plans/2019-20/providers/rtk.cue,
// plans/2019-20/commissioners/09n.cue, plans/2019-20/system-qxu.cue. The
// code is lower-cased because CODEOWNERS matches paths case-sensitively and
// names each organisation's file that way. ok is false for a kind that is
// not a plan, a year not written YYYY/YY, or a code that is not one plain
// path element.
func PlanPath(kind, code, year string) (p string, ok bool) {
	folder := strings.ReplaceAll(year, "/", "-")
	if !yearFolder.MatchString(folder) || code == "" || strings.ContainsAny(code, `/\.`) {
		return "", false
	}
	name := strings.ToLower(code) + ".cue"
	switch kind {
	case "provider", "commissioner":
		return path.Join(PlansDir, folder, kindFolder[kind], name), true
	case "system":
		return path.Join(PlansDir, folder, "system-"+name), true
	}
	return "", false
}

// PlanKind is the kind of plan an organisation of reference-list type typ
// ("trust", "ccg", "system") files, or "" for any other type.
func PlanKind(typ string) string {
	for kind, t := range roleType {
		if t == typ {
			return kind
		}
	}
	return ""
}

// Organisations is a reference list's organisations as code -> type
// ("trust", "ccg", "system"); nil unless d is a reference list that passed
// the schema. The map is the document's own: do not change it.
func (d *Document) Organisations() map[string]string {
	if d == nil || d.Kind != "organisations" || !d.Valid {
		return nil
	}
	return d.refs.types
}

// misplaced finds a plan filed anywhere but its PlanPath: CODEOWNERS binds an
// organisation to its path, so a plan elsewhere (renamed, in another kind's
// folder, nested deeper, named for another organisation) would be changed
// with nobody from the organisation approving. It returns the finding's
// message, or "" for a plan where it belongs. A plan whose only fault is
// that its year field disagrees with the year folder it is properly filed
// in is left to S02, which says just that.
func misplaced(d *Document) string {
	want, ok := PlanPath(d.Kind, d.Org, d.Year)
	if !ok || d.File == want {
		return ""
	}
	if y := FileYear(d.File); y != "" {
		if there, ok := PlanPath(d.Kind, d.Org, y); ok && there == d.File {
			return ""
		}
	}
	return fmt.Sprintf("%s's %s for %s must be filed at %s, not %s: only that path is its planning team's in CODEOWNERS, so a change anywhere else would not need their approval; move the file there",
		d.Org, kindNoun(d.Kind), d.Year, want, d.File)
}
