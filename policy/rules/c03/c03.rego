# METADATA
# title: Members' plans meet the system control total
# description: |
#   The planned surpluses of a system's members, on the C01 basis (a provider's
#   finance.surplus is before sustainability funding; a commissioner's
#   finance.surplus as planned), must add up to at least the system's control
#   total in the year's register. Members are those the regulator-owned
#   reference list places in the system; a member without a plan adds nothing
#   and is named.
# custom:
#   id: C03
#   category: control_total
#   severity: error
#   reads: system
#   rationale: >-
#     From 2019/20 plans are built at system level with a system control total
#     the members deliver together (NHS Operational Planning and Contracting
#     Guidance 2019/20). The control total is set before sustainability
#     funding, which is earned only by meeting it, so members' plans that fall
#     short of it on that basis leave the system without a route to balance.
package triangulate.rules.c03

import data.triangulate.lib

findings contains f if {
	some code, system in lib.register.systems
	members := sort(lib.system_members(code))
	planned := [m | some m in members; _surplus(m)]
	figures := [_surplus(m) | some m in planned]
	total := sum(figures)
	total < system.control_total
	f := lib.finding({
		"rule": "C03",
		"severity": "error",
		"org": code,
		"doc": "register",
		"scope": "system",
		"orgs": array.concat([code], planned),
		"path": ["systems", code, "control_total"],
		"related": [{"org": m, "path": ["finance", "surplus"]} | some m in planned],
		"message": sprintf("%s's members plan a combined surplus of %s before sustainability funding (%s): %s short of the system control total of %s in the register%s", [
			code, lib.fmt_gbp(total),
			concat(", ", [sprintf("%s %s", [m, lib.fmt_gbp(figures[i])]) | some i, m in planned]),
			lib.fmt_gbp(system.control_total - total), lib.fmt_gbp(system.control_total),
			_unplanned(members),
		]),
	})
}

# A provider's surplus is already before sustainability funding (the control
# total basis); a commissioner earns none, so its surplus counts as planned.
_surplus(code) := input.plans[code].finance.surplus

# Members without a plan in this set add nothing; the message names them so a
# reader knows the shortfall may close when they submit.
_unplanned(members) := sprintf("; no plan from %s", [concat(", ", missing)]) if {
	missing := [m | some m in members; not input.plans[m]]
	count(missing) > 0
} else := ""
