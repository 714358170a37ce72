package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/dashboard"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/ledger"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

func newReport() *cobra.Command {
	var out, ref, repoURL, commit, year, from string
	var quiet, noCache bool
	c := &cobra.Command{
		Use:   "report --out DIR [REPO]",
		Short: "Write the regulator's dashboard: a static site of the plans, findings, contracts and submissions",
		Long: `report writes a static web site into --out: a national page, a page per
system and a page per organisation, with each organisation's submission
state, a commissioner x provider alignment matrix coloured by the A01/A02
findings, contract status by week, planned bed use against beds open and
planned surplus against the register's control totals, and every finding
linked to its file and line on the repository host. It works offline: no
script, no external font or stylesheet; charts are inline SVG with their
figures also in tables.

It reads the plans at REPO (the repository root at or above the working
directory by default), or the repository at REPO read at --ref without a
checkout. Submissions and weekly contract status come from the git history
of that ref (HEAD when reading files on disk); a folder that is not a git
repository shows them as not read.

Links point at --repo-url (default $GITHUB_SERVER_URL/$GITHUB_REPOSITORY)
at --commit (default the commit --ref resolves to, else $GITHUB_SHA, else
HEAD). Without a repository address findings show their file and line
unlinked.

Exit codes: 0 written, 2 an unknown ref, no plans there, an --out that
cannot be written or a usage error.`,
		Example: `  triangulate report --out site
  triangulate report --out site --ref main --repo-url https://github.com/triangulate-nhs/plans`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr("give --out DIR: the folder to write the site into")
			}
			if repoURL == "" && os.Getenv("GITHUB_SERVER_URL") != "" && os.Getenv("GITHUB_REPOSITORY") != "" {
				repoURL = strings.TrimSuffix(os.Getenv("GITHUB_SERVER_URL"), "/") + "/" + os.Getenv("GITHUB_REPOSITORY")
			}
			if repoURL != "" {
				if err := dashboard.CheckRepoURL(repoURL); err != nil {
					return usageErr("--repo-url: %v", err)
				}
			}
			if commit != "" && !isHex(commit) {
				return usageErr("--commit %q: want a commit's hexadecimal SHA", commit)
			}
			if year != "" && !yearFlag.MatchString(year) {
				return usageErr("--year %q: want a financial year like 2019/20", year)
			}
			var fromDate time.Time
			if from != "" {
				d, err := time.ParseInLocation(time.DateOnly, from, contracts.London)
				if err != nil {
					return usageErr("--from %q: want a date YYYY-MM-DD", from)
				}
				fromDate = d
			}
			if err := writable(out); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("write the dashboard to %s: %w", out, err)}
			}
			dir := findRoot(".")
			if len(args) == 1 {
				dir = args[0]
			}
			fsys, label, err := source(dir, ref)
			if err != nil {
				return err
			}
			if _, err := fs.Stat(fsys, "plans"); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("read %s: no plans there (want plans/<year>/...)", label)}
			}
			if commit == "" {
				commit = resolveCommit(dir, ref)
			}
			if ref == "" {
				if abs, err := filepath.Abs(dir); err == nil {
					label = abs
				}
				label = "the files in " + label
				if commit != "" {
					label += " (links to commit " + commit[:min(12, len(commit))] + ")"
				}
			}
			ctx := cmd.Context()
			tuneGC()
			progress := newProgress(cmd.ErrOrStderr(), "checking plans", "writing the dashboard", quiet)
			defer progress.finish()
			opts := check.Options{MaxFileSize: plan.DefaultMaxFileSize, Progress: progress.hook()}
			warnings := warningsTo(cmd.ErrOrStderr(), quiet)
			opts.Cache = openCache(warnings, "", noCache, "checking")
			rules, err := check.LoadRules(ctx, fsys, opts)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("load rules from %s: %w", label, err)}
			}
			res, err := check.Run(ctx, rules, fsys, opts)
			if errors.Is(err, plan.ErrNoPlans) || (err == nil && res.PlansRead == 0) {
				return &exitError{code: ExitInput, err: fmt.Errorf("read %s: no plans there (want plans/<year>/...)", label)}
			}
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("check %s: %w", label, err)}
			}
			if year != "" && !slices.Contains(res.Set.Years(), year) {
				return &exitError{code: ExitInput, err: fmt.Errorf("read %s: %w for %s (plans there: %s)", label, dashboard.ErrNoPlans, year, strings.Join(res.Set.Years(), ", "))}
			}
			occ, err := rules.Engine().Occupancy(ctx, res.Set, rules.Registers)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("read occupancy from %s: %w", label, err)}
			}
			rows, err := contracts.Position(res.Set)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("read contracts from %s: %w", label, err)}
			}
			in := dashboard.Input{Year: year, Set: res.Set, Findings: res.Findings, Registers: rules.Registers,
				Occupancy: occ, Contracts: rows,
				Source: dashboard.Source{Label: label, RepoURL: repoURL, Commit: commit}}
			if err := readHistory(cmd, dir, ref, year, fromDate, opts.Cache, &in); err != nil {
				return err
			}
			if err := dashboard.Write(out, in); err != nil {
				if errors.Is(err, dashboard.ErrNoPlans) {
					return &exitError{code: ExitInput, err: fmt.Errorf("read %s: %w", label, err)}
				}
				return &exitError{code: ExitInput, err: fmt.Errorf("write the dashboard to %s: %w", out, err)}
			}
			progress.finish()
			trimCache(warnings, opts.Cache)
			if repoURL == "" || commit == "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "triangulate: findings are not linked: give --repo-url and --commit (or run in GitHub Actions)")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "dashboard of %s written to %s\n", label, filepath.Join(out, "index.html"))
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "folder to write the site into (created if missing)")
	c.Flags().StringVar(&ref, "ref", "", "read the plans at this git ref of the repository instead of the files on disk")
	c.Flags().StringVar(&repoURL, "repo-url", "", "the repository's web address for finding links (default $GITHUB_SERVER_URL/$GITHUB_REPOSITORY)")
	c.Flags().StringVar(&commit, "commit", "", "the commit finding links point at (default the resolved --ref, else $GITHUB_SHA, else HEAD)")
	c.Flags().StringVar(&from, "from", "", "first week of the contract status by week, YYYY-MM-DD (default the first commit that changes plans/)")
	c.Flags().BoolVar(&noCache, "no-cache", false, "neither read nor write the result cache in the user cache directory")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress line on stderr (it is shown only on a terminal)")
	c.Flags().StringVar(&year, "year", "", "financial year to show, e.g. 2019/20 (default the newest with plans)")
	return c
}

var yearFlag = regexp.MustCompile(`^[0-9]{4}/[0-9]{2}$`)

// readHistory reads the submission ledger and the weekly contract status
// from the history of ref (HEAD when the plans are read from disk) into in.
// A folder that is not a git repository, or a history that never changed a
// plan, leaves them unread and says so; any other failure is an input
// error.
func readHistory(cmd *cobra.Command, dir, ref, year string, from time.Time, c *cache.Cache, in *dashboard.Input) error {
	repo, err := gitrepo.Open(dir)
	if err != nil {
		if ref != "" {
			return &exitError{code: ExitInput, err: err}
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "triangulate: %s is not a git repository: submissions and weekly contract status not read\n", dir)
		return nil
	}
	defer repo.Close()
	branch := ref
	if branch == "" {
		branch = "HEAD"
	}
	l, err := ledger.Read(cmd.Context(), repo, ledger.Options{Ref: branch, Year: year, MaxFileSize: plan.DefaultMaxFileSize, Cache: c, CheckCache: c})
	switch {
	case errors.Is(err, ledger.ErrNoSubmissions):
		fmt.Fprintf(cmd.ErrOrStderr(), "triangulate: no commit on %s changes a plan: no submissions to show\n", branch)
	case err != nil:
		return &exitError{code: ExitInput, err: fmt.Errorf("draw up the submission ledger of %s: %w", branch, err)}
	default:
		in.Ledger = l
	}
	wopts := contracts.WeeklyOptions{Ref: branch, From: from, MaxFileSize: plan.DefaultMaxFileSize, Cache: c, CheckCache: c}
	h, err := contracts.Weekly(cmd.Context(), repo, wopts)
	switch {
	case errors.Is(err, contracts.ErrNoPlanHistory):
		fmt.Fprintf(cmd.ErrOrStderr(), "triangulate: no commit on %s changes plans/: no weekly contract status to show\n", branch)
	case err != nil:
		return &exitError{code: ExitInput, err: fmt.Errorf("rebuild the weekly contract status of %s: %w", branch, err)}
	default:
		in.Weekly = h
	}
	return nil
}

// writable makes dir if needed and proves a file can be created in it,
// before minutes of checking are spent on a site that cannot be written.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".triangulate-write-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// resolveCommit is the commit links point at when --commit is not given:
// the one ref resolves to, else $GITHUB_SHA, else the repository's HEAD;
// "" outside a repository.
func resolveCommit(dir, ref string) string {
	if ref == "" {
		if sha := os.Getenv("GITHUB_SHA"); isHex(sha) {
			return sha
		}
		ref = "HEAD"
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return ""
	}
	defer repo.Close()
	c, err := repo.Resolve(ref)
	if err != nil {
		return ""
	}
	return c.Hash
}

func isHex(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
