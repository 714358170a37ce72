# METADATA
# title: Planned activity fits the G&A beds
# description: |
#   Bed-days needed each month (elective ordinary and non-elective 1+ day spells
#   times planned length of stay) against G&A core and escalation beds open:
#   occupancy above occupancy.warning_pct (92%) is a warning, above
#   occupancy.error_pct (100%) an error. A trust that plans no such spells
#   (mental health, community) is judged on the occupied beds it declares
#   against the beds it opens, with the same limits.
# custom:
#   id: B01
#   category: believability
#   severity: error
#   reads: plan
#   rationale: Above 92% G&A occupancy (KH03) patients wait for beds and elective work is cancelled, so a plan that needs more bed-days than its beds give cannot deliver its activity; where a trust declares occupied beds instead of planning spells (mental health, community), occupancy uses them (NHSI 2018 on read-across between activity and capacity).
package triangulate.rules.b01

import data.triangulate.lib

findings contains f if {
	limits := lib.thresholds.occupancy

	# Months are found on bed-days (in tenths) alone; the month's occupancy,
	# with its percentage, is built only for a month above the warning limit.
	some code, beds in lib.provider_bed_tenths
	some i, used in beds.used
	lib.bed_days_above(used, beds.open[i], limits.warning_pct)
	m := i + 1
	o := lib.occupancy(lib.providers[code])[m]
	band := _band(o, limits)
	f := lib.finding({
		"rule": "B01",
		"severity": band.severity,
		"org": code,
		"path": _path(o),
		"month": m,
		"message": _message(code, o, band.limit),
	})
}

_band(o, limits) := {"severity": "error", "limit": limits.error_pct} if {
	lib.occupancy_above(o, limits.error_pct)
} else := {"severity": "warning", "limit": limits.warning_pct}

# Derived occupancy is fixed by opening beds (or planning fewer spells);
# declared occupancy points at the occupied beds the trust declared.
_path(o) := ["capacity", "beds_core", "months", o.month - 1] if o.basis == "derived"

_path(o) := ["capacity", "beds_occupied", "months", o.month - 1] if o.basis == "declared"

_message(code, o, limit) := sprintf(
	"%s's planned spells need %s G&A bed-days in %s against %s open (%s core + %s escalation beds for %d days): occupancy %s%%, above %s%%",
	[
		code, lib.fmt_int(o.bed_days), lib.month_label(o.month), lib.fmt_int(o.bed_days_open),
		lib.fmt_int(o.beds_core), lib.fmt_int(o.beds_escalation), o.days, lib.fmt_above(o.pct, limit), lib.fmt_limit(limit),
	],
) if {
	o.basis == "derived"
	o.bed_days_open > 0
}

_message(code, o, _) := sprintf(
	"%s's planned spells need %s G&A bed-days in %s but it plans no G&A beds open that month",
	[code, lib.fmt_int(o.bed_days), lib.month_label(o.month)],
) if {
	o.basis == "derived"
	o.bed_days_open == 0
}

_message(code, o, limit) := sprintf(
	"%s plans no G&A spells and declares %s beds occupied in %s against %s open (%s core + %s escalation): declared occupancy %s%%, above %s%%",
	[
		code, lib.fmt_int(o.beds_occupied), lib.month_label(o.month), lib.fmt_int(o.beds_core + o.beds_escalation),
		lib.fmt_int(o.beds_core), lib.fmt_int(o.beds_escalation), lib.fmt_above(o.pct, limit), lib.fmt_limit(limit),
	],
) if {
	o.basis == "declared"
	o.bed_days_open > 0
}

_message(code, o, _) := sprintf(
	"%s plans no G&A spells and declares %s beds occupied in %s but plans no beds open that month",
	[code, lib.fmt_int(o.beds_occupied), lib.month_label(o.month)],
) if {
	o.basis == "declared"
	o.bed_days_open == 0
}
