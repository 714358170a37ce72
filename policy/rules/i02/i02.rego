# METADATA
# title: Activity lines add up to their parts
# description: |
#   In every activity block, elective spells (E.M.10) must equal day-case plus
#   ordinary (E.M.10a + E.M.10b), non-elective spells (E.M.11) zero-day plus 1+
#   day stays (E.M.11a + E.M.11b), and A&E attendances type 1 plus types 2-3
#   (E.M.12 + E.M.13): first on annual totals, then, when those agree, month by
#   month. Checked only when the block plans all three lines of a sum.
# custom:
#   id: I02
#   category: consistency
#   severity: error
#   reads: plan
#   rationale: >-
#     Beds are planned from the parts (ordinary and 1+ day spells) while
#     contracts and the other side's plan use the whole, so a whole that is not
#     the sum of its parts lets capacity and activity tell different stories.
package triangulate.rules.i02

import data.triangulate.lib

# Each whole line and the two lines it is the sum of.
_sums := {
	"elective": ["elective_daycase", "elective_ordinary"],
	"non_elective": ["non_elective_zero_los", "non_elective_los"],
	"ae_total": ["ae_type1", "ae_other"],
}

findings contains f if {
	some code, plan in lib.providers
	some c_code, lines in plan.activity
	some whole, [a, b] in _sums
	whole_line := lines[whole]
	not _adds_up(whole_line, lines[a], lines[b])
	f := _finding({"org": code, "counterparty": c_code, "path": ["activity", c_code]}, lines, whole, [a, b])
}

findings contains f if {
	some code, plan in lib.commissioners
	some p_code, contract in plan.contracts
	some whole, [a, b] in _sums
	lines := contract.activity
	whole_line := lines[whole]
	not _adds_up(whole_line, lines[a], lines[b])
	f := _finding({"org": code, "counterparty": p_code, "path": ["contracts", p_code, "activity"]}, lines, whole, [a, b])
}

# _adds_up(whole, a, b) holds when a line is the sum of its two parts in its
# total and in every month: the test every block passes in a sound plan, made
# before any finding is built. A block that does not plan the whole line has
# nothing to add up.
_adds_up(whole, a, b) if {
	whole.total == a.total + b.total
	whole.months == [(x + b.months[k]) | some k, x in a.months]
}

# A block whose annual totals disagree is reported on the whole's total; its
# months are not examined, since one finding per sum is enough to act on.
_finding(block, lines, whole, [a, b]) := lib.finding({
	"rule": "I02",
	"severity": "error",
	"org": block.org,
	"path": array.concat(block.path, [whole, "total"]),
	"message": _message(block, "", {whole: lines[whole].total, a: lines[a].total, b: lines[b].total}, [whole, a, b]),
}) if {
	lines[whole].total != lines[a].total + lines[b].total
}

_finding(block, lines, whole, [a, b]) := lib.finding({
	"rule": "I02",
	"severity": "error",
	"org": block.org,
	"path": array.concat(block.path, [whole, "months", i]),
	"month": i + 1,
	"message": _message(
		block, sprintf(" in %s", [lib.month_label(i + 1)]),
		{whole: lines[whole].months[i], a: lines[a].months[i], b: lines[b].months[i]}, [whole, a, b],
	),
}) if {
	lines[whole].total == lines[a].total + lines[b].total
	parts := [(x + y) | some k, x in lines[a].months; y := lines[b].months[k]]
	lines[whole].months != parts
	i := min({k | some k, x in lines[whole].months; x != parts[k]})
}

_message(block, when, values, [whole, a, b]) := sprintf("%s plans %s %s with %s%s, but %s %s plus %s %s make %s", [
	block.org, lib.fmt_int(values[whole]), lib.activity_line_label(whole), block.counterparty, when,
	lib.fmt_int(values[a]), lib.activity_line_label(a), lib.fmt_int(values[b]), lib.activity_line_label(b),
	lib.fmt_int(values[a] + values[b]),
])
