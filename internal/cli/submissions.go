package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/ledger"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

var submissionFormats = []string{"text", "json"}

func newSubmissions() *cobra.Command {
	var (
		ref, year, org, asOf, format, cacheDir string
		tags, noCache                          bool
		maxSize                                int64
	)
	c := &cobra.Command{
		Use:   "submissions [DIR]",
		Short: "List every organisation's submissions from git history: versions, gate results, on time, late or missing",
		Long: `submissions reads the history of the submission branch (--ref, main by
default) of the repository at DIR (the repository root at or above the
working directory by default). Every commit on the branch's first-parent
history that changes an organisation's plan file for a year, a pull
request's merge or a direct commit alike, is the next version of that plan:
draft or final by the plan's status. For each version it lists the commit,
date, author, the pull request the merge names ("Merge pull request #N", or
a squash merge's "(#N)"), the gate's result at that commit (the check run
again on that commit's tree with that commit's rules; cached under the user
cache directory by commit and tool build, --no-cache to recompute), and
whether it came by the deadline of its window in the register at the
branch's tip. For every organisation in the reference list it says whether
the year's draft (its first submission) and final are on time, late, due or
missing as of --as-of (the end of that day in London; now by default).

--tags prints, one per line, "TAG COMMIT" for each version's tag
submission/<year>/<org>/v<n> that does not exist yet; a tag that exists at
another commit is reported on stderr and never moved.

Exit codes: 0 listed, 2 an unknown ref, no plan history, a malformed date or
year, an unknown organisation or a usage error.`,
		Example: `  triangulate submissions
  triangulate submissions --year 2019/20 --org RTK --as-of 2019-04-04
  triangulate submissions --tags`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(submissionFormats, format) {
				return usageErr("unknown --format %q: use one of %s", format, list(submissionFormats))
			}
			opts := ledger.Options{Ref: ref, Year: year, Org: org, MaxFileSize: maxSize, NoGates: tags}
			if year != "" {
				if _, ok := ledger.NormaliseYear(year); !ok {
					return usageErr("--year %q: want YYYY/YY or YYYY-YY, e.g. 2019/20", year)
				}
			}
			if asOf != "" {
				d, err := endOfDay(asOf)
				if err != nil {
					return usageErr("--as-of %q: want a date YYYY-MM-DD", asOf)
				}
				opts.AsOf = d
			}
			repo, err := openHistory(args)
			if err != nil {
				return err
			}
			defer repo.Close()
			if !tags {
				opts.Cache = openCache(cmd.ErrOrStderr(), cacheDir, noCache, "reading history")
			}
			l, err := ledger.Read(cmd.Context(), repo, opts)
			trimCache(cmd.ErrOrStderr(), opts.Cache)
			if err != nil {
				if errors.Is(err, cmd.Context().Err()) && cmd.Context().Err() != nil {
					return err
				}
				return &exitError{code: ExitInput, err: err}
			}
			w := cmd.OutOrStdout()
			if tags {
				missing, conflicts := l.MissingTags()
				for _, t := range conflicts {
					fmt.Fprintf(cmd.ErrOrStderr(), "triangulate: tag %s already names commit %s: left as it is (a submission tag is never moved)\n", t.Name, t.Commit)
				}
				for _, t := range missing {
					fmt.Fprintf(w, "%s %s\n", t.Name, t.Commit)
				}
				return nil
			}
			if err := writeSubmissions(w, format, l); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("write submissions: %w", err)}
			}
			return nil
		},
	}
	c.Flags().StringVar(&ref, "ref", contracts.DefaultRef, "the submission branch whose history is read")
	c.Flags().StringVar(&year, "year", "", "only this financial year (2019/20)")
	c.Flags().StringVar(&org, "org", "", "only this organisation (ODS code)")
	c.Flags().StringVar(&asOf, "as-of", "", "draw the ledger up at the end of this day (YYYY-MM-DD, London); default now")
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: "+list(submissionFormats))
	c.Flags().BoolVar(&tags, "tags", false, "print the submission tags not yet created, one \"TAG COMMIT\" per line")
	c.Flags().BoolVar(&noCache, "no-cache", false, "recompute every gate result, reading and writing no cache")
	c.Flags().StringVar(&cacheDir, "cache-dir", "", "the result cache's directory for gate results (default: the user cache directory's triangulate)")
	c.Flags().Int64Var(&maxSize, "max-file-size", plan.DefaultMaxFileSize, "largest plan file accepted, in bytes")
	return c
}

// endOfDay reads a date as the last second of that day in London.
func endOfDay(s string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, contracts.London)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1).Add(-time.Second), nil // git times are whole seconds
}

var stateWords = map[string]string{
	ledger.OnTime: "on time", ledger.Late: "late", ledger.Resubmission: "resubmission", ledger.Due: "due",
	ledger.Missing: "missing", ledger.NoWindow: "no window",
}

func stateText(s, deadline string) string {
	w := stateWords[s]
	if w == "" {
		w = s
	}
	if deadline != "" && s != ledger.NoWindow {
		w += " (by " + deadline + ")"
	}
	return w
}

func gateText(g ledger.Gate) string {
	switch {
	case g.Error == "" && !g.Submittable && g.Blocking == 0:
		return "-" // no plan there
	case g.Error != "":
		return "not checked: see --format json"
	case g.Submittable:
		return "submittable"
	}
	return fmt.Sprintf("blocked: %d (%s)", g.Blocking, strings.Join(g.Rules, ", "))
}

// printable keeps text a commit carries (an author's name) to one line of
// printable characters, so it cannot break or forge the table's rows.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, s)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}

func writeSubmissions(w io.Writer, format string, l *ledger.Ledger) error {
	if format == "json" {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(l)
	}
	fmt.Fprintf(w, "Submissions on %s at %s, as of %s (gate now: at %s)\n\n", l.Ref, l.Head[:12],
		l.AsOf.In(contracts.London).Format("2006-01-02 15:04 MST"), l.At[:12])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "year\torg\tdraft\tfinal\tlatest\tgate at latest\tgate now")
	var versions, missing, late, blocked int
	for _, e := range l.Entries {
		latest, gate := "-", "-"
		if v := e.Latest(); v != nil {
			latest, gate = fmt.Sprintf("v%d %s", v.N, v.Status), gateText(v.Gate)
			if !v.Gate.Submittable && v.Status == ledger.Final {
				blocked++
			}
		}
		versions += len(e.Versions)
		switch e.Final {
		case ledger.Missing:
			missing++
		case ledger.Late:
			late++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Year, e.Org, stateText(e.Draft, e.DraftDeadline), stateText(e.Final, e.FinalDeadline),
			latest, gate, gateText(e.Now))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "year\torg\tversion\tmerged\tstatus\ttimeliness\tgate\tpull request\tcommit\tauthor")
	for _, e := range l.Entries {
		for _, v := range e.Versions {
			pr := "-"
			if v.PR != 0 {
				pr = fmt.Sprintf("#%d", v.PR)
			}
			fmt.Fprintf(tw, "%s\t%s\tv%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Year, e.Org, v.N,
				v.Date.In(contracts.London).Format("2006-01-02 15:04 MST"), cmp.Or(v.Status, "unreadable"), stateWords[v.Timeliness],
				gateText(v.Gate), pr, v.Commit[:12], printable(v.Author))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d organisation-years, %d submissions; finals: %d missing, %d late, %d not submittable\n",
		len(l.Entries), versions, missing, late, blocked)
	return err
}
