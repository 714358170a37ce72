# METADATA
# title: Waiting list falls only if clocks stop faster than they start
# description: |
#   The RTT waiting list (E.B.3a) planned lower in M12 than in M1 while the
#   year's completed pathways (E.M.18 + E.M.19) are fewer than its clock
#   starts (E.M.20).
# custom:
#   id: B03
#   category: believability
#   severity: warning
#   reads: plan
#   rationale: Every RTT pathway that starts and does not stop stays on the waiting list, so a list planned to fall while clock starts exceed clock stops does not add up.
package triangulate.rules.b03

import data.triangulate.lib

findings contains f if {
	some code, provider in lib.providers
	rtt := provider.rtt
	first := rtt.waiting_list.months[0]
	last := rtt.waiting_list.months[11]
	last < first
	stops := sum(rtt.completed_admitted.months) + sum(rtt.completed_nonadmitted.months)
	starts := sum(rtt.clock_starts.months)
	stops < starts
	f := lib.finding({
		"rule": "B03",
		"severity": "warning",
		"org": code,
		"path": ["rtt", "waiting_list"],
		"message": sprintf(
			"%s plans its RTT waiting list (E.B.3a) to fall from %s in %s to %s in %s while planning %s clock stops (E.M.18 + E.M.19) against %s clock starts (E.M.20): with more clocks starting than stopping the list grows",
			[
				code, lib.fmt_int(first), lib.month_label(1), lib.fmt_int(last), lib.month_label(12),
				lib.fmt_int(stops), lib.fmt_int(starts),
			],
		),
	})
}
