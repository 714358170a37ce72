# METADATA
# title: Annual totals equal the sum of their months
# description: |
#   Every activity flow, by commissioner or by provider, and every RTT flow must
#   state an annual total equal to the sum of its twelve months. Money flows
#   (income by commissioner, contract values) may differ by at most
#   consistency.money_tolerance_gbp000 (£1k) to allow for rounding.
# custom:
#   id: I01
#   category: consistency
#   severity: error
#   reads: plan
#   rationale: >-
#     Every cross-check compares month-summed figures, so a stated total that
#     disagrees with its months shows a reader a different plan from the one
#     that was checked.
package triangulate.rules.i01

import data.triangulate.lib

# RTT flows sum over the year; the waiting list and 52-week waits are stocks.
_rtt_flow_labels := {
	"clock_starts": "RTT clock starts (E.M.20)",
	"completed_admitted": "completed admitted RTT pathways (E.M.18)",
	"completed_nonadmitted": "completed non-admitted RTT pathways (E.M.19)",
}

# Each rule tests its flow before it builds a message: there are tens of
# thousands of flows in a national set and almost all of them add up.
findings contains f if {
	some code, plan in lib.providers
	some c_code, lines in plan.activity
	not _adds_up(lines)
	some line, flow in lines
	flow.total != sum(flow.months)
	f := _count_finding(code, ["activity", c_code, line], flow, sprintf("%s with %s", [lib.activity_line_label(line), c_code]))
}

findings contains f if {
	some code, plan in lib.commissioners
	some p_code, contract in plan.contracts
	not _adds_up(contract.activity)
	some line, flow in contract.activity
	flow.total != sum(flow.months)
	f := _count_finding(code, ["contracts", p_code, "activity", line], flow, sprintf("%s with %s", [lib.activity_line_label(line), p_code]))
}

findings contains f if {
	some code, plan in lib.providers
	some key, label in _rtt_flow_labels
	flow := plan.rtt[key]
	flow.total != sum(flow.months)
	f := _count_finding(code, ["rtt", key], flow, label)
}

findings contains f if {
	tolerance := lib.thresholds.consistency.money_tolerance_gbp000
	some code, plan in lib.providers
	some c_code, flow in plan.finance.income.by_commissioner
	abs(flow.total - sum(flow.months)) > tolerance
	f := _money_finding(code, ["finance", "income", "by_commissioner", c_code], flow, sprintf("patient-care income from %s", [c_code]))
}

findings contains f if {
	tolerance := lib.thresholds.consistency.money_tolerance_gbp000
	some code, plan in lib.commissioners
	some p_code, contract in plan.contracts
	abs(contract.value.total - sum(contract.value.months)) > tolerance
	f := _money_finding(code, ["contracts", p_code, "value"], contract.value, sprintf("contract value with %s", [p_code]))
}

# _adds_up(lines) holds when every flow of an activity block states the sum
# of its months as its total: one comparison of two lists per block, so only
# a block that fails it is searched flow by flow.
_adds_up(lines) if [flow.total | some flow in lines] == [sum(flow.months) | some flow in lines]

# METADATA
# description: |
#   _count_finding(org, path, flow, what) is the finding for a flow of counts
#   at path whose total is not exactly the sum of its months; undefined when
#   they agree.
_count_finding(org, path, flow, what) := lib.finding({
	"rule": "I01",
	"severity": "error",
	"org": org,
	"path": array.concat(path, ["total"]),
	"message": sprintf("%s plans a total of %s %s, but its months add up to %s: %s apart", [
		org, lib.fmt_int(flow.total), what, lib.fmt_int(months), lib.fmt_int(abs(flow.total - months)),
	]),
}) if {
	months := sum(flow.months)
	flow.total != months
}

# METADATA
# description: |
#   _money_finding(org, path, flow, what) is the finding for a money flow at
#   path whose total is further from the sum of its months than the money
#   tolerance; undefined otherwise.
_money_finding(org, path, flow, what) := lib.finding({
	"rule": "I01",
	"severity": "error",
	"org": org,
	"path": array.concat(path, ["total"]),
	"message": sprintf("%s plans a total %s of %s, but its months add up to %s: %s apart, tolerance %s", [
		org, what, lib.fmt_gbp(flow.total), lib.fmt_gbp(months), lib.fmt_gbp(gap), lib.fmt_gbp(tolerance),
	]),
}) if {
	tolerance := lib.thresholds.consistency.money_tolerance_gbp000
	months := sum(flow.months)
	gap := abs(flow.total - months)
	gap > tolerance
}
