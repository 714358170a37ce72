package codeowners

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// The teams that act for every organisation: the tool's maintainers and the
// regulators who own the rules. Neither stands for one organisation's
// sign-off on its plan, and both are named on every line that owns the tool.
// (GitHub accepts an approval from any one owner of a line; requiring both
// takes branch-protection settings, see README "Who edits what".)
const (
	Maintainers = "@triangulate-nhs/maintainers"
	Regulators  = "@triangulate-nhs/regulators"
)

// guardedRoots hold the tool: its code, CI and GitHub configuration. Every
// file in them, and a new file in each (probes, so a line narrowed to
// today's files fails too), must be owned by both teams. CODEOWNERS itself
// is the regulators' alone and is left out.
var (
	guardedRoots  = []string{"cmd", "internal", ".ci", ".github"}
	guardedFiles  = []string{"go.mod", "go.sum"}
	guardedProbes = []string{"cmd/new/main.go", "internal/new/new.go", ".ci/new", ".github/workflows/new.yml", ".github/actions/new/action.yml"}
)

// firstYear is the year checked when the repository holds no plans yet:
// the lines are written for every year, so any year shows a missing one.
const firstYear = "2019/20"

// CheckRepository checks the CODEOWNERS of the repository in fsys against
// its reference list (plan.ReferenceListFile) and the files under plans/:
// every organisation's plan path (plan.PlanPath) for each year folder under
// plans/ and the year after is owned by a line of the organisation's own
// naming a team other than Maintainers and Regulators; every file under
// plans/ is owned by a line written for plans/; the tool's code and
// workflows are owned by both Maintainers and Regulators. It returns the
// problems (see Owners.Check); the error is for a repository it cannot
// read. Only the reference list is evaluated, so the check stays fast at
// any number of plans.
func CheckRepository(fsys fs.FS) ([]string, error) {
	owners, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	orgs, err := organisations(fsys)
	if err != nil {
		return nil, err
	}
	planFiles, err := files(fsys, plan.PlansDir)
	if err != nil {
		return nil, err
	}
	years, err := planYears(planFiles)
	if err != nil {
		return nil, err
	}
	b := Binding{Files: planFiles, Shared: []string{Maintainers, Regulators}, Required: []string{Maintainers, Regulators}}
	for _, code := range slices.Sorted(maps.Keys(orgs)) {
		kind := plan.PlanKind(orgs[code])
		for _, year := range years {
			if p, ok := plan.PlanPath(kind, code, year); ok {
				b.Plans = append(b.Plans, Plan{Org: code, Path: p})
			}
		}
	}
	for _, root := range guardedRoots {
		got, err := files(fsys, root)
		if err != nil {
			return nil, err
		}
		b.Guarded = append(b.Guarded, slices.DeleteFunc(got, isCodeowners)...)
	}
	b.Guarded = append(append(b.Guarded, guardedFiles...), guardedProbes...)
	return owners.Check(b), nil
}

// organisations reads the reference list, validated against the schema in
// fsys, as code -> type.
func organisations(fsys fs.FS) (map[string]string, error) {
	schema, err := plan.LoadSchema(fsys)
	if err != nil {
		return nil, fmt.Errorf("load schema: %w", err)
	}
	fi, err := fs.Stat(fsys, plan.ReferenceListFile)
	if err != nil {
		return nil, fmt.Errorf("read organisations: %w", err)
	}
	if fi.Size() > plan.DefaultMaxFileSize {
		return nil, fmt.Errorf("read organisations: %s is over the %d-byte limit for a plan file", plan.ReferenceListFile, plan.DefaultMaxFileSize)
	}
	src, err := fs.ReadFile(fsys, plan.ReferenceListFile)
	if err != nil {
		return nil, fmt.Errorf("read organisations: %w", err)
	}
	doc, _ := schema.CheckFile(plan.ReferenceListFile, src)
	orgs := doc.Organisations()
	if orgs == nil {
		return nil, fmt.Errorf("read organisations: %s fails the schema (run triangulate check)", plan.ReferenceListFile)
	}
	return orgs, nil
}

// planYears are the years of the year folders under plans/ and the year
// after the last, so next year's lines exist before its plans are filed.
func planYears(files []string) ([]string, error) {
	var years []string
	for _, f := range files {
		if y := plan.FileYear(f); y != "" && !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	if len(years) == 0 {
		years = []string{firstYear}
	}
	next, err := nextYear(years[len(years)-1])
	if err != nil {
		return nil, err
	}
	return append(years, next), nil
}

// isCodeowners reports whether name is a CODEOWNERS file GitHub reads.
func isCodeowners(name string) bool { return slices.Contains(Locations, name) }

// files lists every file under root in fsys; none when root is missing.
func files(fsys fs.FS, root string) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && name == root {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	return out, nil
}

// nextYear is the financial year after year: "2019/20" -> "2020/21".
func nextYear(year string) (string, error) {
	first, _, ok := strings.Cut(year, "/")
	y, err := strconv.Atoi(first)
	if !ok || err != nil {
		return "", fmt.Errorf("read year %q: not YYYY/YY", year)
	}
	return fmt.Sprintf("%d/%02d", y+1, (y+2)%100), nil
}
