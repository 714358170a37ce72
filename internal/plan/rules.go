package plan

import "github.com/triangulate-nhs/triangulate/internal/finding"

// Schema rules raised by the loader. S00 covers what makes a file unreadable
// as plan data at all; S01-S04 are the schema rules of the check catalogue.
var Rules = []finding.Rule{
	{ID: "S00", Category: "schema", Severity: finding.Error,
		Title:       "Plan file is plain CUE data",
		Description: "A file under plans/ must parse as CUE and hold data only: no imports, attributes, definitions, references or computation, no symlinks, numbers written out in full (no exponent notation), and within the limits on size, nesting, list length, fields, digits and checking time listed in README.md.",
		Rationale:   "A submitted plan is a record of figures; anything that computes or pulls in other content makes the submission depend on more than what reviewers read."},
	{ID: "S01", Category: "schema", Severity: finding.Error,
		Title:       "Organisation codes are valid and known",
		Description: "Every code matches its ODS pattern and appears in the organisation reference list with the type its role needs; one plan per organisation and year, each filed at plans/<yyyy-yy>/providers/<code>.cue, plans/<yyyy-yy>/commissioners/<code>.cue or plans/<yyyy-yy>/system-<code>.cue with the lower-case code of the organisation it names; plans/organisations.cue is the only reference list.",
		Rationale:   "Plans are matched across organisations by ODS code; an unknown or mistyped code silently drops a contract from every cross-check, and a plan filed elsewhere escapes its organisation's CODEOWNERS line."},
	{ID: "S02", Category: "schema", Severity: finding.Error,
		Title:       "Financial year and months are well formed",
		Description: "The year is written \"YYYY/YY\" with consecutive years, matches the folder it is filed in, and every monthly list has exactly 12 values (M1 April .. M12 March).",
		Rationale:   "Monthly figures are compared month by month across organisations; a missing or extra month shifts every comparison."},
	{ID: "S03", Category: "schema", Severity: finding.Error,
		Title:       "Required lines are present and values are valid",
		Description: "Every field required for the organisation type is present, no field outside the schema is used, and counts are whole numbers of at least zero.",
		Rationale:   "A plan missing a line cannot be triangulated; an unknown field is usually a typo that hides a figure from the checks."},
	{ID: "S04", Category: "schema", Severity: finding.Error,
		Title:       "Counterparties are known organisations of the right type",
		Description: "Every commissioner named by a provider, provider named by a commissioner and member named by a system is in the reference list with the right type.",
		Rationale:   "Misalignment can only be found between organisations the checks can identify."},
}
