package review

import (
	"slices"

	"github.com/triangulate-nhs/triangulate/internal/codeowners"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
)

// Placement says where one side of a finding sits on the pull request's
// diff. As in reviewdog's filter, a finding is marked, never dropped: what
// the diff does not show is still reported, only not as a line comment.
type Placement string

const (
	// InDiff is a line the change adds or rewrites.
	InDiff Placement = "in-diff"
	// InContext is an unchanged line the diff shows around a change;
	// GitHub accepts a line comment there too.
	InContext Placement = "in-context"
	// OutOfDiff is any other line, or no line at all.
	OutOfDiff Placement = "out-of-diff"
)

// Side is one place a finding is about: its own location or one of its
// related ones (the other side of a misalignment), marked on the diff.
type Side struct {
	finding.Location
	Placement Placement
	// DiffLine is the line of the head's file a comment on this side goes
	// on (the right-hand side of the diff); 0 when the diff does not show
	// the side.
	DiffLine int
	// Owners are the code owners of the side's file at the base, as GitHub
	// mentions them ("@org/team"). They come from the base's CODEOWNERS,
	// never from the change, so a pull request cannot choose whom it pings.
	Owners string
}

// Shown reports whether the diff shows the side, so a comment can sit on it.
func (s Side) Shown() bool { return s.Placement != OutOfDiff }

// Placed is a finding with each of its sides marked on the diff: its own
// location first, then its related locations in order.
type Placed struct {
	finding.Finding
	Sides []Side
}

// Shown reports whether the diff shows any side of the finding.
func (p Placed) Shown() bool { return slices.ContainsFunc(p.Sides, Side.Shown) }

// Findings returns the findings of ps without their placement.
func Findings(ps []Placed) []finding.Finding {
	out := make([]finding.Finding, len(ps))
	for i, p := range ps {
		out[i] = p.Finding
	}
	return out
}

// filter is the one place a finding is set against the diff.
type filter struct {
	// files are the head's files the diff touches, by path.
	files  map[string]gitrepo.FileChange
	owners *codeowners.Owners
}

func newFilter(changes []gitrepo.FileChange, owners *codeowners.Owners) *filter {
	f := &filter{files: map[string]gitrepo.FileChange{}, owners: owners}
	for _, c := range changes {
		if c.To != "" {
			f.files[c.To] = c
		}
	}
	return f
}

// head places a finding about the head's plans.
func (f *filter) head(fd finding.Finding) Placed {
	return f.placed(fd, f.mark)
}

// base places a finding about the base's plans: the diff's right-hand side
// shows the head, so no side of it can carry a comment.
func (f *filter) base(fd finding.Finding) Placed {
	return f.placed(fd, func(finding.Location) (Placement, int) { return OutOfDiff, 0 })
}

func (f *filter) placed(fd finding.Finding, mark func(finding.Location) (Placement, int)) Placed {
	p := Placed{Finding: fd, Sides: make([]Side, 0, 1+len(fd.Related))}
	for _, loc := range append([]finding.Location{fd.Location}, fd.Related...) {
		s := Side{Location: loc}
		s.Placement, s.DiffLine = mark(loc)
		if f.owners != nil && loc.File != "" {
			s.Owners = f.owners.Mention(loc.File)
		}
		p.Sides = append(p.Sides, s)
	}
	return p
}

// mark decides where a location of the head sits on the diff.
func (f *filter) mark(l finding.Location) (Placement, int) {
	c, ok := f.files[l.File]
	if !ok || l.Line < 1 || !c.Commentable(l.Line) {
		return OutOfDiff, 0
	}
	// Added is ascending.
	if _, added := slices.BinarySearch(c.Added, l.Line); added {
		return InDiff, l.Line
	}
	return InContext, l.Line
}
