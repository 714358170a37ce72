package cli

import (
	"errors"
	"fmt"
	"os"
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
		quiet               bool
	)
	c := &cobra.Command{
		Use:   "check [PATH]",
		Short: "Validate the plans against the schema and the policy catalogue",
		Long: `check reads every plan under PATH/plans (default: the current directory),
validates each file against the schema in PATH/schema, evaluates the policies
in PATH/policy over the whole set, and prints the findings with a one-line
summary. With --ref the repository at PATH is read at that git ref, without
a checkout.`,
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
			progress := newProgress(cmd.ErrOrStderr(), "checking plans", "evaluating policies", quiet)
			opts := check.Options{MaxFileSize: maxSize, Progress: progress.hook()}
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
	return c
}
