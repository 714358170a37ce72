# METADATA
# title: The system control total equals the sum of its members'
# description: |
#   In the year's register, a system's control total must equal the sum, over
#   the members the reference list places in it, of each trust's control total
#   and each CCG's required surplus. A member the register gives no figure
#   counts as zero and is named.
# custom:
#   id: C06
#   category: control_total
#   severity: error
#   reads: system
#   rationale: >-
#     The 2019/20 system control total is the sum of its members' organisation
#     control totals (NHS Operational Planning and Contracting Guidance
#     2019/20), so a register whose system figure differs from its members'
#     would hold the system to a target none of its members was set; a rebased
#     member control total must move the system's with it.
package triangulate.rules.c06

import data.triangulate.lib

findings contains f if {
	some code, system in lib.register.systems
	members := sort(lib.system_members(code))
	given := [m | some m in members; _figure(m)]
	figures := [_figure(m).value | some m in given]
	total := sum(figures)
	total != system.control_total
	f := lib.finding({
		"rule": "C06",
		"severity": "error",
		"org": code,
		"doc": "register",
		"scope": "system",
		"path": ["systems", code, "control_total"],
		"related": [{"org": m, "doc": "register", "path": _figure(m).path} | some m in given],
		"message": sprintf("%s's control total in the register is %s, but its members' control totals and required surpluses sum to %s (%s): %s apart%s", [
			code, lib.fmt_gbp(system.control_total), lib.fmt_gbp(total),
			concat(", ", [sprintf("%s %s", [m, lib.fmt_gbp(figures[i])]) | some i, m in given]),
			lib.fmt_gbp(abs(system.control_total - total)),
			_unset(members, given),
		]),
	})
}

# A trust's share of the system control total is its control total; a CCG's
# is the surplus it is required to deliver.
_figure(m) := {"value": lib.provider_figures(m).control_total, "path": ["providers", m, "control_total"]}

_figure(m) := {"value": lib.commissioner_figures(m).required_surplus, "path": ["commissioners", m, "required_surplus"]} if {
	not lib.provider_figures(m)
}

_unset(members, given) := sprintf("; no figure in the register for %s, counted as £0k", [concat(", ", missing)]) if {
	missing := [m | some m in members; not m in given]
	count(missing) > 0
} else := ""
