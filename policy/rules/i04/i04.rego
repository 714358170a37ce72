# METADATA
# title: Workforce total equals the sum of its staff groups
# description: |
#   In every month the planned WTE total must equal the sum over the five staff
#   groups of substantive, bank and agency WTE, within
#   consistency.wte_tolerance (0.5 WTE). One finding per plan, at the first
#   month that does not add up.
# custom:
#   id: I04
#   category: consistency
#   severity: error
#   reads: plan
#   rationale: >-
#     Staffing is judged against activity from the total while pay cost and
#     agency use come from the groups, so the two must describe the same
#     workforce.
package triangulate.rules.i04

import data.triangulate.lib

findings contains f if {
	tolerance := lib.thresholds.consistency.wte_tolerance
	some code, plan in lib.providers
	workforce := plan.workforce
	staff := _staff_months(workforce.groups)
	sums := [sum([months[i] | some months in staff]) | some i, _ in workforce.total]
	workforce.total != sums
	bad := {i | some i, total in workforce.total; abs(total - sums[i]) > tolerance}
	i := min(bad)
	f := lib.finding({
		"rule": "I04",
		"severity": "error",
		"org": code,
		"path": ["workforce", "total", i],
		"month": i + 1,
		"message": sprintf("%s plans %s WTE in %s, but its staff groups (substantive, bank and agency) add up to %s: %s apart, tolerance %s%s", [
			code, _fmt_wte(workforce.total[i]), lib.month_label(i + 1), _fmt_wte(sums[i]),
			_fmt_wte(abs(workforce.total[i] - sums[i])), _fmt_wte(tolerance), _also(count(bad)),
		]),
	})
}

# The monthly WTE of every staff group and contract type, so that each
# month's staff are added with one builtin sum over them all (Rego's own
# decimal arithmetic is slow) in the same order every month: group by
# group, substantive, bank, then agency.
_staff_months(groups) := [months |
	some group in groups
	some contract in ["substantive", "bank", "agency"]
	months := group[contract]
]

# WTE with one decimal and thousands grouped: 6480.45 is "6,480.5".
_fmt_wte(x) := sprintf("%s.%d", [lib.fmt_int(floor(tenths / 10)), tenths % 10]) if tenths := round(x * 10)

_also(1) := ""

_also(n) := sprintf(" (%d months do not add up)", [n]) if n > 1
