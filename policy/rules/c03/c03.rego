# METADATA
# title: Members' plans meet the system control total
# description: |
#   The planned surpluses (finance.surplus) of a system's members that have a
#   plan, providers and commissioners alike, must add up to at least the
#   system's control total.
# custom:
#   id: C03
#   category: control_total
#   severity: error
#   rationale: >-
#     From 2019-20 plans are built at system level with a system control total
#     that members deliver together, so members' plans that fall short of it
#     leave the system's financial plan without a route to balance.
package triangulate.rules.c03

import data.triangulate.lib

findings contains f if {
	some code, system in input.systems
	planned := [m | some m in system.members; input.plans[m].finance.surplus]
	surpluses := [input.plans[m].finance.surplus | some m in planned]
	total := sum(surpluses)
	total < system.control_total
	f := lib.finding({
		"rule": "C03",
		"severity": "error",
		"org": code,
		"orgs": array.concat([code], planned),
		"path": ["control_total"],
		"related": [{"org": m, "path": ["finance", "surplus"]} | some m in planned],
		"message": sprintf("%s's members plan a combined surplus of %s (%s): %s short of the system control total of %s%s", [
			code, lib.fmt_gbp(total),
			concat(", ", [sprintf("%s %s", [m, lib.fmt_gbp(surpluses[i])]) | some i, m in planned]),
			lib.fmt_gbp(system.control_total - total), lib.fmt_gbp(system.control_total),
			_unplanned(system.members, planned),
		]),
	})
}

# Members without a plan in this set add nothing; the message says who they
# are so a reader knows the shortfall may close when they submit.
_unplanned(members, planned) := "" if count(members) == count(planned)

_unplanned(members, planned) := sprintf("; no plan from %s", [concat(", ", missing)]) if {
	missing := [m | some m in members; not m in planned]
	count(missing) > 0
}
