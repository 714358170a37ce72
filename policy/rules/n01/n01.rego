# METADATA
# title: The provider sector plans at least the national surplus ask
# description: |
#   When the register's national asks hold provider_sector_surplus_min, the
#   providers in the plan set together must plan at least that surplus, each
#   counted as finance.surplus plus the sustainability funding its plan earns
#   (lib.earned_funding: the register's amount when the board accepted the
#   control total and the plan meets it). The warning goes to every provider
#   planning a deficit on that basis.
# custom:
#   id: N01
#   category: national
#   severity: warning
#   reads: all
#   plan_fields:
#     - finance.surplus
#     - control_total_decision.accepted
#   rationale: >-
#     The NHS Operational Planning and Contracting Guidance 2019/20 asks the
#     provider sector to return to aggregate financial balance, with
#     sustainability funding paid to trusts that accept and meet their control
#     totals; a plan set that adds up to less leaves the national position
#     without a route to breakeven.
package triangulate.rules.n01

import data.triangulate.lib

findings contains f if {
	minimum := lib.register.national_asks.provider_sector_surplus_min
	count(_figures) > 0
	total := sum([x | some x in _figures])
	total < minimum
	deficits := sort([code | some code, x in _figures; x < 0])
	orgs := _contributors(deficits)
	f := lib.finding({
		"rule": "N01",
		"severity": "warning",
		"org": "",
		"doc": "register",
		"scope": "national",
		"orgs": orgs,
		"path": ["national_asks", "provider_sector_surplus_min"],
		"related": [{"org": code, "path": ["finance", "surplus"]} | some code in orgs],
		"message": sprintf("The provider sector (%s) plans a combined surplus of %s including the sustainability funding it earns: %s short of the national ask of at least %s%s", [
			_count_label(count(_figures)), lib.fmt_gbp(total), lib.fmt_gbp(minimum - total), lib.fmt_gbp(minimum),
			_deficit_text(deficits),
		]),
	})
}

# Each provider's surplus on the national basis: after the sustainability
# funding its plan earns.
_figures[code] := plan.finance.surplus + lib.earned_funding(code) if {
	some code, plan in lib.providers
}

# Those planning a deficit pull the sector below the ask. When none does (an
# ask above breakeven), every provider shares the gap.
_contributors(deficits) := deficits if count(deficits) > 0

_contributors(deficits) := sort([code | some code, _ in _figures]) if count(deficits) == 0

_deficit_text(deficits) := sprintf("; deficits: %s", [concat(", ", [sprintf("%s %s", [code, lib.fmt_gbp(_figures[code])]) | some code in deficits])]) if {
	count(deficits) > 0
} else := ""

_count_label(1) := "1 provider"

_count_label(n) := sprintf("%d providers", [n]) if n != 1
