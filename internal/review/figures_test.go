package review

import (
	"slices"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestKeyFiguresAreDiffHeadlines: the summary's key figures are
// internal/diff's headline measures of the plan, in its order, and nothing
// else (the schema and decoding tests live with internal/diff).
func TestKeyFiguresAreDiffHeadlines(t *testing.T) {
	fsys := testutil.RepoFS(t)
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		t.Fatal(err)
	}
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		want []string
	}{
		{"plans/2019-20/providers/rtk.cue", []string{
			"GP referrals (E.M.1)", "Outpatients first (E.M.8)", "Outpatients follow-up (E.M.9)", "Elective spells (E.M.10)",
			"Non-elective spells (E.M.11)", "A&E attendances (E.M.12+13)", "Income", "Expenditure",
			"Surplus/(deficit) before sustainability funding", "WTE (average)", "G&A beds (average)",
		}},
		{"plans/2019-20/commissioners/09n.cue", []string{
			"GP referrals (E.M.1)", "Outpatients first (E.M.8)", "Outpatients follow-up (E.M.9)", "Elective spells (E.M.10)",
			"Non-elective spells (E.M.11)", "A&E attendances (E.M.12+13)", "Contract value, all providers", "Other spend",
			"Surplus/(deficit)", "Mental health spend", "QIPP savings",
		}},
		{"plans/2019-20/system-qxu.cue", nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			pfs, err := keyFigures([]gitrepo.FileChange{{From: tc.file, To: tc.file}}, set, set)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, pf := range pfs {
				for _, f := range pf.Figures {
					got = append(got, f.Label)
					if f.Before == nil || f.After == nil || *f.Before != *f.After {
						t.Errorf("%s: %v -> %v, want the same figure on both sides", f.Label, f.Before, f.After)
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("figures %q\nwant %q", got, tc.want)
			}
		})
	}
}
