package policy

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/register"
)

// occupancyQuery is the policies' own G&A occupancy of every provider, the
// numbers B01, B02 and R03 judge: anything that shows occupancy reads it
// from here rather than working it out again.
const occupancyQuery = "data.triangulate.lib.provider_occupancy"

// Occupancy is one month of a provider's planned G&A occupancy as the
// policies compute it (policy/lib/capacity.rego).
type Occupancy struct {
	Month int `json:"month"`
	// Basis is "derived" (from spells times length of stay) or "declared"
	// (occupied beds the trust declares: mental health, community).
	Basis          string  `json:"basis"`
	BedDays        float64 `json:"bed_days"`
	BedDaysOpen    float64 `json:"bed_days_open"`
	BedsCore       float64 `json:"beds_core"`
	BedsEscalation float64 `json:"beds_escalation"`
	BedsOccupied   float64 `json:"beds_occupied"`
	Days           int     `json:"days"`
	// Pct is nil in a month with no bed open.
	Pct *float64 `json:"pct"`
}

// Occupancy evaluates the policies' occupancy of every provider in set,
// keyed by year ("2019/20") and ODS code, each with its months in order.
// Providers whose plan failed the schema are left out, as their findings
// are.
func (e *Engine) Occupancy(ctx context.Context, set *plan.Set, regs register.Registers) (map[string]map[string][]Occupancy, error) {
	q, err := e.newQuery(ctx, occupancyQuery)
	if err != nil {
		return nil, fmt.Errorf("prepare occupancy: %w", err)
	}
	out := map[string]map[string][]Occupancy{}
	for _, year := range set.Years() {
		docs := yearDocs(set, year)
		invalid := set.Invalid(year)
		in, err := ast.InterfaceToValue(input(set, docs, regs.Data(year), year))
		if err != nil {
			return nil, fmt.Errorf("build policy input for %s: %w", year, err)
		}
		rs, err := q.Eval(ctx, rego.EvalParsedInput(in))
		if err != nil {
			return nil, fmt.Errorf("evaluate occupancy for %s: %w", year, err)
		}
		if len(rs) != 1 || len(rs[0].Expressions) != 1 {
			return nil, fmt.Errorf("evaluate occupancy for %s: %d results, want one", year, len(rs))
		}
		raw, err := json.Marshal(rs[0].Expressions[0].Value)
		if err != nil {
			return nil, fmt.Errorf("read occupancy for %s: %w", year, err)
		}
		var byOrg map[string]map[string]Occupancy
		if err := json.Unmarshal(raw, &byOrg); err != nil {
			return nil, fmt.Errorf("read occupancy for %s: %w", year, err)
		}
		y := map[string][]Occupancy{}
		for org, months := range byOrg {
			if invalid[org] {
				continue
			}
			ms := make([]Occupancy, 0, len(months))
			for m := 1; m <= 12; m++ {
				if o, ok := months[fmt.Sprint(m)]; ok {
					ms = append(ms, o)
				}
			}
			y[org] = ms
		}
		out[year] = y
	}
	return out, nil
}
