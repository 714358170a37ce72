package triangulate.rules.b01_test

import data.triangulate.rules.b01

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

_flow(months) := {"total": sum(months), "months": months}

# _april(months, value) is months with April (M1) replaced by value.
_april(months, value) := array.concat([value], array.slice(months, 1, 12))

# 100 beds (90 core + 10 escalation); 100 ordinary spells x 3 days plus 380
# 1+ day non-elective spells x 6 days need 2,580 bed-days a month: 86% in
# April and 89% in the 29 days of February 2020. April is then varied:
# it has 3,000 bed-days open, so each extra non-elective spell adds 0.2 points.
_provider(non_elective_april, core_april, escalation_april) := _plan(
	_april(_twelve(380), non_elective_april),
	_april(_twelve(90), core_april),
	_april(_twelve(10), escalation_april),
)

_plan(non_elective, core, escalation) := {"input": {
	"year": "2019/20",
	"plans": {
		"RTK": {
			"kind": "provider",
			"org": "RTK",
			"year": "2019/20",
			"activity": {"09N": {
				"elective_ordinary": _flow(_twelve(100)),
				"non_elective_los": _flow(non_elective),
			}},
			"capacity": {
				"beds_core": {"months": core},
				"beds_escalation": {"months": escalation},
				"beds_occupied": {"months": _twelve(85)},
				"los_elective_ordinary": 3,
				"los_non_elective": 6,
			},
		},
		"09N": {"kind": "commissioner", "org": "09N", "year": "2019/20", "contracts": {}},
	},
}}

_findings(case) := fs if {
	fs := b01.findings with input as case.input
}

_finding(severity, message) := {
	"rule": "B01", "severity": severity, "org": "RTK", "orgs": ["RTK"],
	"path": ["capacity", "beds_core", "months", 0], "month": 1, "related": [],
	"message": message,
}

test_success_realistic_occupancy if {
	count(_findings(_provider(380, 90, 10))) == 0
}

test_success_exactly_at_warning_threshold if {
	# 300 + 410 x 6 = 2,760 of 3,000 bed-days: exactly 92%.
	count(_findings(_provider(410, 90, 10))) == 0
}

test_success_no_beds_and_no_bedded_activity if {
	# A month with neither beds nor bedded spells has no occupancy to judge.
	case := {"input": {"year": "2019/20", "plans": {"RXX": {
		"kind": "provider",
		"org": "RXX",
		"year": "2019/20",
		"activity": {"09N": {"op_first": _flow(_twelve(500))}},
		"capacity": {
			"beds_core": {"months": _twelve(0)},
			"beds_escalation": {"months": _twelve(0)},
			"beds_occupied": {"months": _twelve(0)},
			"los_elective_ordinary": 1,
			"los_non_elective": 1,
		},
	}}}}
	count(_findings(case)) == 0
}

test_fail_warning_just_above_92 if {
	_findings(_provider(411, 90, 10)) == {_finding(
		"warning",
		"RTK's planned spells need 2,766 G&A bed-days in M1 (April) against 3,000 open (90 core + 10 escalation beds for 30 days): occupancy 92.2%, above 92%",
	)}
}

test_fail_warning_exactly_at_error_threshold if {
	# 300 + 450 x 6 = 3,000 bed-days: full, but not over.
	_findings(_provider(450, 90, 10)) == {_finding(
		"warning",
		"RTK's planned spells need 3,000 G&A bed-days in M1 (April) against 3,000 open (90 core + 10 escalation beds for 30 days): occupancy 100.0%, above 92%",
	)}
}

test_fail_error_above_100 if {
	_findings(_provider(451, 90, 10)) == {_finding(
		"error",
		"RTK's planned spells need 3,006 G&A bed-days in M1 (April) against 3,000 open (90 core + 10 escalation beds for 30 days): occupancy 100.2%, above 100%",
	)}
}

test_fail_warning_without_escalation_beds if {
	# Without its 10 escalation beds April's 2,580 bed-days need 95.6% of 2,700.
	_findings(_provider(380, 90, 0)) == {_finding(
		"warning",
		"RTK's planned spells need 2,580 G&A bed-days in M1 (April) against 2,700 open (90 core + 0 escalation beds for 30 days): occupancy 95.6%, above 92%",
	)}
}

test_fail_error_no_beds_open if {
	_findings(_provider(380, 0, 0)) == {_finding(
		"error",
		"RTK's planned spells need 2,580 G&A bed-days in M1 (April) but it plans no G&A beds open that month",
	)}
}

test_fail_one_finding_per_month if {
	# 300 + 420 x 6 = 2,820 bed-days every month: 94.0% of the 3,000 open in
	# 30-day months and 97.2% of February 2020's 2,900, but 91.0% of 3,100 in
	# 31-day months.
	fs := _findings(_plan(_twelve(420), _twelve(90), _twelve(10)))
	{f.month | some f in fs} == {1, 3, 6, 8, 11}
	every f in fs {
		f.severity == "warning"
	}
}

# A mental health trust plans outpatients but no G&A spells, so its
# occupancy is the beds it declares occupied: 300 core beds, 6 escalation
# beds from December (M9), and in April the occupied beds under test.
_declared(occupied_april, core_april) := {"input": {"year": "2019/20", "plans": {"RXX": {
	"kind": "provider",
	"org": "RXX",
	"year": "2019/20",
	"type": "mental_health",
	"activity": {"09N": {
		"op_first": _flow(_twelve(300)),
		"op_followup": _flow(_twelve(1500)),
	}},
	"capacity": {
		"beds_core": {"months": _april(_twelve(300), core_april)},
		"beds_escalation": {"months": [0, 0, 0, 0, 0, 0, 0, 0, 6, 6, 6, 6]},
		"beds_occupied": {"months": _april(_twelve(270), occupied_april)},
		"los_elective_ordinary": 28,
		"los_non_elective": 35,
	},
}}}}

_declared_finding(severity, month, message) := {
	"rule": "B01", "severity": severity, "org": "RXX", "orgs": ["RXX"],
	"path": ["capacity", "beds_occupied", "months", month - 1], "month": month, "related": [],
	"message": message,
}

test_success_declared_occupancy_realistic if {
	# 270 of 300 beds: 90%; 270 of 306 in winter: 88.2%.
	count(_findings(_declared(270, 300))) == 0
}

test_success_declared_occupancy_exactly_at_warning_threshold if {
	# 276 of 300 beds: exactly 92%.
	count(_findings(_declared(276, 300))) == 0
}

test_fail_declared_occupancy_just_above_92 if {
	_findings(_declared(277, 300)) == {_declared_finding(
		"warning", 1,
		"RXX plans no G&A spells and declares 277 beds occupied in M1 (April) against 300 open (300 core + 0 escalation): declared occupancy 92.3%, above 92%",
	)}
}

test_fail_declared_occupancy_exactly_at_error_threshold if {
	# Every bed occupied is full, but not over: a warning.
	_findings(_declared(300, 300)) == {_declared_finding(
		"warning", 1,
		"RXX plans no G&A spells and declares 300 beds occupied in M1 (April) against 300 open (300 core + 0 escalation): declared occupancy 100.0%, above 92%",
	)}
}

test_fail_declared_occupancy_above_100 if {
	_findings(_declared(301, 300)) == {_declared_finding(
		"error", 1,
		"RXX plans no G&A spells and declares 301 beds occupied in M1 (April) against 300 open (300 core + 0 escalation): declared occupancy 100.3%, above 100%",
	)}
}

test_fail_declared_occupied_without_beds_open if {
	_findings(_declared(270, 0)) == {_declared_finding(
		"error", 1,
		"RXX plans no G&A spells and declares 270 beds occupied in M1 (April) but plans no beds open that month",
	)}
}

test_fail_declared_every_bed_occupied_all_year if {
	# Every open bed occupied all year, escalation beds included: a warning
	# in each of the twelve months, at 100%.
	case := json.patch(_declared(300, 300), [{
		"op": "replace", "path": "/input/plans/RXX/capacity/beds_occupied/months",
		"value": [300, 300, 300, 300, 300, 300, 300, 300, 306, 306, 306, 306],
	}])
	fs := _findings(case)
	{f.month | some f in fs} == {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	every f in fs {
		f.severity == "warning"
	}
	_declared_finding(
		"warning", 10,
		"RXX plans no G&A spells and declares 306 beds occupied in M10 (January) against 306 open (300 core + 6 escalation): declared occupancy 100.0%, above 92%",
	) in fs
}

test_success_spells_outweigh_declared_beds if {
	# A trust planning G&A spells is judged on them, not on what it declares:
	# 86% from spells, though it declares every bed occupied.
	case := json.patch(_provider(380, 90, 10), [{
		"op": "replace", "path": "/input/plans/RTK/capacity/beds_occupied/months",
		"value": _twelve(100),
	}])
	count(_findings(case)) == 0
}
