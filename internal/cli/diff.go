package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/diff"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/report"
)

func newDiff() *cobra.Command {
	var (
		dir, system, format, output string
		orgs                        []string
		monthly                     bool
		maxSize                     int64
	)
	c := &cobra.Command{
		Use:   "diff BASE HEAD",
		Short: "Show every measure, plan and finding that changed between two versions of the plans",
		Long: `diff compares two versions of the plan set: two git refs, tags or commits of
the repository at --dir (read without a checkout), or two folders each
holding schema/, policy/ and plans/. It lists every measure that changed per
organisation and per system (the sum over the system's members in the
reference list), before, after, change and % change; plans added or removed;
and findings new and fixed, matched by fingerprint.

Each side is judged by its own rules: BASE's plans by BASE's schema,
policies, register and waivers, HEAD's by HEAD's. So a finding can be new
or fixed because a rule changed, not only because a plan did.

Measures: every activity line summed over counterparties (and per
counterparty with --org), income and expenditure lines and their totals,
surplus, CIP, WTE in total and by staff group, beds (core, escalation,
occupied; averages over the year), and for a CCG each contract's value,
other spend, QIPP, mental health spend and surplus. --monthly adds each
month of every monthly line. Unchanged measures are not listed.

Exit codes: 0 compared, 2 an unknown ref, a folder with no plans or a usage
error.`,
		Example: `  triangulate diff main HEAD
  triangulate diff submission/2019-20/RTK/v1 submission/2019-20/RTK/v2 --org RTK --monthly
  triangulate diff old/ new/ --system QXU --format markdown -o diff.md`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageErr("diff takes BASE and HEAD (refs or folders), got %d argument(s)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.DiffFormats, format) {
				return usageErr("unknown --format %q: use one of %s", format, list(report.DiffFormats))
			}
			var codes []string
			for _, o := range orgs {
				for _, c := range strings.Split(o, ",") {
					if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
						codes = append(codes, c)
					}
				}
			}
			if len(codes) > 0 && system != "" {
				return usageErr("give --org or --system, not both")
			}
			if dir == "" {
				dir = findRoot(".")
			}
			trees, err := diffTrees(dir, args[0], args[1])
			if err != nil {
				return err
			}
			opts := check.Options{MaxFileSize: maxSize}
			var sides [2]diff.Side
			for i, t := range trees {
				if sides[i], err = judge(cmd.Context(), t.fsys, t.label, opts); err != nil {
					return err
				}
			}
			res, err := diff.Sets(sides[0], sides[1],
				diff.Options{Monthly: monthly, Counterparties: len(codes) > 0},
				diff.Filter{Orgs: codes, System: strings.ToUpper(system)})
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("compare %s and %s: %w", args[0], args[1], err)}
			}
			w := cmd.OutOrStdout()
			if output != "" {
				f, err := os.Create(output)
				if err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("write diff: %w", err)}
				}
				defer f.Close()
				w = f
			}
			if err := report.WriteDiff(w, format, res); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("write diff: %w", err)}
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "the repository whose refs BASE and HEAD name (default: the repository root at or above the working directory)")
	c.Flags().StringSliceVar(&orgs, "org", nil, "only these organisations, with activity per counterparty (repeat or comma-separate)")
	c.Flags().StringVar(&system, "system", "", "only this system's members and its sums")
	c.Flags().BoolVar(&monthly, "monthly", false, "also compare each of the 12 months of every monthly line")
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: "+list(report.DiffFormats))
	c.Flags().StringVarP(&output, "output", "o", "", "write the diff to this file instead of standard output")
	c.Flags().Int64Var(&maxSize, "max-file-size", plan.DefaultMaxFileSize, "largest plan file accepted, in bytes")
	return c
}

type tree struct {
	fsys  fs.FS
	label string
}

// diffTrees opens BASE and HEAD: two folders when both name one, otherwise
// two refs of the repository at dir.
func diffTrees(dir, base, head string) ([2]tree, error) {
	var out [2]tree
	if isDir(base) && isDir(head) {
		out[0], out[1] = tree{os.DirFS(base), base}, tree{os.DirFS(head), head}
		return out, nil
	}
	if isDir(base) != isDir(head) {
		return out, usageErr("BASE and HEAD must be two folders or two refs: only one of %q and %q is a folder", base, head)
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return out, &exitError{code: ExitInput, err: fmt.Errorf("open repository at %s (BASE and HEAD are not both folders): %w", dir, err)}
	}
	defer repo.Close()
	for i, ref := range []string{base, head} {
		c, err := repo.Resolve(ref)
		if err != nil {
			return out, &exitError{code: ExitInput, err: err}
		}
		fsys, err := c.FS()
		if err != nil {
			return out, &exitError{code: ExitInput, err: fmt.Errorf("read %s: %w", ref, err)}
		}
		out[i] = tree{fsys, fmt.Sprintf("%s (%s)", ref, c.Hash[:12])}
	}
	return out, nil
}

// judge runs the normal pipeline on one side with that side's own rules.
func judge(ctx context.Context, fsys fs.FS, label string, opts check.Options) (diff.Side, error) {
	rules, err := check.LoadRules(ctx, fsys, opts)
	if err != nil {
		return diff.Side{}, &exitError{code: ExitInput, err: fmt.Errorf("load rules from %s: %w", label, err)}
	}
	res, err := check.Run(ctx, rules, fsys, opts)
	if errors.Is(err, plan.ErrNoPlans) || (err == nil && res.PlansRead == 0) {
		return diff.Side{}, &exitError{code: ExitInput, err: fmt.Errorf("read %s: no plans there (want plans/<year>/...)", label)}
	}
	if err != nil {
		return diff.Side{}, &exitError{code: ExitInput, err: fmt.Errorf("check %s: %w", label, err)}
	}
	return diff.Side{Label: label, Set: res.Set, Findings: res.Findings}, nil
}
