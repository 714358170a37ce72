package cli

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

var contractFormats = []string{"text", "csv", "json"}

func newContracts() *cobra.Command {
	var ref, format string
	c := &cobra.Command{
		Use:   "contracts [DIR]",
		Short: "List every contract's position: both sides' statuses, the money gap and the activity gap",
		Long: `contracts lists every commissioner-provider contract in the plans at DIR (the
repository root at or above the working directory by default), or in the
repository at DIR read at --ref without a checkout: the status each side
records (contracts[<trust>].status in the commissioner's plan,
contract_status[<ccg>] in the provider's), the provider's income from the
commissioner against the commissioner's contract value and the gap between
them (provider less commissioner, £000), and the activity line the two sides
plan furthest apart. A side whose plan does not name the contract shows "-".
Only plans that pass the schema are read.

Exit codes: 0 listed, 2 no plans there, an unknown ref or a usage error.`,
		Example: `  triangulate contracts
  triangulate contracts --ref main --format csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(contractFormats, format) {
				return usageErr("unknown --format %q: use one of %s", format, list(contractFormats))
			}
			fsys, label, err := sourceArgs(args, ref)
			if err != nil {
				return err
			}
			side, err := judge(cmd.Context(), fsys, label, check.Options{MaxFileSize: plan.DefaultMaxFileSize})
			if err != nil {
				return err
			}
			rows, err := contractRows(side.Set)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("read contracts from %s: %w", label, err)}
			}
			if err := writeContracts(cmd.OutOrStdout(), format, rows); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("write contracts: %w", err)}
			}
			return nil
		},
	}
	c.Flags().StringVar(&ref, "ref", "", "read the plans at this git ref of the repository at DIR instead of the files on disk")
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: "+list(contractFormats))
	return c
}

// contractSide is what one side's plan says about a contract; nil when its
// plan does not name the contract (or there is no valid plan).
type contractSide struct {
	State string  `json:"state,omitempty"`
	Date  string  `json:"date,omitempty"`
	Value float64 `json:"value"`
	// Activity is the annual sum of each activity line's months.
	Activity map[string]float64 `json:"activity"`
}

type contractRow struct {
	Year         string `json:"year"`
	Provider     string `json:"provider"`
	Commissioner string `json:"commissioner"`
	// Either side is nil when its plan does not name the contract.
	ProviderSide     *contractSide `json:"provider_side"`
	CommissionerSide *contractSide `json:"commissioner_side"`
	StatesAgree      bool          `json:"states_agree"`
	// MoneyGap is the provider's income less the commissioner's value, £000;
	// nil unless both sides plan the contract.
	MoneyGap *float64 `json:"money_gap"`
	// ActivityGaps is provider less commissioner per line either side plans.
	ActivityGaps map[string]float64 `json:"activity_gaps,omitempty"`
	// WidestLine is the line whose gap is largest relative to the
	// commissioner's figure.
	WidestLine string `json:"widest_activity_gap_line,omitempty"`
}

// The fields of a plan this command reads, decoded from the validated data
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

// contractRows joins the two sides of every contract either side names,
// sorted by year, provider and commissioner.
func contractRows(set *plan.Set) ([]contractRow, error) {
	type key struct{ year, provider, commissioner string }
	rows := map[key]*contractRow{}
	row := func(k key) *contractRow {
		if r := rows[k]; r != nil {
			return r
		}
		r := &contractRow{Year: k.year, Provider: k.provider, Commissioner: k.commissioner}
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
				s := &contractSide{Value: monthsTotal(p.Finance.Income.ByCommissioner[c].Months), Activity: annualLines(p.Activity[c])}
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
				s := &contractSide{Value: monthsTotal(k.Value.Months), Activity: annualLines(k.Activity)}
				if k.Status != nil {
					s.State, s.Date = k.Status.State, k.Status.Date
				}
				row(key{d.Year, t, d.Org}).CommissionerSide = s
			}
		}
	}
	out := make([]contractRow, 0, len(rows))
	for _, r := range rows {
		if p, c := r.ProviderSide, r.CommissionerSide; p != nil && c != nil {
			r.StatesAgree = p.State == c.State
			gap := p.Value - c.Value
			r.MoneyGap = &gap
			r.ActivityGaps, r.WidestLine = activityGaps(p.Activity, c.Activity)
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b contractRow) int {
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

func writeContracts(w io.Writer, format string, rows []contractRow) error {
	switch format {
	case "json":
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(struct {
			Contracts []contractRow `json:"contracts"`
		}{rows})
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"year", "provider", "commissioner", "provider_state", "provider_date", "commissioner_state", "commissioner_date",
			"states_agree", "provider_income_gbp000", "commissioner_value_gbp000", "money_gap_gbp000", "widest_activity_gap_line", "widest_activity_gap"})
		for _, r := range rows {
			cw.Write(csvRow(r))
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "year\tprovider\tcommissioner\tprovider says\tcommissioner says\tincome\tvalue\tmoney gap\twidest activity gap")
	disagree := 0
	for _, r := range rows {
		flag := ""
		if r.ProviderSide != nil && r.CommissionerSide != nil && !r.StatesAgree {
			flag, disagree = " *", disagree+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s%s\t%s\t%s\t%s\t%s\n", r.Year, r.Provider, r.Commissioner,
			statusText(r.ProviderSide), statusText(r.CommissionerSide), flag,
			moneyText(r.ProviderSide), moneyText(r.CommissionerSide), gapText(r.MoneyGap), widestText(r))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d contracts; %d where the two sides record different statuses (*); money in £000, gaps are provider less commissioner\n", len(rows), disagree)
	return err
}

func csvRow(r contractRow) []string {
	out := []string{r.Year, r.Provider, r.Commissioner}
	for _, s := range []*contractSide{r.ProviderSide, r.CommissionerSide} {
		if s == nil {
			out = append(out, "", "")
			continue
		}
		out = append(out, s.State, s.Date)
	}
	agree := ""
	if r.ProviderSide != nil && r.CommissionerSide != nil {
		agree = strconv.FormatBool(r.StatesAgree)
	}
	out = append(out, agree)
	for _, s := range []*contractSide{r.ProviderSide, r.CommissionerSide} {
		if s == nil {
			out = append(out, "")
			continue
		}
		out = append(out, strconv.FormatFloat(s.Value, 'f', -1, 64))
	}
	gap := ""
	if r.MoneyGap != nil {
		gap = strconv.FormatFloat(*r.MoneyGap, 'f', -1, 64)
	}
	widest := ""
	if r.WidestLine != "" {
		widest = strconv.FormatFloat(r.ActivityGaps[r.WidestLine], 'f', -1, 64)
	}
	return append(out, gap, r.WidestLine, widest)
}

func statusText(s *contractSide) string {
	switch {
	case s == nil:
		return "-"
	case s.State == "":
		return "no status"
	}
	return strings.ReplaceAll(s.State, "_", " ") + " " + s.Date
}

func moneyText(s *contractSide) string {
	if s == nil {
		return "-"
	}
	return "£" + groupThousands(s.Value) + "k"
}

func gapText(g *float64) string {
	if g == nil {
		return "-"
	}
	if *g > 0 {
		return "+£" + groupThousands(*g) + "k"
	}
	if *g < 0 {
		return "-£" + groupThousands(-*g) + "k"
	}
	return "£0k"
}

func widestText(r contractRow) string {
	if r.WidestLine == "" {
		if r.MoneyGap == nil {
			return "-"
		}
		return "none"
	}
	g := r.ActivityGaps[r.WidestLine]
	sign := "+"
	if g < 0 {
		sign, g = "-", -g
	}
	return fmt.Sprintf("%s %s%s", r.WidestLine, sign, groupThousands(g))
}

// thousands prints a whole number with comma separators; plan figures in
// these fields are whole (£000 and counts).
func groupThousands(x float64) string {
	s := strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
