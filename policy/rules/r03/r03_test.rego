package triangulate.rules.r03_test

import data.triangulate.rules.r03

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

_flow(months) := {"total": sum(months), "months": months}

_days := [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29, 31]

# An acute trust whose spells fill `beds` G&A beds every month: 10 elective
# ordinary spells a day staying 2 days and (beds - 20) / 5 non-elective 1+ day
# spells a day staying 5 days, times the days of each month. It opens 100
# core and 10 escalation beds and declares `declared` occupied.
_input(type, beds, declared) := {"year": "2019/20", "plans": {
	"RTK": {
		"kind": "provider",
		"org": "RTK",
		"year": "2019/20",
		"type": type,
		"activity": {
			"09N": {
				"elective_ordinary": _flow([n | some d in _days; n := 10 * d]),
				"non_elective_los": _flow([n | some d in _days; n := ((beds - 20) / 5) * d]),
			},
			# A second commissioner adds nothing bedded.
			"09Y": {"op_first": _flow(_twelve(400))},
		},
		"capacity": {
			"beds_core": {"months": _twelve(100)},
			"beds_escalation": {"months": _twelve(10)},
			"beds_occupied": {"months": declared},
			"los_elective_ordinary": 2,
			"los_non_elective": 5,
		},
	},
	"09N": {"kind": "commissioner", "org": "09N", "year": "2019/20", "contracts": {}},
}}

# _april(x) declares 100 beds occupied, as the spells need, except x in April.
_april(x) := array.concat([x], array.slice(_twelve(100), 1, 12))

_findings(case) := fs if {
	fs := r03.findings with input as case
}

_finding(month, message) := {
	"rule": "R03", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["capacity", "beds_occupied", "months", month - 1], "month": month, "related": [],
	"message": message,
}

test_success_declared_matches_spells if {
	count(_findings(_input("acute", 100, _twelve(100)))) == 0
}

test_success_exactly_at_tolerance_above if {
	# 105 declared against 100 needed: exactly 5% apart.
	count(_findings(_input("acute", 100, _april(105)))) == 0
}

test_success_exactly_at_tolerance_below if {
	count(_findings(_input("acute", 100, _april(95)))) == 0
}

test_fail_just_above_tolerance if {
	_findings(_input("acute", 100, _april(106))) == {_finding(1, "RTK declares 106 G&A beds occupied in M1 (April), but its planned spells at their planned lengths of stay need 100 (3,000 bed-days over 30 days): 6.0% apart, tolerance 5% (occupancy 96.4% declared against 90.9% from spells, of 110 beds open)")}
}

test_fail_just_below_tolerance if {
	_findings(_input("acute", 100, _april(94))) == {_finding(1, "RTK declares 94 G&A beds occupied in M1 (April), but its planned spells at their planned lengths of stay need 100 (3,000 bed-days over 30 days): 6.0% apart, tolerance 5% (occupancy 85.5% declared against 90.9% from spells, of 110 beds open)")}
}

test_fail_declares_61_pct_while_spells_imply_90 if {
	# The issue's case: 61 of 100 beds declared occupied all year while the
	# spells fill 90. One finding names the earliest of the twelve equally
	# wide months.
	case := json.patch(_input("acute", 90, _twelve(61)), [{
		"op": "replace", "path": "/plans/RTK/capacity/beds_core/months", "value": _twelve(90),
	}])
	_findings(case) == {_finding(1, "RTK declares 61 G&A beds occupied in M1 (April), but its planned spells at their planned lengths of stay need 90 (2,700 bed-days over 30 days): 32.2% apart, tolerance 5% (occupancy 61.0% declared against 90.0% from spells, of 100 beds open); the widest gap of the 12 months more than 5% apart")}
}

test_fail_names_the_widest_month if {
	# April is 10% above the spells, January 20%: one finding, at January.
	declared := [110, 100, 100, 100, 100, 100, 100, 100, 100, 120, 100, 100]
	_findings(_input("acute", 100, declared)) == {_finding(10, "RTK declares 120 G&A beds occupied in M10 (January), but its planned spells at their planned lengths of stay need 100 (3,100 bed-days over 31 days): 20.0% apart, tolerance 5% (occupancy 109.1% declared against 90.9% from spells, of 110 beds open); the widest gap of the 2 months more than 5% apart")}
}

test_fail_declared_without_bedded_spells if {
	# An acute trust planning no bedded spells in April but declaring beds
	# occupied: the two cannot agree.
	case := json.patch(_input("acute", 100, _twelve(100)), [
		{"op": "replace", "path": "/plans/RTK/activity/09N/elective_ordinary/months/0", "value": 0},
		{"op": "replace", "path": "/plans/RTK/activity/09N/non_elective_los/months/0", "value": 0},
	])
	_findings(case) == {_finding(1, "RTK declares 100 G&A beds occupied in M1 (April), but its planned spells need none that month")}
}

test_fail_without_beds_open if {
	# No beds open in April: the gap is still judged, without occupancy.
	case := json.patch(_input("acute", 100, _april(50)), [
		{"op": "replace", "path": "/plans/RTK/capacity/beds_core/months/0", "value": 0},
		{"op": "replace", "path": "/plans/RTK/capacity/beds_escalation/months/0", "value": 0},
	])
	_findings(case) == {_finding(1, "RTK declares 50 G&A beds occupied in M1 (April), but its planned spells at their planned lengths of stay need 100 (3,000 bed-days over 30 days): 50.0% apart, tolerance 5%")}
}

test_success_non_acute_trust if {
	# A community trust's declared beds are its occupancy (B01); there is no
	# second figure to agree with.
	count(_findings(_input("community", 100, _twelve(67)))) == 0
}

test_success_no_beds_declared_or_needed if {
	case := json.patch(_input("acute", 100, _april(0)), [
		{"op": "replace", "path": "/plans/RTK/activity/09N/elective_ordinary/months/0", "value": 0},
		{"op": "replace", "path": "/plans/RTK/activity/09N/non_elective_los/months/0", "value": 0},
	])
	count(_findings(case)) == 0
}
