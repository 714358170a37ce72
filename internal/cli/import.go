package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/report"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

func newImport() *cobra.Command {
	var dir, format, output string
	c := &cobra.Command{
		Use:   "import WORKBOOK [-o FILE]",
		Short: "Read a filled planning workbook into the organisation's plan file, then check it",
		Long: `import reads a filled planning workbook (.xlsx), writes the organisation's
plan in the one layout of a plan file (what cue fmt keeps) at its path in
the repository (--dir, default the repository around the working directory)
or at -o FILE, then checks the repository as check does. A cell it cannot
read is a finding at Sheet!Cell and no plan is written (exit 2). Workbooks
with macros or links to other workbooks, and oversized or zip-bomb files,
are refused with a finding before they are opened.`,
		Example: `  triangulate import rtk.xlsx
  triangulate import rtk.xlsx -o /tmp/rtk.cue --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.Formats, format) {
				return usageErr("unknown --format %q: use one of %s", format, list(report.Formats))
			}
			name := args[0]
			data, err := readBounded(name, workbook.DefaultLimits.MaxBytes)
			if err != nil {
				return &exitError{code: ExitInput, err: err}
			}
			p, fs := workbook.Read(name, data, workbook.Limits{})
			if p == nil {
				r := report.Result{Findings: fs, Ref: name}
				if err := report.Write(cmd.OutOrStdout(), format, r); err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("write report: %w", err)}
				}
				return &exitError{code: ExitInput, err: fmt.Errorf("import %s: %d cells or parts could not be read; no plan written", name, len(fs))}
			}
			root := dir
			if root == "" {
				root = findRoot(".")
			}
			repo := os.DirFS(root)
			orgs, err := readOrgs(repo)
			if err != nil {
				return err
			}
			names := planfile.Names{}
			for c, o := range orgs {
				names[c] = o.Name
			}
			src, err := planfile.Format(p, names)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("import %s: %w", name, err)}
			}
			out := output
			if out == "" {
				out = filepath.Join(root, filepath.FromSlash(p.Path()))
			}
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("write %s: %w", out, err)}
			}
			if err := saveWorkbook(out, func(f *os.File) error { _, err := f.Write(src); return err }); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
			rules, res, err := checkTree(cmd.Context(), repo, root)
			if err != nil {
				return err
			}
			all := append(fs, res.Findings...)
			r := report.Result{Findings: all, Rules: rules.Catalogue(), PlansRead: res.PlansRead, Ref: root}
			if err := report.Write(cmd.OutOrStdout(), format, r); err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("write report: %w", err)}
			}
			if res.Blocking() {
				return errBlocking
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "the repository the plan lands in (default: the one around the working directory)")
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: "+list(report.Formats))
	c.Flags().StringVarP(&output, "output", "o", "", "write the plan to this file instead of its path in the repository")
	return c
}

// readBounded reads at most limit+1 bytes: enough for the importer to
// refuse an oversized workbook without holding all of it.
func readBounded(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}
