package triangulate.rules.n02_test

import data.triangulate.rules.n02

# A waiting list of 12 month-end figures ending at march.
_provider(march, prior) := {
	"kind": "provider",
	"rtt": {"waiting_list": {"months": [30000, 30000, 30000, 30000, 30000, 30000, 30000, 30000, 30000, 30000, 30000, march]}},
	"prior_year": {"rtt_waiting_list_march": prior},
}

# RTK falls by 1,000 and RA2 grows by 600: the sum falls by 400. RXX, a
# mental health trust with no RTT list, and the CCG are not counted.
_plans(ra2_march) := {
	"RTK": _provider(25000, 26000),
	"RA2": _provider(ra2_march, 31000),
	"RXX": {"kind": "provider", "prior_year": {}},
	"09N": {"kind": "commissioner"},
}

_input(plans, asks) := {"year": "2019/20", "plans": plans, "systems": {}, "organisations": {}, "register": {"national_asks": asks}}

_ask := {"rtt_waiting_list_no_growth": true}

_finding(orgs, message) := {
	"rule": "N02", "severity": "warning", "org": "", "orgs": orgs, "month": 0,
	"doc": "register", "scope": "national", "path": ["national_asks", "rtt_waiting_list_no_growth"],
	"related": [{"org": code, "path": ["rtt", "waiting_list"]} | some code in orgs],
	"message": message,
}

test_success_list_falls if {
	count(n02.findings) == 0 with input as _input(_plans(31600), _ask)
}

test_success_exactly_no_growth if {
	count(n02.findings) == 0 with input as _input(_plans(32000), _ask)
}

test_success_ask_absent if {
	count(n02.findings) == 0 with input as _input(_plans(40000), {"provider_sector_surplus_min": 0})
}

test_success_ask_false if {
	count(n02.findings) == 0 with input as _input(_plans(40000), {"rtt_waiting_list_no_growth": false})
}

test_fail_one_more_than_a_year_before if {
	n02.findings == {_finding(["RA2"], "Trusts plan an RTT waiting list of 57,001 at March (M12) against 57,000 a year before: 1 more, where the national ask is no growth; growing: RA2 31,000 to 32,001 (+1,001)")} with input as _input(_plans(32001), _ask)
}

test_fail_several_trusts_grow if {
	plans := object.union(_plans(33000), {"RTK": _provider(26500, 26000)})
	n02.findings == {_finding(["RA2", "RTK"], "Trusts plan an RTT waiting list of 59,500 at March (M12) against 57,000 a year before: 2,500 more, where the national ask is no growth; growing: RA2 31,000 to 33,000 (+2,000), RTK 26,000 to 26,500 (+500)")} with input as _input(plans, _ask)
}
