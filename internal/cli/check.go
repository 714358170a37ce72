package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/report"
)

func newCheck() *cobra.Command {
	var (
		ref, format, output string
		maxSize             int64
		quiet, noCache      bool
	)
	c := &cobra.Command{
		Use:   "check [PATH]",
		Short: "Validate the plans against the schema and the policy catalogue",
		Long: `check reads every plan under PATH/plans (default: the current directory),
validates each file against the schema in PATH/schema, evaluates the policies
in PATH/policy over the whole set, and prints the findings with a one-line
summary. With --ref the repository at PATH is read at that git ref, without
a checkout.

Results are cached in the user cache directory (triangulate/ under
$XDG_CACHE_HOME or ~/.cache on Linux), keyed by the rules (schema, policies,
register, waivers, reference list and this program) and each plan file's
bytes: an unchanged plan is not evaluated again. --no-cache neither reads
nor writes it.`,
		Example: `  triangulate check
  triangulate check --format json
  triangulate check --ref origin/main
  triangulate check ../plans-repo --format sarif --output triangulate.sarif`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.Formats, format) {
				return usageErr("unknown --format %q: use one of %s", format, list(report.Formats))
			}
			fsys, label, err := sourceArgs(args, ref)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			tuneGC()
			progress := newProgress(cmd.ErrOrStderr(), "checking plans", "evaluating policies", quiet)
			opts := check.Options{MaxFileSize: maxSize, Progress: progress.hook()}
			warnings := warningsTo(cmd.ErrOrStderr(), quiet)
			opts.Cache = openCache(warnings, "", noCache, "checking")
			rules, err := check.LoadRules(ctx, fsys, opts)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("load rules from %s: %w", label, err)}
			}
			res, err := check.Run(ctx, rules, fsys, opts)
			progress.finish()
			if errors.Is(err, plan.ErrNoPlans) {
				return &exitError{code: ExitInput, err: fmt.Errorf("check %s: %w", label, err)}
			}
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("check %s: %w", label, err)}
			}
			w := cmd.OutOrStdout()
			if output != "" {
				f, err := os.Create(output)
				if err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("write report: %w", err)}
				}
				defer f.Close()
				w = f
			}
			r := report.Result{Findings: res.Findings, Rules: rules.Catalogue(), PlansRead: res.PlansRead, Ref: label}
			if err := report.Write(w, format, r); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("write report: %w", err)}
			}
			trimCache(warnings, opts.Cache)
			if res.Blocking() {
				return errBlocking
			}
			return nil
		},
	}
	c.Flags().StringVar(&ref, "ref", "", "read the repository at this git ref (branch, tag or commit) instead of the working tree")
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: "+list(report.Formats))
	c.Flags().StringVarP(&output, "output", "o", "", "write the report to this file instead of standard output")
	c.Flags().Int64Var(&maxSize, "max-file-size", plan.DefaultMaxFileSize, "largest plan file accepted, in bytes")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress line on stderr (it is shown only on a terminal)")
	c.Flags().BoolVar(&noCache, "no-cache", false, "neither read nor write the result cache in the user cache directory")
	return c
}

// checkMemoryLimit is the heap size the garbage collector keeps check under
// (tuneGC).
const checkMemoryLimit = 400 << 20

// tuneGC trades memory check does not need for the collector's time. A
// check allocates about 1.4 GB to check a national set (CUE evaluation)
// while keeping a small part of it live, so the default (collect whenever
// the heap doubles) spends about a tenth of the run collecting. check
// instead lets the heap grow to five times what is live, but never past
// checkMemoryLimit: measured on the generated England, 10% less CPU and a
// lower peak (about 435 MiB instead of 490-550 MiB resident). The limit is
// soft: a larger plan set is collected more often, never refused. GOGC or
// GOMEMLIMIT in the environment keep their meaning. review, also one
// process per run, does the same: a one-plan review of the generated
// England in 197 ms instead of 226 ms, at the same peak (about 150 MiB).
func tuneGC() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(400)
		debug.SetMemoryLimit(checkMemoryLimit)
	}
}
