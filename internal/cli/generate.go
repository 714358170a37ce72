package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/generate"
)

func newGenerate() *cobra.Command {
	var (
		out     string
		systems int
		seed    uint64
		faults  float64
		quiet   bool
	)
	c := &cobra.Command{
		Use:   "generate --out DIR",
		Short: "Write a synthetic England-wide plan set that checks clean",
		Long: `generate writes a complete repository tree to DIR: a synthetic plan for
every trust and CCG of --systems systems (default 42: about 220 trusts and
190 CCGs), the organisation list, the regulator register and CODEOWNERS,
beside copies of this repository's schema/, policy/ and cue.mod/ (read from
the repository at or above the current directory). The same --seed gives the
same bytes. Every file is marked synthetic; "triangulate check DIR" passes
unless --faults plants problems in a share of the trusts.`,
		Example: `  triangulate generate --out /tmp/england
  triangulate generate --out /tmp/small --systems 3 --seed 7
  triangulate generate --out /tmp/faulty --faults 0.1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageErr("--out is required: the directory to write the repository tree to")
			}
			opts := generate.Options{Systems: systems, Seed: seed, Faults: faults}
			if err := opts.Validate(); err != nil {
				return usageErr("%v", err)
			}
			root := findRoot(".")
			files, err := generate.Generate(os.DirFS(root), opts)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("generate from %s: %w", root, err)}
			}
			progress := newProgress(cmd.ErrOrStderr(), "writing files", "", quiet)
			defer progress.finish()
			report := progress.hook()
			paths := generate.Paths(files)
			for i, p := range paths {
				if report != nil {
					report(i+1, len(paths))
				}
				dst := filepath.Join(out, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("write %s: %w", dst, err)}
				}
				if err := os.WriteFile(dst, files[p], 0o644); err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("write %s: %w", dst, err)}
				}
			}
			progress.finish()
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d files to %s\n", len(files), out)
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "directory to write the generated repository tree to")
	c.Flags().IntVar(&systems, "systems", generate.DefaultSystems, "number of systems (STPs/ICSs)")
	c.Flags().Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same files")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress line on stderr (it is shown only on a terminal)")
	c.Flags().Float64Var(&faults, "faults", 0, "share of trusts (0-1) given one planted problem (I03, A01, B01, B05, C01 or P01, in turn)")
	return c
}
