package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/register"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

func newExport() *cobra.Command {
	var ref, org, year, output string
	c := &cobra.Command{
		Use:   "export --org CODE -o FILE [PATH]",
		Short: "Write an organisation's plan as a planning workbook, with its findings on the cells",
		Long: `export writes the plan of one organisation as the planning workbook
(.xlsx) that template lays out, filled with the plan's figures. Each finding
of the plan is a comment on the cell holding the figure it is about, which
is highlighted (red error, amber warning, blue info), and the Findings sheet
lists them all. Importing the workbook unchanged gives back the same plan
file, byte for byte.`,
		Example: `  triangulate export --org RTK -o rtk.xlsx
  triangulate export --org 09N --ref main -o 09n.xlsx`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if org == "" || output == "" {
				return usageErr("export needs --org CODE and -o FILE")
			}
			fsys, label, err := sourceArgs(args, ref)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			rules, res, err := checkTree(ctx, fsys, label)
			if err != nil {
				return err
			}
			// The plan of that year, or the latest one.
			var doc []byte
			found := ""
			for _, d := range res.Set.Documents {
				if d.Org != org || !d.Valid || !slices.Contains([]string{"provider", "commissioner", "system"}, d.Kind) ||
					year != "" && d.Year != year || found != "" && d.Year < found {
					continue
				}
				if doc, err = json.Marshal(d.Data); err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("export %s: %w", org, err)}
				}
				found = d.Year
			}
			year = found
			if doc == nil {
				return usageErr("export: no readable plan of %s in %s (run check to see why)", org, label)
			}
			p, err := planfile.FromJSON(doc)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("export %s: %w", org, err)}
			}
			orgs, err := readOrgs(fsys)
			if err != nil {
				return err
			}
			o := workbook.Options{Orgs: orgs, Register: registerFigures(rules.Registers, year, p.Kind(), org), Findings: res.Findings, Rules: ruleIDs(rules)}
			x, err := workbook.Export(p, o)
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("export %s: %w", org, err)}
			}
			return saveWorkbook(output, func(f *os.File) error { return workbook.Write(f, x) })
		},
	}
	c.Flags().StringVar(&ref, "ref", "", "read the repository at this git ref instead of the working tree")
	c.Flags().StringVar(&org, "org", "", "ODS code of the organisation")
	c.Flags().StringVar(&year, "year", "", `financial year, e.g. 2019/20 (default: the latest plan)`)
	c.Flags().StringVarP(&output, "output", "o", "", "the .xlsx file to write")
	return c
}

// checkTree runs the check pipeline over a tree.
func checkTree(ctx context.Context, fsys fs.FS, label string) (*check.Rules, *check.Result, error) {
	rules, err := check.LoadRules(ctx, fsys, check.Options{})
	if err != nil {
		return nil, nil, &exitError{code: ExitInput, err: fmt.Errorf("load rules from %s: %w", label, err)}
	}
	res, err := check.Run(ctx, rules, fsys, check.Options{})
	if err != nil {
		return nil, nil, &exitError{code: ExitInput, err: fmt.Errorf("check %s: %w", label, err)}
	}
	return rules, res, nil
}

func readOrgs(fsys fs.FS) (map[string]planfile.Organisation, error) {
	src, err := fs.ReadFile(fsys, "plans/organisations.cue")
	if err != nil {
		return nil, &exitError{code: ExitInput, err: fmt.Errorf("read the organisation list: %w", err)}
	}
	orgs, err := planfile.ReadOrganisations(src)
	if err != nil {
		return nil, &exitError{code: ExitInput, err: err}
	}
	return orgs, nil
}

func ruleIDs(r *check.Rules) []string {
	var ids []string
	for _, rule := range r.Catalogue() {
		ids = append(ids, rule.ID)
	}
	return ids
}

// registerFigures are the figures the regulator set for org in year, shown
// read-only on the workbook's cover.
func registerFigures(regs register.Registers, year, kind, org string) []workbook.Figure {
	data := regs.Data(year)
	section := map[string]string{"provider": "providers", "commissioner": "commissioners", "system": "systems"}[kind]
	m, _ := data[section].(map[string]any)
	figs, _ := m[org].(map[string]any)
	var out []workbook.Figure
	add := func(label string, v any) {
		if f, ok := number(v); ok {
			out = append(out, workbook.Figure{Label: label, Value: f})
		}
	}
	add("control total (£000)", figs["control_total"])
	if sf, ok := figs["sustainability_funding"].(map[string]any); ok {
		add("sustainability funding (£000)", sf["amount"])
	}
	add("agency ceiling (£000)", figs["agency_ceiling"])
	add("allocation (£000)", figs["allocation"])
	add("required surplus (£000)", figs["required_surplus"])
	return out
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

// saveWorkbook writes a file in full or not at all.
func saveWorkbook(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return &exitError{code: ExitInput, err: fmt.Errorf("write %s: %w", path, err)}
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return &exitError{code: ExitInput, err: fmt.Errorf("write %s: %w", path, err)}
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return &exitError{code: ExitInput, err: fmt.Errorf("write %s: %w", path, err)}
	}
	if err := tmp.Close(); err != nil {
		return &exitError{code: ExitInput, err: fmt.Errorf("write %s: %w", path, err)}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return &exitError{code: ExitInput, err: fmt.Errorf("write %s: %w", path, err)}
	}
	return nil
}
