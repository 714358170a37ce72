package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/check"
)

func newRules() *cobra.Command {
	var ref, format string
	c := &cobra.Command{
		Use:   "rules [PATH]",
		Short: "List the check catalogue from the policies' own metadata",
		Example: `  triangulate rules
  triangulate rules --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"text", "json"}, format) {
				return usageErr("unknown --format %q: use text or json", format)
			}
			fsys, label, err := sourceArgs(args, ref)
			if err != nil {
				return err
			}
			rules, err := check.LoadRules(cmd.Context(), fsys, check.Options{})
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("load rules from %s: %w", label, err)}
			}
			cat := rules.Catalogue()
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(cat)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tTITLE")
			for _, r := range cat {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Title)
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&ref, "ref", "", "read the rules at this git ref")
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return c
}
