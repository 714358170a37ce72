package triangulate.rules.r04_test

import data.triangulate.rules.r04

_scheme(name, value, identified) := {
	"name": name, "category": "other", "recurrent": true, "identified": identified,
	"value": value, "months": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, value],
}

# A CIP of £6,000k in two identified schemes and two unidentified
# schemes of `a` and `b`; the total is stated as `total` (I06, not R04,
# checks it against the schemes).
_input(total, a, b) := {"year": "2019/20", "plans": {
	"RTK": {
		"kind": "provider",
		"org": "RTK",
		"year": "2019/20",
		"finance": {"cip": {"total": total, "recurrent": total, "non_recurrent": 0, "schemes": [
			_scheme("Theatre productivity", 4000, true),
			_scheme("Stretch target A", a, false),
			_scheme("Procurement", 2000, true),
			_scheme("Stretch target B", b, false),
		]}},
	},
	"09N": {"kind": "commissioner", "org": "09N", "year": "2019/20", "finance": {"surplus": 0}},
}}

_findings(case) := fs if {
	fs := r04.findings with input as case
}

_finding(index, message) := {
	"rule": "R04", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["finance", "cip", "schemes", index, "identified"], "month": 0, "related": [],
	"message": message,
}

test_success_all_identified if {
	case := json.patch(_input(10000, 1500, 2500), [
		{"op": "replace", "path": "/plans/RTK/finance/cip/schemes/1/identified", "value": true},
		{"op": "replace", "path": "/plans/RTK/finance/cip/schemes/3/identified", "value": true},
	])
	count(_findings(case)) == 0
}

test_success_unidentified_below_limit if {
	count(_findings(_input(10000, 1000, 1000))) == 0
}

test_success_unidentified_exactly_at_limit if {
	# £2,500k of £10,000k: exactly 25%.
	count(_findings(_input(10000, 1000, 1500))) == 0
}

test_fail_unidentified_just_above_limit if {
	# £2,501k of £10,000k.
	_findings(_input(10000, 1000, 1501)) == {_finding(3, "RTK plans £2,501k of its £10,000k CIP in 2 unidentified schemes: 25.01% of the total, above 25%")}
}

test_fail_finding_on_largest_unidentified_scheme if {
	# £4,000k of £10,000k, the larger of the two schemes first in the list.
	_findings(_input(10000, 3000, 1000)) == {_finding(1, "RTK plans £4,000k of its £10,000k CIP in 2 unidentified schemes: 40.0% of the total, above 25%")}
}

test_fail_one_unidentified_scheme if {
	case := json.patch(_input(10000, 3000, 1000), [{"op": "replace", "path": "/plans/RTK/finance/cip/schemes/3/identified", "value": true}])
	_findings(case) == {_finding(1, "RTK plans £3,000k of its £10,000k CIP in 1 unidentified scheme: 30.0% of the total, above 25%")}
}

test_fail_equal_schemes_name_the_first if {
	_findings(_input(10000, 1500, 1500)) == {_finding(1, "RTK plans £3,000k of its £10,000k CIP in 2 unidentified schemes: 30.0% of the total, above 25%")}
}

test_success_without_cip if {
	count(_findings(_input(0, 0, 0))) == 0
}
