package triangulate.rules.b08_test

import data.triangulate.rules.b08

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

_flow(months) := {"total": sum(months), "months": months}

# A seasonal profile: about 0.95 of the mean in summer, 1.05 in winter.
_seasonal := [970, 960, 950, 955, 950, 980, 1010, 1040, 1050, 1050, 1030, 1055]

# RTK's non-elective plan is 09Y's flat 4,000 a month plus 09N's months; A&E
# is seasonal and only planned with 09Y. 00L, first in code order, plans no
# non-elective spells, so the finding sits on 09N.
_findings(non_elective_09n) := fs if {
	fs := b08.findings with input as {"year": "2019/20", "plans": {"RTK": {
		"kind": "provider",
		"org": "RTK",
		"year": "2019/20",
		"activity": {
			"00L": {"op_first": _flow(_twelve(100))},
			"09Y": {
				"non_elective": _flow(_twelve(4000)),
				"ae_total": _flow([y | some x in _seasonal; y := x * 10]),
			},
			"09N": {"non_elective": _flow(non_elective_09n)},
		},
	}}}
}

_finding(message) := {
	"rule": "B08", "severity": "info", "org": "RTK", "orgs": ["RTK"],
	"path": ["activity", "09N", "non_elective", "months"], "month": 0, "related": [],
	"message": message,
}

test_success_seasonal_profile if {
	count(_findings(_seasonal)) == 0
}

test_success_spread_exactly_at_threshold if {
	# 4,950 to 5,050 around a mean of 5,000: exactly 2%.
	count(_findings([950, 1050, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000])) == 0
}

test_fail_flat_profile if {
	_findings(_twelve(1000)) == {_finding("RTK plans between 5,000 and 5,000 non-elective spells (E.M.11) a month, a spread of 0.0% of the monthly mean of 5,000, below 2%: a flat profile with no winter peak")}
}

test_fail_spread_just_below_threshold if {
	# 4,951 to 5,050: 99 spells, 1.98% of the mean of 5,000.
	_findings([951, 1050, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 999]) == {_finding("RTK plans between 4,951 and 5,050 non-elective spells (E.M.11) a month, a spread of 1.98% of the monthly mean of 5,000, below 2%: a flat profile with no winter peak")}
}
