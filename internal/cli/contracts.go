package cli

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/report"
)

var contractFormats = []string{"text", "csv", "json"}

func newContracts() *cobra.Command {
	var (
		ref, format, from, to, cacheDir string
		weekly, noCache                 bool
	)
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

--weekly rebuilds from the history of the branch --ref (main by default) of
the repository at DIR the position of every contract at the end of each
Friday (London) from --from to --to (the first commit that changes plans/
and the branch's last commit by default): the plans as they stood on the
branch then, both statuses, the money and activity gaps, and how many weeks
each position has stood unchanged (the weekly contract-status return). At
most 260 weeks. Each commit's position is cached under the user cache
directory by commit and tool build (--cache-dir; --no-cache reads afresh).

Exit codes: 0 listed, 2 no plans there, an unknown ref, a malformed date, a
history that never changes plans/ or a usage error.`,
		Example: `  triangulate contracts
  triangulate contracts --ref main --format csv
  triangulate contracts --weekly --from 2019-01-29 --format csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(contractFormats, format) {
				return usageErr("unknown --format %q: use one of %s", format, list(contractFormats))
			}
			if weekly {
				opts := contracts.WeeklyOptions{Ref: ref}
				return runWeekly(cmd, args, opts, from, to, format, cacheDir, noCache)
			}
			if from != "" || to != "" || cacheDir != "" || noCache {
				return usageErr("--from, --to, --cache-dir and --no-cache need --weekly")
			}
			fsys, label, err := sourceArgs(args, ref)
			if err != nil {
				return err
			}
			side, err := judge(cmd.Context(), fsys, label, check.Options{MaxFileSize: plan.DefaultMaxFileSize})
			if err != nil {
				return err
			}
			rows, err := contracts.Position(side.Set)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("read contracts from %s: %w", label, err)}
			}
			if err := writeContracts(cmd.OutOrStdout(), format, rows); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("write contracts: %w", err)}
			}
			return nil
		},
	}
	c.Flags().StringVar(&ref, "ref", "", "read the plans at this git ref of the repository at DIR instead of the files on disk (with --weekly: the branch whose history is read, default main)")
	c.Flags().BoolVar(&weekly, "weekly", false, "every contract's position at the end of each Friday, from the branch's history")
	c.Flags().StringVar(&from, "from", "", "with --weekly: the first week is the one ending on the first Friday on or after this date (YYYY-MM-DD)")
	c.Flags().StringVar(&cacheDir, "cache-dir", "", "with --weekly: the result cache's directory for each commit's position (default: the user cache directory's triangulate)")
	c.Flags().BoolVar(&noCache, "no-cache", false, "with --weekly: read every commit afresh, reading and writing no cache")
	c.Flags().StringVar(&to, "to", "", "with --weekly: the last week is the one ending on the first Friday on or after this date (YYYY-MM-DD)")
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: "+list(contractFormats))
	return c
}

func writeContracts(w io.Writer, format string, rows []contracts.Row) error {
	switch format {
	case "json":
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(struct {
			Contracts []contracts.Row `json:"contracts"`
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

func csvRow(r contracts.Row) []string {
	out := []string{r.Year, r.Provider, r.Commissioner}
	for _, s := range []*contracts.Side{r.ProviderSide, r.CommissionerSide} {
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
	for _, s := range []*contracts.Side{r.ProviderSide, r.CommissionerSide} {
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

func statusText(s *contracts.Side) string {
	switch {
	case s == nil:
		return "-"
	case s.State == "":
		return "no status"
	}
	return strings.ReplaceAll(s.State, "_", " ") + " " + s.Date
}

func moneyText(s *contracts.Side) string {
	if s == nil {
		return "-"
	}
	return "£" + report.Whole(s.Value) + "k"
}

func gapText(g *float64) string {
	if g == nil {
		return "-"
	}
	return report.SignedMoney(*g)
}

func widestText(r contracts.Row) string {
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
	return fmt.Sprintf("%s %s%s", r.WidestLine, sign, report.Whole(g))
}

func runWeekly(cmd *cobra.Command, args []string, opts contracts.WeeklyOptions, from, to, format, cacheDir string, noCache bool) error {
	for _, d := range []struct {
		flag, value string
		into        *time.Time
	}{{"--from", from, &opts.From}, {"--to", to, &opts.To}} {
		if d.value == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.value, contracts.London)
		if err != nil {
			return usageErr("%s %q: want a date YYYY-MM-DD", d.flag, d.value)
		}
		*d.into = t
	}
	repo, err := openHistory(args)
	if err != nil {
		return err
	}
	defer repo.Close()
	opts.Cache = openCache(cmd.ErrOrStderr(), cacheDir, noCache, "reading history")
	h, err := contracts.Weekly(cmd.Context(), repo, opts)
	trimCache(cmd.ErrOrStderr(), opts.Cache)
	if err != nil {
		if ctxErr := cmd.Context().Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return err
		}
		return &exitError{code: ExitInput, err: err}
	}
	if err := writeWeekly(cmd.OutOrStdout(), format, h); err != nil {
		return &exitError{code: ExitInput, err: fmt.Errorf("write contracts: %w", err)}
	}
	return nil
}

func writeWeekly(w io.Writer, format string, h *contracts.History) error {
	switch format {
	case "json":
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(h)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"friday", "commit", "year", "provider", "commissioner", "provider_state", "provider_date", "commissioner_state", "commissioner_date",
			"states_agree", "provider_income_gbp000", "commissioner_value_gbp000", "money_gap_gbp000", "widest_activity_gap_line", "widest_activity_gap",
			"moved", "weeks_since_moved"})
		for _, wk := range h.Weeks {
			for _, r := range wk.Contracts {
				_ = cw.Write(slices.Concat([]string{wk.Friday, wk.Commit}, csvRow(r.Row),
					[]string{strconv.FormatBool(r.Moved), strconv.Itoa(r.WeeksSinceMoved)}))
			}
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(w, "Contracts on %s at %s, week by week (Fridays, London)\n", h.Ref, h.Head[:12])
	disagree, last := 0, 0
	for _, wk := range h.Weeks {
		at := "no commit yet"
		if wk.Commit != "" {
			at = h.Ref + " at " + wk.Commit[:12]
		}
		fmt.Fprintf(w, "\nWeek ending %s (%s)\n", wk.Friday, at)
		if wk.Error != "" {
			fmt.Fprintf(w, "plans not readable at this commit: %s\n", printable(wk.Error))
			continue
		}
		if len(wk.Contracts) == 0 {
			fmt.Fprintln(w, "no contracts")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "year\tprovider\tcommissioner\tprovider says\tcommissioner says\tmoney gap\twidest activity gap\tunchanged for")
		disagree, last = 0, len(wk.Contracts)
		for _, r := range wk.Contracts {
			flag := ""
			if r.ProviderSide != nil && r.CommissionerSide != nil && !r.StatesAgree {
				flag, disagree = " *", disagree+1
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s%s\t%s\t%s\t%s\n", r.Year, r.Provider, r.Commissioner,
				statusText(r.ProviderSide), statusText(r.CommissionerSide), flag, gapText(r.MoneyGap), widestText(r.Row), unchangedText(r))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\n%d weeks; in the last, %d contracts, %d where the two sides record different statuses (*); money in £000, gaps are provider less commissioner\n",
		len(h.Weeks), last, disagree)
	return err
}

func unchangedText(r contracts.WeekRow) string {
	switch {
	case r.Moved:
		return "moved this week"
	case r.WeeksSinceMoved == 1:
		return "1 week"
	}
	return fmt.Sprintf("%d weeks", r.WeeksSinceMoved)
}
