# METADATA
# title: Activity agrees between commissioner and provider
# description: |
#   For every contract both sides plan, each activity line's annual volume
#   (sum of months) in the provider's plan is compared with the commissioner's:
#   a gap above alignment.activity_warning_pct (1%) of the commissioner's figure
#   is a warning, above alignment.activity_error_pct (5%) an error. A line one
#   side leaves out counts as zero there. A gap of fewer than
#   alignment.activity_materiality_count (50) a year is below the materiality
#   floor: a large percentage of a small line is shown as info only.
# custom:
#   id: A01
#   category: alignment
#   severity: error
#   reads: pair
#   rationale: >-
#     Both sides of a contract must plan the same activity, because in 2015-16 GP
#     referrals and non-elective activity ran 12% and 9% above the levels
#     commissioners and providers had agreed.
package triangulate.rules.a01

import data.triangulate.lib

findings contains f if {
	limits := lib.thresholds.alignment
	some [p_code, c_code] in lib.contract_pairs
	provider_lines := lib.providers[p_code].activity[c_code]
	commissioner_lines := object.get(lib.commissioners[c_code].contracts[p_code], "activity", {})

	# Two sides planning the same lines month for month agree on every line:
	# one comparison settles most contracts.
	provider_lines != commissioner_lines
	some line in lib.activity_lines_named(provider_lines, commissioner_lines)

	# Identical months cannot differ in volume: skip the arithmetic.
	not provider_lines[line].months == commissioner_lines[line].months

	provider_annual := lib.line_annual(provider_lines, line)
	commissioner_annual := lib.line_annual(commissioner_lines, line)
	gap := lib.pct_diff(provider_annual, commissioner_annual)
	band := lib.severity_band(gap, limits.activity_warning_pct, limits.activity_error_pct)
	difference := abs(provider_annual - commissioner_annual)
	severity := _material(band, difference, limits.activity_materiality_count)
	limit := _limit(band, limits)

	f := lib.finding({
		"rule": "A01",
		"severity": severity,
		"org": p_code,
		"orgs": [p_code, c_code],
		"path": _provider_path(c_code, line, provider_lines),
		"related": [{"org": c_code, "path": _commissioner_path(p_code, line, commissioner_lines)}],
		"message": concat("", [
			_message(
				{"provider": p_code, "commissioner": c_code, "line": line},
				{"provider": provider_lines, "commissioner": commissioner_lines},
				{"provider": provider_annual, "commissioner": commissioner_annual},
				gap, limit,
			),
			_floor_note(severity, difference, limits.activity_materiality_count),
		]),
	})
}

_material(band, difference, materiality) := band if difference >= materiality

_material(_, difference, materiality) := "info" if difference < materiality

_floor_note("info", difference, materiality) := sprintf(
	"; a difference of %s a year is below the materiality floor of %s, so it is shown only",
	[lib.fmt_int(difference), lib.fmt_int(materiality)],
)

_floor_note(severity, _, _) := "" if severity != "info"

_limit("error", limits) := limits.activity_error_pct

_limit("warning", limits) := limits.activity_warning_pct

# A side that leaves the line out is pointed at the activity block that
# should hold it, the most specific field its document has.
_provider_path(c_code, line, lines) := ["activity", c_code, line, "total"] if lines[line]

_provider_path(c_code, line, lines) := ["activity", c_code] if not lines[line]

_commissioner_path(p_code, line, lines) := ["contracts", p_code, "activity", line, "total"] if lines[line]

_commissioner_path(p_code, line, lines) := ["contracts", p_code, "activity"] if not lines[line]

_message(who, lines, annual, _, _) := sprintf("%s plans no %s from %s (no such line); %s plans %s with %s", [
	who.provider, lib.activity_line_label(who.line), who.commissioner,
	who.commissioner, lib.fmt_int(annual.commissioner), who.provider,
]) if {
	not lines.provider[who.line]
}

_message(who, lines, annual, _, _) := sprintf("%s plans %s %s from %s; %s plans none with %s (no such line)", [
	who.provider, lib.fmt_int(annual.provider), lib.activity_line_label(who.line), who.commissioner,
	who.commissioner, who.provider,
]) if {
	not lines.commissioner[who.line]
}

_message(who, lines, annual, _, _) := sprintf("%s plans %s %s from %s; %s plans none with %s", [
	who.provider, lib.fmt_int(annual.provider), lib.activity_line_label(who.line), who.commissioner,
	who.commissioner, who.provider,
]) if {
	lines.provider[who.line]
	lines.commissioner[who.line]
	annual.commissioner == 0
}

_message(who, lines, annual, gap, limit) := sprintf("%s plans %s %s from %s; %s plans %s with %s: %s%% apart, tolerance %s%%", [
	who.provider, lib.fmt_int(annual.provider), lib.activity_line_label(who.line), who.commissioner,
	who.commissioner, lib.fmt_int(annual.commissioner), who.provider,
	lib.fmt_above(gap, limit), lib.fmt_limit(limit),
]) if {
	lines.provider[who.line]
	lines.commissioner[who.line]
	annual.commissioner != 0
}
