package cli

import (
	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/sandbox"
)

// newSandbox is the child of the proposed-rules sandbox: a review re-runs
// this executable with it to evaluate a pull request's own rules under
// memory, CPU and time limits. Hidden: it reads a request on stdin that only
// the parent writes. Its flags are the sandbox's own, parsed there, so
// parent and child agree on them in one place.
func newSandbox() *cobra.Command {
	return &cobra.Command{
		Use:                sandbox.Command,
		Short:              "Evaluate proposed rules under limits (internal: started by review)",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			if err := sandbox.Serve(args, c.InOrStdin(), c.OutOrStdout()); err != nil {
				return &exitError{code: ExitInput, err: err}
			}
			return nil
		},
	}
}
