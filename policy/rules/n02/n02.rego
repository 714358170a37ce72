# METADATA
# title: The RTT waiting list does not grow nationally
# description: |
#   When the register's national asks set rtt_waiting_list_no_growth, the
#   RTT waiting list the trusts plan at March (M12 of rtt.waiting_list),
#   summed over every trust that states both it and the list at the March
#   before (prior_year.rtt_waiting_list_march), must be no higher than that
#   prior March total. The warning goes to each trust whose own list grows.
# custom:
#   id: N02
#   category: national
#   severity: warning
#   reads: all
#   plan_fields:
#     - rtt.waiting_list.months
#     - prior_year.rtt_waiting_list_march
#   rationale: >-
#     The NHS Operational Planning and Contracting Guidance 2019/20 asks that
#     the RTT waiting list at March 2020 be no higher than at March 2019; a
#     plan set whose lists add up to more misses the national ask.
package triangulate.rules.n02

import data.triangulate.lib

findings contains f if {
	lib.register.national_asks.rtt_waiting_list_no_growth == true
	count(_lists) > 0
	planned := sum([l.march | some l in _lists])
	prior := sum([l.prior | some l in _lists])
	planned > prior
	growing := sort([code | some code, l in _lists; l.march > l.prior])
	f := lib.finding({
		"rule": "N02",
		"severity": "warning",
		"org": "",
		"doc": "register",
		"scope": "national",
		"orgs": growing,
		"path": ["national_asks", "rtt_waiting_list_no_growth"],
		"related": [{"org": code, "path": ["rtt", "waiting_list"]} | some code in growing],
		"message": sprintf("Trusts plan an RTT waiting list of %s at March (M12) against %s a year before: %s more, where the national ask is no growth; growing: %s", [
			lib.fmt_int(planned), lib.fmt_int(prior), lib.fmt_int(planned - prior),
			concat(", ", [_growth_text(code) | some code in growing]),
		]),
	})
}

# Trusts that state both ends of the year; those without an RTT list (most
# mental health and community trusts) are not in the national count.
_lists[code] := {"march": plan.rtt.waiting_list.months[11], "prior": plan.prior_year.rtt_waiting_list_march} if {
	some code, plan in lib.providers
}

_growth_text(code) := sprintf("%s %s to %s (+%s)", [
	code, lib.fmt_int(_lists[code].prior), lib.fmt_int(_lists[code].march),
	lib.fmt_int(_lists[code].march - _lists[code].prior),
])
