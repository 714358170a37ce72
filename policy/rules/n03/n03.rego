# METADATA
# title: 52-week waits fall as far as the national ask
# description: |
#   When the register's national asks hold waits_52_weeks_max_pct, the 52+
#   week RTT waits the trusts plan at March (M12 of rtt.waits_52_weeks),
#   summed over every trust that states both it and the figure at the March
#   before (prior_year.waits_52_weeks_march), must be at most that percentage
#   of the prior March total (50: at least halved). The warning goes to each
#   trust planning more than that percentage of its own prior figure.
# custom:
#   id: N03
#   category: national
#   severity: warning
#   reads: all
#   plan_fields:
#     - rtt.waits_52_weeks.months
#     - prior_year.waits_52_weeks_march
#   rationale: >-
#     The NHS Operational Planning and Contracting Guidance 2019/20 asks that
#     the number of patients waiting 52 weeks or more for treatment be at
#     least halved by March 2020 and eliminated where possible; a plan set
#     whose waits add up to more misses the national ask.
package triangulate.rules.n03

import data.triangulate.lib

findings contains f if {
	max_pct := lib.register.national_asks.waits_52_weeks_max_pct
	count(_waits) > 0
	planned := sum([w.march | some w in _waits])
	prior := sum([w.prior | some w in _waits])
	planned * 100 > max_pct * prior
	above := sort([code | some code, w in _waits; w.march * 100 > max_pct * w.prior])
	f := lib.finding({
		"rule": "N03",
		"severity": "warning",
		"org": "",
		"doc": "register",
		"scope": "national",
		"orgs": above,
		"path": ["national_asks", "waits_52_weeks_max_pct"],
		"related": [{"org": code, "path": ["rtt", "waits_52_weeks"]} | some code in above],
		"message": sprintf("Trusts plan %s 52-week waits at March (M12) against %s a year before%s, where the national ask is at most %s%%, %s waits; above their share: %s", [
			lib.fmt_int(planned), lib.fmt_int(prior), _share_text(planned, prior),
			lib.fmt_limit(max_pct), _allowed(max_pct, prior),
			concat("; ", [_trust_text(code, max_pct) | some code in above]),
		]),
	})
}

# Trusts that state both ends of the year; those without 52-week waits
# (most mental health and community trusts) are not in the national count.
_waits[code] := {"march": plan.rtt.waits_52_weeks.months[11], "prior": plan.prior_year.waits_52_weeks_march} if {
	some code, plan in lib.providers
}

# A share of nothing has no percentage: any wait at all is above it.
_share_text(_, 0) := ""

_share_text(planned, prior) := sprintf(" (%s%%)", [lib.fmt_decimal((planned * 100) / prior, 1)]) if prior != 0

_trust_text(code, max_pct) := sprintf("%s %s against %s (at most %s)", [
	code, lib.fmt_int(_waits[code].march), lib.fmt_int(_waits[code].prior),
	_allowed(max_pct, _waits[code].prior),
])

# Waits are whole patients: the most the ask allows, rounded down.
_allowed(max_pct, prior) := lib.fmt_int(floor((max_pct * prior) / 100))
