package triangulate.rules.n03_test

import data.triangulate.rules.n03

_provider(march, prior) := {
	"kind": "provider",
	"rtt": {"waits_52_weeks": {"months": [9, 9, 8, 8, 7, 7, 6, 6, 5, 5, 4, march]}},
	"prior_year": {"waits_52_weeks_march": prior},
}

# 18 waits a year before (RTK 6, RA2 12); halved is 9. RXX, with no RTT
# waits, and the CCG are not counted.
_plans(rtk, ra2) := {
	"RTK": _provider(rtk, 6),
	"RA2": _provider(ra2, 12),
	"RXX": {"kind": "provider", "prior_year": {}},
	"09N": {"kind": "commissioner"},
}

_input(plans, asks) := {"year": "2019/20", "plans": plans, "systems": {}, "organisations": {}, "register": {"national_asks": asks}}

_ask := {"waits_52_weeks_max_pct": 50}

_finding(orgs, message) := {
	"rule": "N03", "severity": "warning", "org": "", "orgs": orgs, "month": 0,
	"doc": "register", "scope": "national", "path": ["national_asks", "waits_52_weeks_max_pct"],
	"related": [{"org": code, "path": ["rtt", "waits_52_weeks"]} | some code in orgs],
	"message": message,
}

test_success_eliminated if {
	count(n03.findings) == 0 with input as _input(_plans(0, 0), _ask)
}

test_success_exactly_halved if {
	count(n03.findings) == 0 with input as _input(_plans(3, 6), _ask)
}

# RTK misses its own share but the national total is still halved.
test_success_total_halved_one_trust_above if {
	count(n03.findings) == 0 with input as _input(_plans(5, 4), _ask)
}

test_success_ask_absent if {
	count(n03.findings) == 0 with input as _input(_plans(6, 12), {"rtt_waiting_list_no_growth": true})
}

test_fail_one_past_halved if {
	n03.findings == {_finding(["RA2"], "Trusts plan 10 52-week waits at March (M12) against 18 a year before (55.6%), where the national ask is at most 50%, 9 waits; above their share: RA2 7 against 12 (at most 6)")} with input as _input(_plans(3, 7), _ask)
}

test_fail_several_trusts_above if {
	n03.findings == {_finding(["RA2", "RTK"], "Trusts plan 12 52-week waits at March (M12) against 18 a year before (66.7%), where the national ask is at most 50%, 9 waits; above their share: RA2 8 against 12 (at most 6); RTK 4 against 6 (at most 3)")} with input as _input(_plans(4, 8), _ask)
}

# A trust with no 52-week waits a year before may plan none.
test_fail_waits_from_none if {
	plans := {"RTK": _provider(2, 0)}
	n03.findings == {_finding(["RTK"], "Trusts plan 2 52-week waits at March (M12) against 0 a year before, where the national ask is at most 50%, 0 waits; above their share: RTK 2 against 0 (at most 0)")} with input as _input(plans, _ask)
}
