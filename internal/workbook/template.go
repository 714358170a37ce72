package workbook

import (
	"fmt"
	"slices"

	"github.com/xuri/excelize/v2"

	"github.com/triangulate-nhs/triangulate/internal/planfile"
)

// Template writes the blank workbook of one organisation and year: every
// line of the layout for each counterparty, totals as formulas, labels
// locked, figures left for the planner. kind is "provider",
// "commissioner" or "system"; typ is a trust's type. counterparties are the
// organisations whose blocks it lists (more can be added in spare rows).
func Template(org, year, typ string, counterparties []string, o Options) (*excelize.File, error) {
	info, ok := o.Orgs[org]
	if !ok {
		return nil, fmt.Errorf("template: %s is not in the organisation reference list", org)
	}
	h := planfile.Header{Org: org, Name: info.Name, Year: year}
	prior := priorYear(year)
	all := func() planfile.Lines {
		ls := planfile.Lines{}
		for _, l := range planfile.ActivityLines {
			ls[l.Key] = planfile.Flow{}
		}
		return ls
	}
	annual := func() planfile.Annual {
		a := planfile.Annual{}
		for _, l := range planfile.ActivityLines {
			a[l.Key] = 0
		}
		return a
	}
	growth := map[string]float64{}
	for _, l := range planfile.GrowthLines {
		growth[l.Key] = 0
	}
	var p planfile.Plan
	switch info.Type {
	case "trust":
		if !slices.Contains(planfile.TrustTypes, typ) {
			return nil, fmt.Errorf("template: a trust's type must be one of %v, got %q", planfile.TrustTypes, typ)
		}
		t := &planfile.Provider{Header: h, System: info.System, Type: typ, Activity: map[string]planfile.Lines{}, ContractStatus: map[string]planfile.ContractStatus{}}
		t.Finance.Income.ByCommissioner = map[string]planfile.MoneyFlow{}
		t.PriorYear.Year, t.PriorYear.Activity, t.PriorYear.Income, t.PriorYear.GrowthPct = prior, map[string]planfile.Annual{}, map[string]float64{}, growth
		for _, c := range counterparties {
			t.Activity[c] = all()
			t.ContractStatus[c] = planfile.ContractStatus{}
			t.Finance.Income.ByCommissioner[c] = planfile.MoneyFlow{}
			t.PriorYear.Activity[c] = annual()
			t.PriorYear.Income[c] = 0
		}
		p.Provider = t
	case "ccg":
		c := &planfile.Commissioner{Header: h, System: info.System, Contracts: map[string]planfile.Contract{}}
		c.PriorYear.Year, c.PriorYear.Activity, c.PriorYear.GrowthPct = prior, map[string]planfile.Annual{}, growth
		for _, t := range counterparties {
			c.Contracts[t] = planfile.Contract{Activity: all()}
			c.PriorYear.Activity[t] = annual()
		}
		p.Commissioner = c
	case "system":
		p.System = &planfile.System{Header: h}
	default:
		return nil, fmt.Errorf("template: %s is of type %q", org, info.Type)
	}
	return build(&p, o, true)
}

func priorYear(year string) string {
	var y int
	if _, err := fmt.Sscanf(year, "%4d/", &y); err != nil || len(year) != 7 {
		return ""
	}
	return fmt.Sprintf("%d/%02d", y-1, y%100)
}
