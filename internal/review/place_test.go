package review

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/codeowners"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestFilterMarks: the one filter marks each location against a real diff
// (rtk.cue line 14 rewritten): on the line, within GitHub's three lines of
// context, past them, in a file the change does not touch, and without a
// line. Nothing is dropped.
func TestFilterMarks(t *testing.T) {
	const rtk = "plans/2019-20/providers/rtk.cue"
	g := testutil.NewGit(t)
	g.Branch("change")
	g.Replace(rtk, `system:    "QXU"`, `system:    "QX"`)
	g.Commit("one line")
	repo := gitrepo.Wrap(g.Repo)
	base, err := repo.Resolve("main")
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Resolve("change")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := repo.Changes(context.Background(), base, head)
	if err != nil {
		t.Fatal(err)
	}
	owners, err := codeowners.Parse(strings.NewReader("/plans/**/providers/rtk.cue @o/rtk\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFilter(changes, owners)
	tests := []struct {
		name string
		loc  finding.Location
		want Side
	}{
		{"changed line", finding.Location{File: rtk, Line: 14},
			Side{Placement: InDiff, DiffLine: 14, Owners: "@o/rtk"}},
		{"context above", finding.Location{File: rtk, Line: 11},
			Side{Placement: InContext, DiffLine: 11, Owners: "@o/rtk"}},
		{"context below", finding.Location{File: rtk, Line: 17},
			Side{Placement: InContext, DiffLine: 17, Owners: "@o/rtk"}},
		{"past the context", finding.Location{File: rtk, Line: 18},
			Side{Placement: OutOfDiff, Owners: "@o/rtk"}},
		{"untouched file", finding.Location{File: "plans/2019-20/providers/ra2.cue", Line: 14},
			Side{Placement: OutOfDiff}},
		{"no line", finding.Location{File: rtk},
			Side{Placement: OutOfDiff, Owners: "@o/rtk"}},
		{"no file", finding.Location{Org: "RTK"},
			Side{Placement: OutOfDiff}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Location = tc.loc
			p := f.head(finding.Finding{Rule: "X01", Location: tc.loc})
			if diff := cmp.Diff([]Side{tc.want}, p.Sides); diff != "" {
				t.Errorf("sides (-want +got):\n%s", diff)
			}
			if b := f.base(finding.Finding{Rule: "X01", Location: tc.loc}); b.Sides[0].Placement != OutOfDiff || b.Shown() {
				t.Errorf("a base finding is placed on the head's diff: %+v", b.Sides)
			}
		})
	}
	// A misalignment shows when either side does, and keeps both sides.
	p := f.head(finding.Finding{Rule: "A01", Location: finding.Location{File: "plans/2019-20/providers/ra2.cue", Line: 3},
		Related: []finding.Location{{File: rtk, Line: 14}}})
	if !p.Shown() || len(p.Sides) != 2 || p.Sides[0].Shown() || !p.Sides[1].Shown() {
		t.Errorf("misalignment sides %+v, want the second shown only", p.Sides)
	}
}
