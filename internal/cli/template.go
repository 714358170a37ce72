package cli

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/planfile"
	"github.com/triangulate-nhs/triangulate/internal/workbook"
)

func newTemplate() *cobra.Command {
	var ref, org, year, typ, output string
	c := &cobra.Command{
		Use:   "template --org CODE --year YYYY/YY -o FILE [PATH]",
		Short: "Write the blank planning workbook for an organisation and year",
		Long: `template writes the blank planning workbook (.xlsx) for one organisation:
a cover (organisation, year, status, the board's control-total decision and
the regulator's figures from the register, read-only), Activity (one block
per counterparty, official line references, M1..M12 and a total), Capacity,
Workforce, Finance (I&E), CIP schemes, Performance, Contracts (status),
Explanations and the prior year. Totals are formulas, labels are locked,
and entries are checked as they are typed (whole numbers 0 or more,
drop-downs for counterparties, statuses and rule ids). The counterparties
listed are those of the organisation's current plan and its system's.`,
		Example: `  triangulate template --org RTK --year 2019/20 -o rtk.xlsx
  triangulate template --org RYD --year 2019/20 --type community -o ryd.xlsx`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if org == "" || year == "" || output == "" {
				return usageErr("template needs --org CODE, --year YYYY/YY and -o FILE")
			}
			fsys, label, err := sourceArgs(args, ref)
			if err != nil {
				return err
			}
			orgs, err := readOrgs(fsys)
			if err != nil {
				return err
			}
			info, ok := orgs[org]
			if !ok {
				return usageErr("template: %s is not in plans/organisations.cue", org)
			}
			rules, err := check.LoadRules(cmd.Context(), fsys, check.Options{})
			if err != nil {
				return &exitError{code: ExitInput, err: fmt.Errorf("load rules from %s: %w", label, err)}
			}
			// The counterparties: the current plan's, and the system's
			// organisations of the other type.
			want := map[string]string{"trust": "ccg", "ccg": "trust"}[info.Type]
			var cps []string
			for code, o := range orgs {
				if o.Type == want && o.System == info.System && info.System != "" {
					cps = append(cps, code)
				}
			}
			kind := map[string]string{"trust": "provider", "ccg": "commissioner", "system": "system"}[info.Type]
			tmp := planfile.Plan{}
			switch kind {
			case "provider":
				tmp.Provider = &planfile.Provider{Header: planfile.Header{Org: org, Year: year}}
			case "commissioner":
				tmp.Commissioner = &planfile.Commissioner{Header: planfile.Header{Org: org, Year: year}}
			default:
				tmp.System = &planfile.System{Header: planfile.Header{Org: org, Year: year}}
			}
			if src, err := fs.ReadFile(fsys, tmp.Path()); err == nil {
				if cur, err := planfile.Parse(src); err == nil {
					switch {
					case cur.Provider != nil:
						typ = cmpOr(typ, cur.Provider.Type)
						for c := range cur.Provider.Activity {
							cps = append(cps, c)
						}
					case cur.Commissioner != nil:
						for c := range cur.Commissioner.Contracts {
							cps = append(cps, c)
						}
					}
				}
			}
			if kind == "provider" && typ == "" {
				return usageErr("template: %s has no plan for %s yet: give --type (%s)", org, year, strings.Join(planfile.TrustTypes, ", "))
			}
			slices.Sort(cps)
			cps = slices.Compact(cps)
			o := workbook.Options{Orgs: orgs, Register: registerFigures(rules.Registers, year, kind, org), Rules: ruleIDs(rules)}
			x, err := workbook.Template(org, year, typ, cps, o)
			if err != nil {
				return usageErr("%v", err)
			}
			return saveWorkbook(output, func(f *os.File) error { return workbook.Write(f, x) })
		},
	}
	c.Flags().StringVar(&ref, "ref", "", "read the repository at this git ref instead of the working tree")
	c.Flags().StringVar(&org, "org", "", "ODS code of the organisation")
	c.Flags().StringVar(&year, "year", "", "financial year, e.g. 2019/20")
	c.Flags().StringVar(&typ, "type", "", "a trust's type when it has no plan yet: "+strings.Join(planfile.TrustTypes, ", "))
	c.Flags().StringVarP(&output, "output", "o", "", "the .xlsx file to write")
	return c
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
