package review

import (
	"github.com/triangulate-nhs/triangulate/internal/diff"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// Unit says how a key figure reads: internal/diff's, which reads them.
type Unit = diff.Unit

// Units of key figures.
const (
	Count   = diff.Count
	Money   = diff.Money
	Average = diff.Average
)

// Figure is one key number of a plan before and after the change; nil
// where that version of the plan does not state it. It is a diff.Measure,
// read by the same code as `triangulate diff`, so the summary's table and
// the diff command cannot disagree.
type Figure = diff.Measure

// PlanFigures are the key figures of one plan file the change touches.
type PlanFigures struct {
	Org, Year, File string
	// Name is the organisation's name as its plan states it.
	Name string
	// Added and Removed say the plan is new, or gone, in this change.
	Added, Removed bool
	Figures        []Figure
}

// keyFigures tables the key figures of every plan file the change touches.
// A system file holds only its members, and the system control total is
// the register's, so a system file has no key figures of its own.
func keyFigures(changes []gitrepo.FileChange, base, head *plan.Set) ([]PlanFigures, error) {
	var out []PlanFigures
	for _, c := range changes {
		before, after := docByFile(base, c.From), docByFile(head, c.To)
		d := after
		if d == nil {
			d = before
		}
		if d == nil {
			continue
		}
		figs, err := diff.Compare(before, after, diff.Options{Headline: true})
		if err != nil {
			return nil, err
		}
		if len(figs) > 0 {
			out = append(out, PlanFigures{Org: d.Org, Year: d.Year, File: d.File, Name: diff.PlanName(d),
				Added: before == nil, Removed: after == nil, Figures: figs})
		}
	}
	return out, nil
}
