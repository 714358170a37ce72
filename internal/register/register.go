// Package register reads the regulator registers under policy/register/: one
// file per financial year holding every figure the regulators set (control
// totals, sustainability funding, agency ceilings, allocations, required
// surpluses, system control totals, submission windows, national asks).
// Plans are judged against these figures and never state them. The register
// belongs with the rules: in a review it is read from the base branch, so a
// pull request cannot change the figures it is judged by.
package register

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// Dir is where registers live in a repository.
const Dir = "policy/register"

// rule is the catalogue id of a register that cannot be used: C05,
// "Regulator figures come from the register".
const rule = "C05"

// Registers holds the usable register of each year, keyed "2019/20".
type Registers map[string]*plan.Document

// Data returns the register of year as policy input, or an empty object.
func (r Registers) Data(year string) map[string]any {
	if d, ok := r[year]; ok {
		return d.Data
	}
	return map[string]any{}
}

// Load reads policy/register/*.cue from fsys. A file that fails the schema,
// has another kind, or repeats a year is reported as a finding and not used:
// plans are then judged as if the year had no register (every organisation
// gets a C05 finding saying its figures are missing), never against figures
// nobody can vouch for.
func Load(fsys fs.FS, schema *plan.Schema) (Registers, []finding.Finding) {
	entries, err := fs.ReadDir(fsys, Dir)
	if err != nil {
		return Registers{}, nil // no register folder: every year lacks one
	}
	regs := Registers{}
	var out []finding.Finding
	bad := func(loc finding.Location, format string, args ...any) {
		out = append(out, finding.Finding{Rule: rule, Severity: finding.Error, Location: loc,
			Message: fmt.Sprintf(format, args...)})
	}
	for _, e := range entries {
		name := path.Join(Dir, e.Name())
		if e.IsDir() || !strings.HasSuffix(name, ".cue") {
			continue
		}
		if !e.Type().IsRegular() {
			bad(finding.Location{File: name}, "register files must be regular files")
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() > plan.DefaultMaxFileSize {
			bad(finding.Location{File: name}, "register file is unreadable or over %d bytes", plan.DefaultMaxFileSize)
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			bad(finding.Location{File: name}, "cannot read register file: %v", err)
			continue
		}
		doc, problems := schema.CheckFile(name, src)
		for _, p := range problems {
			bad(p.Location, "malformed register, not used: %s", p.Message)
		}
		if doc == nil || !doc.Valid {
			continue
		}
		if doc.Kind != "register" {
			bad(doc.Locate([]any{"kind"}), "files in %s/ must have kind \"register\", not %q", Dir, doc.Kind)
			continue
		}
		if want := strings.ReplaceAll(doc.Year, "/", "-") + ".cue"; e.Name() != want {
			bad(doc.Locate([]any{"year"}), "the register for %s must be %s/%s", doc.Year, Dir, want)
			continue
		}
		regs[doc.Year] = doc
	}
	return regs, out
}
