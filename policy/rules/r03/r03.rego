# METADATA
# title: Declared occupied beds agree with the planned spells
# description: |
#   For an acute trust, the G&A beds it declares occupied each month
#   (capacity.beds_occupied) against the beds its planned spells occupy
#   (elective ordinary and non-elective 1+ day spells times planned length of
#   stay, over the days of the month): a gap above
#   read_across.occupancy_agreement_pct (5%) of the spells' figure is a
#   warning. One finding per trust, at the month with the widest gap, so a
#   plan whose two figures disagree all year reads as one problem.
# custom:
#   id: R03
#   category: read_across
#   severity: warning
#   reads: plan
#   rationale: >-
#     NHSI (2018) found insufficient read-across between activity and capacity
#     plans; an acute trust's declared occupied beds and its spells times length
#     of stay describe the same beds, so they must agree within 5% (assumption,
#     policy data) or one of them is not the plan the trust will run.
package triangulate.rules.r03

import data.triangulate.lib

findings contains f if {
	tolerance := lib.thresholds.read_across.occupancy_agreement_pct
	some code, provider in lib.providers
	provider.type == "acute"
	declared := provider.capacity.beds_occupied.months

	# Months are found on bed-days (in tenths, lib.bed_tenths_needed), in
	# whole-number arithmetic; the gap in beds and percent is worked out only
	# for the months found.
	needed := lib.bed_tenths_needed(provider)
	months := [(i + 1) |
		some i, need in needed
		_apart((declared[i] * lib.days_in_month(provider.year, i + 1)) * 10, need, tolerance)
	]
	count(months) > 0
	occupancy := lib.derived_occupancy(provider)
	apart := [_gap(occupancy[m], declared[m - 1]) | some m in months]
	widest := max([g.pct | some g in apart])
	month := min([g.month | some g in apart; g.pct == widest])
	some g in apart
	g.month == month
	f := lib.finding({
		"rule": "R03",
		"severity": "warning",
		"org": code,
		"path": ["capacity", "beds_occupied", "months", month - 1],
		"month": month,
		"message": concat("", [_message(code, g, tolerance), _others(count(apart), tolerance)]),
	})
}

# _apart(declared, needed, tolerance) holds when bed-days declared occupied
# and bed-days needed by the spells (both in the same unit) are more than
# tolerance percent apart, as lib.pct_diff(declared, needed) > tolerance
# would say in beds.
_apart(declared, needed, tolerance) if {
	needed != 0
	abs(declared - needed) * 100 > tolerance * abs(needed)
}

_apart(declared, needed, tolerance) if {
	needed == 0
	declared != 0
	100 > tolerance
}

# _gap compares month o of the derived occupancy with the beds declared
# occupied that month, in beds.
_gap(o, declared) := {
	"month": o.month, "declared": declared, "needed": o.bed_days / o.days, "occupancy": o,
	"pct": lib.pct_diff(declared, o.bed_days / o.days),
}

_message(code, g, tolerance) := sprintf(
	"%s declares %s G&A beds occupied in %s, but its planned spells at their planned lengths of stay need %s (%s bed-days over %d days): %s%% apart, tolerance %s%%%s",
	[
		code, lib.fmt_int(g.declared), lib.month_label(g.month), lib.fmt_int(g.needed),
		lib.fmt_int(g.occupancy.bed_days), g.occupancy.days, lib.fmt_above(g.pct, tolerance),
		lib.fmt_limit(tolerance), _occupancy(g),
	],
) if g.needed > 0

_message(code, g, _) := sprintf(
	"%s declares %s G&A beds occupied in %s, but its planned spells need none that month",
	[code, lib.fmt_int(g.declared), lib.month_label(g.month)],
) if g.needed == 0

# The same gap as occupancy of the beds open, the figure B01 judges.
_occupancy(g) := sprintf(" (occupancy %s%% declared against %s%% from spells, of %s beds open)", [
	lib.fmt_decimal((g.declared * 100) / open, 1), lib.fmt_decimal(g.occupancy.pct, 1), lib.fmt_int(open),
]) if {
	open := g.occupancy.beds_core + g.occupancy.beds_escalation
	open > 0
}

_occupancy(g) := "" if g.occupancy.bed_days_open == 0

_others(1, _) := ""

_others(n, tolerance) := sprintf("; the widest gap of the %d months more than %s%% apart", [n, lib.fmt_limit(tolerance)]) if n > 1
