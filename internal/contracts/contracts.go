// Package contracts rebuilds the position of every commissioner-provider
// contract from the plans: the status each side records, the money and the
// activity the two sides plan, and the gaps between them. Position reads
// one plan set; Weekly reads a branch's history Friday by Friday, the way
// the national bodies took weekly returns on every contract from late
// January. Both return plain data; the command line and the dashboard render
// it.
package contracts

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// Side is what one side's plan says about a contract; nil when its
// plan does not name the contract (or there is no valid plan).
type Side struct {
	State string  `json:"state,omitempty"`
	Date  string  `json:"date,omitempty"`
	Value float64 `json:"value"`
	// Activity is the annual sum of each activity line's months.
	Activity map[string]float64 `json:"activity"`
}

// Row is one contract's position: a commissioner-provider pair in a year.
type Row struct {
	Year         string `json:"year"`
	Provider     string `json:"provider"`
	Commissioner string `json:"commissioner"`
	// Either side is nil when its plan does not name the contract.
	ProviderSide     *Side `json:"provider_side"`
	CommissionerSide *Side `json:"commissioner_side"`
	StatesAgree      bool  `json:"states_agree"`
	// MoneyGap is the provider's income less the commissioner's value, £000;
	// nil unless both sides plan the contract.
	MoneyGap *float64 `json:"money_gap"`
	// ActivityGaps is provider less commissioner per line either side plans.
	ActivityGaps map[string]float64 `json:"activity_gaps,omitempty"`
	// WidestLine is the line whose gap is largest relative to the
	// commissioner's figure.
	WidestLine string `json:"widest_activity_gap_line,omitempty"`
}

// The fields of a plan this package reads, decoded from the validated data
// so a renamed field fails loudly in a test rather than reading as zero.
type (
	contractFlow struct {
		Months []float64 `json:"months"`
	}
	sideStatus struct {
		State string `json:"state"`
		Date  string `json:"date"`
	}
	providerContracts struct {
		Activity map[string]map[string]contractFlow `json:"activity"`
		Finance  struct {
			Income struct {
				ByCommissioner map[string]contractFlow `json:"by_commissioner"`
			} `json:"income"`
		} `json:"finance"`
		ContractStatus map[string]sideStatus `json:"contract_status"`
	}
	commissionerContracts struct {
		Contracts map[string]struct {
			Status   *sideStatus             `json:"status"`
			Value    contractFlow            `json:"value"`
			Activity map[string]contractFlow `json:"activity"`
		} `json:"contracts"`
	}
)

func decodeContracts[T any](d *plan.Document) (*T, error) {
	b, err := json.Marshal(d.Data)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", d.File, err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", d.File, err)
	}
	return &v, nil
}

func monthsTotal(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

func annualLines(lines map[string]contractFlow) map[string]float64 {
	out := make(map[string]float64, len(lines))
	for k, l := range lines {
		out[k] = monthsTotal(l.Months)
	}
	return out
}

// Position joins the two sides of every contract either side names in the
// valid plans of set, sorted by year, provider and commissioner. It fails
// only when a valid plan's data does not decode into the fields it reads.
func Position(set *plan.Set) ([]Row, error) {
	type key struct{ year, provider, commissioner string }
	rows := map[key]*Row{}
	row := func(k key) *Row {
		if r := rows[k]; r != nil {
			return r
		}
		r := &Row{Year: k.year, Provider: k.provider, Commissioner: k.commissioner}
		rows[k] = r
		return r
	}
	for _, d := range set.Documents {
		if !d.Valid {
			continue
		}
		switch d.Kind {
		case "provider":
			p, err := decodeContracts[providerContracts](d)
			if err != nil {
				return nil, err
			}
			named := map[string]bool{}
			for c := range p.Activity {
				named[c] = true
			}
			for c := range p.Finance.Income.ByCommissioner {
				named[c] = true
			}
			for c := range named {
				s := &Side{Value: monthsTotal(p.Finance.Income.ByCommissioner[c].Months), Activity: annualLines(p.Activity[c])}
				if st, ok := p.ContractStatus[c]; ok {
					s.State, s.Date = st.State, st.Date
				}
				row(key{d.Year, d.Org, c}).ProviderSide = s
			}
		case "commissioner":
			p, err := decodeContracts[commissionerContracts](d)
			if err != nil {
				return nil, err
			}
			for t, k := range p.Contracts {
				s := &Side{Value: monthsTotal(k.Value.Months), Activity: annualLines(k.Activity)}
				if k.Status != nil {
					s.State, s.Date = k.Status.State, k.Status.Date
				}
				row(key{d.Year, t, d.Org}).CommissionerSide = s
			}
		}
	}
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		if p, c := r.ProviderSide, r.CommissionerSide; p != nil && c != nil {
			r.StatesAgree = p.State == c.State
			gap := p.Value - c.Value
			r.MoneyGap = &gap
			r.ActivityGaps, r.WidestLine = activityGaps(p.Activity, c.Activity)
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Row) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Commissioner, b.Commissioner))
	})
	return out, nil
}

// activityGaps is provider less commissioner for every line either side
// plans, the zero gaps left out, and the line furthest apart relative to the
// commissioner's figure (a line only the provider plans counts as 100%).
func activityGaps(p, c map[string]float64) (map[string]float64, string) {
	gaps := map[string]float64{}
	widest, widestPct := "", 0.0
	lines := slices.Sorted(func(yield func(string) bool) {
		seen := map[string]bool{}
		for _, m := range []map[string]float64{p, c} {
			for l := range m {
				if !seen[l] {
					seen[l] = true
					if !yield(l) {
						return
					}
				}
			}
		}
	})
	for _, l := range lines {
		g := p[l] - c[l]
		if g == 0 {
			continue
		}
		gaps[l] = g
		pct := 100.0
		if c[l] != 0 {
			pct = math.Abs(g) * 100 / math.Abs(c[l])
		}
		if pct > widestPct {
			widest, widestPct = l, pct
		}
	}
	if len(gaps) == 0 {
		return nil, ""
	}
	return gaps, widest
}
