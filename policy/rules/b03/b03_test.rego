package triangulate.rules.b03_test

import data.triangulate.rules.b03

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

_flow(months) := {"total": sum(months), "months": months}

# An acute trust's RTT plan: 15,000 clock starts a month, stops split between
# admitted and non-admitted pathways, the list running from first to last
# (a straight line between them; only the ends matter).
_findings(starts, admitted, nonadmitted, first, last) := fs if {
	step := (last - first) / 11
	rtt := {
		"clock_starts": _flow(_twelve(starts)),
		"completed_admitted": _flow(_twelve(admitted)),
		"completed_nonadmitted": _flow(_twelve(nonadmitted)),
		"waiting_list": {"months": [round(first + (step * i)) | some i in numbers.range(0, 11)]},
		"waits_52_weeks": {"months": _twelve(0)},
	}
	fs := b03.findings with input as {"year": "2019/20", "plans": {
		"RTK": {"kind": "provider", "org": "RTK", "year": "2019/20", "rtt": rtt},
		# A community trust plans no RTT and is never judged here.
		"RYD": {"kind": "provider", "org": "RYD", "year": "2019/20"},
	}}
}

_finding(message) := {
	"rule": "B03", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["rtt", "waiting_list"], "month": 0, "related": [], "message": message,
}

test_success_list_falls_with_more_stops if {
	count(_findings(15000, 3000, 12100, 43000, 41900)) == 0
}

test_success_list_grows_with_fewer_stops if {
	count(_findings(15000, 3000, 11900, 43000, 44200)) == 0
}

test_success_list_flat if {
	count(_findings(15000, 3000, 11900, 43000, 43000)) == 0
}

test_success_stops_exactly_equal_starts if {
	count(_findings(15000, 3000, 12000, 43000, 42000)) == 0
}

test_fail_list_falls_with_fewer_stops if {
	_findings(15000, 3000, 11900, 43000, 41500) == {_finding("RTK plans its RTT waiting list (E.B.3a) to fall from 43,000 in M1 (April) to 41,500 in M12 (March) while planning 178,800 clock stops (E.M.18 + E.M.19) against 180,000 clock starts (E.M.20): with more clocks starting than stopping the list grows")}
}

test_fail_list_falls_by_one if {
	_findings(15000, 3000, 11999, 43000, 42999) == {_finding("RTK plans its RTT waiting list (E.B.3a) to fall from 43,000 in M1 (April) to 42,999 in M12 (March) while planning 179,988 clock stops (E.M.18 + E.M.19) against 180,000 clock starts (E.M.20): with more clocks starting than stopping the list grows")}
}
