package planfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"cuelang.org/go/cue/cuecontext"
)

// Parse reads a plan file's CUE data. It evaluates src, so it is for files
// the loader has already bounded and refused non-data in (internal/plan), or
// for files this package wrote.
func Parse(src []byte) (*Plan, error) {
	js, err := compile(src)
	if err != nil {
		return nil, fmt.Errorf("read CUE: %w", err)
	}
	return FromJSON(js)
}

func compile(src []byte) ([]byte, error) {
	v := cuecontext.New().CompileBytes(src)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return v.MarshalJSON()
}

// FromJSON reads a plan from its JSON form (a loaded document's data). Any
// field the layout does not know is an error, so nothing is lost silently
// on the way to a workbook.
func FromJSON(js []byte) (*Plan, error) {
	var probe struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(js, &probe); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	var p Plan
	var target any
	switch probe.Kind {
	case "provider":
		p.Provider = &Provider{}
		target = &struct {
			Kind string `json:"kind"`
			*Provider
		}{Provider: p.Provider}
	case "commissioner":
		p.Commissioner = &Commissioner{}
		target = &struct {
			Kind string `json:"kind"`
			*Commissioner
		}{Commissioner: p.Commissioner}
	case "system":
		p.System = &System{}
		target = &struct {
			Kind string `json:"kind"`
			*System
		}{System: p.System}
	default:
		return nil, fmt.Errorf("read plan: kind %q is not a provider, commissioner or system plan", probe.Kind)
	}
	d := json.NewDecoder(bytes.NewReader(js))
	d.DisallowUnknownFields()
	if err := d.Decode(target); err != nil {
		return nil, fmt.Errorf("read %s plan: %w", probe.Kind, err)
	}
	if err := p.Check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Check reports the first way the plan does not fit the layout: a monthly
// list that is not twelve months, or a line, growth or staff group the
// layout does not know.
func (p *Plan) Check() error {
	var errs []string
	months := func(path string, n int) {
		if n != 12 {
			errs = append(errs, fmt.Sprintf("%s has %d months, not 12", path, n))
		}
	}
	flow := func(path string, f Flow) { months(path+".months", len(f.Months)) }
	lines := func(path string, ls Lines) {
		for k, f := range ls {
			if !hasKey(ActivityLines, k) {
				errs = append(errs, fmt.Sprintf("%s.%s is not an activity line", path, k))
			}
			flow(path+"."+k, f)
		}
	}
	prior := func(py *PriorYear) {
		for c, a := range py.Activity {
			for k := range a {
				if !hasKey(ActivityLines, k) {
					errs = append(errs, fmt.Sprintf("prior_year.activity.%s.%s is not an activity line", c, k))
				}
			}
		}
		for k := range py.GrowthPct {
			if !hasKey(GrowthLines, k) {
				errs = append(errs, fmt.Sprintf("prior_year.growth_pct.%s is not a growth line", k))
			}
		}
	}
	switch {
	case p.Provider != nil:
		t := p.Provider
		for c, ls := range t.Activity {
			lines("activity."+c, ls)
		}
		if t.RTT != nil {
			flow("rtt.clock_starts", t.RTT.ClockStarts)
			flow("rtt.completed_admitted", t.RTT.CompletedAdmitted)
			flow("rtt.completed_nonadmitted", t.RTT.CompletedNonadmitted)
			months("rtt.waiting_list.months", len(t.RTT.WaitingList.Months))
			months("rtt.waits_52_weeks.months", len(t.RTT.Waits52Weeks.Months))
		}
		months("capacity.beds_core.months", len(t.Capacity.BedsCore.Months))
		months("capacity.beds_escalation.months", len(t.Capacity.BedsEscalation.Months))
		months("capacity.beds_occupied.months", len(t.Capacity.BedsOccupied.Months))
		months("workforce.total", len(t.Workforce.Total))
		for g, sg := range t.Workforce.Groups {
			if !hasKey(StaffGroups, g) {
				errs = append(errs, fmt.Sprintf("workforce.groups.%s is not a staff group", g))
			}
			for _, k := range StaffKinds {
				months("workforce.groups."+g+"."+k, len(*sg.Kind(k)))
			}
		}
		for c, f := range t.Finance.Income.ByCommissioner {
			months("finance.income.by_commissioner."+c+".months", len(f.Months))
		}
		for i, s := range t.Finance.CIP.Schemes {
			months(fmt.Sprintf("finance.cip.schemes[%d].months", i), len(s.Months))
		}
		if t.Performance != nil {
			for _, tr := range Trajectories {
				x := t.Performance.Get(tr.Key)
				months("performance."+tr.Key+".numerator", len(x.Numerator))
				months("performance."+tr.Key+".denominator", len(x.Denominator))
			}
		}
		prior(&t.PriorYear.PriorYear)
	case p.Commissioner != nil:
		c := p.Commissioner
		for code, k := range c.Contracts {
			months("contracts."+code+".value.months", len(k.Value.Months))
			lines("contracts."+code+".activity", k.Activity)
		}
		prior(&c.PriorYear.PriorYear)
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return fmt.Errorf("plan does not fit the workbook layout: %s", errs[0])
	}
	return nil
}

func hasKey(ls []Line, k string) bool {
	return slices.ContainsFunc(ls, func(l Line) bool { return l.Key == k })
}
