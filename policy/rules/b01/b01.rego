# METADATA
# title: Planned activity fits the G&A beds
# description: |
#   Bed-days needed each month (elective ordinary and non-elective 1+ day spells
#   times planned length of stay) against G&A core and escalation beds open:
#   occupancy above occupancy.warning_pct (92%) is a warning, above
#   occupancy.error_pct (100%) an error.
# custom:
#   id: B01
#   category: believability
#   severity: error
#   rationale: Above 92% G&A occupancy (KH03) patients wait for beds and elective work is cancelled, so a plan that needs more bed-days than its beds give cannot deliver its activity.
package triangulate.rules.b01

import data.triangulate.lib

findings contains f if {
	some code, occupancy in lib.provider_occupancy
	some m, o in occupancy
	lib.occupancy_above(o, lib.thresholds.occupancy.warning_pct)
	band := _band(o, lib.thresholds.occupancy)
	f := lib.finding({
		"rule": "B01",
		"severity": band.severity,
		"org": code,
		"path": ["capacity", "beds_core", "months", m - 1],
		"month": m,
		"message": _message(code, o, band.limit),
	})
}

_band(o, limits) := {"severity": "error", "limit": limits.error_pct} if {
	lib.occupancy_above(o, limits.error_pct)
} else := {"severity": "warning", "limit": limits.warning_pct}

_message(code, o, limit) := sprintf(
	"%s's planned spells need %s G&A bed-days in %s against %s open (%s core + %s escalation beds for %d days): occupancy %s%%, above %s%%",
	[
		code, lib.fmt_int(o.bed_days), lib.month_label(o.month), lib.fmt_int(o.bed_days_open),
		lib.fmt_int(o.beds_core), lib.fmt_int(o.beds_escalation), o.days, lib.fmt_above(o.pct, limit), lib.fmt_limit(limit),
	],
) if o.bed_days_open > 0

_message(code, o, _) := sprintf(
	"%s's planned spells need %s G&A bed-days in %s but it plans no G&A beds open that month",
	[code, lib.fmt_int(o.bed_days), lib.month_label(o.month)],
) if o.bed_days_open == 0
