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
