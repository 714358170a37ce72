package triangulate.rules.i05_test

import data.triangulate.rules.i05

twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

trajectory(numerator, denominator) := {"numerator": numerator, "denominator": denominator}

performance := {
	"ae_4h": trajectory(twelve(11400), twelve(12500)),
	"rtt_18w": trajectory(twelve(36800), twelve(42000)),
	"cancer_62d": trajectory(twelve(85), twelve(100)),
	"diagnostics_6w": trajectory(twelve(60), twelve(6000)),
}

capacity(occupied) := {
	"beds_core": {"months": twelve(860)},
	"beds_escalation": {"months": [0, 0, 0, 0, 0, 0, 20, 40, 40, 40, 40, 20]},
	"beds_occupied": {"months": occupied},
}

plans(perf, occupied) := {"year": "2019/20", "plans": {"RTK": {
	"kind": "provider", "org": "RTK",
	"performance": perf,
	"capacity": capacity(occupied),
}}}

test_success_within_totals if {
	count(i05.findings) == 0 with input as plans(performance, twelve(790))
}

test_success_at_limits if {
	full := object.union(performance, {"cancer_62d": trajectory(twelve(100), twelve(100))})
	count(i05.findings) == 0 with input as plans(full, [860, 860, 860, 860, 860, 860, 880, 900, 900, 900, 900, 880])
}

test_fail_numerator_above_denominator if {
	swapped := object.union(performance, {"ae_4h": trajectory(
		[11400, 11400, 11400, 11400, 11400, 11400, 11400, 11400, 12501, 11400, 12600, 11400],
		twelve(12500),
	)})
	i05.findings == {{
		"rule": "I05", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 9, "related": [],
		"path": ["performance", "ae_4h", "numerator", 8],
		"message": "RTK plans an A&E 4-hour trajectory whose numerator of 12,501 exceeds its denominator of 12,500 in M9 (December), the first of 2 such months",
	}} with input as plans(swapped, twelve(790))
}

test_fail_occupied_above_open if {
	i05.findings == {{
		"rule": "I05", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 10, "related": [],
		"path": ["capacity", "beds_occupied", "months", 9],
		"message": "RTK plans 901 G&A beds occupied in M10 (January), but only 900 open (860 core and 40 escalation)",
	}} with input as plans(performance, [790, 790, 790, 790, 790, 790, 820, 850, 880, 901, 880, 850])
}

# A seasonal trajectory whose largest numerator is above its smallest
# denominator, though never in the same month: nothing to report.
test_success_seasonal_trajectory if {
	seasonal := object.union(performance, {"ae_4h": trajectory(
		[11400, 11400, 11400, 11400, 11400, 11400, 11400, 11400, 11400, 11400, 11400, 12900],
		[12500, 12500, 12500, 12500, 12500, 12500, 12500, 12500, 12500, 12500, 12000, 13000],
	)})
	count(i05.findings) == 0 with input as plans(seasonal, twelve(790))
}

# The same in beds: 880 occupied in a month with escalation beds open is
# above the 860 core beds of other months but within that month's 900.
test_success_occupancy_within_escalation if {
	count(i05.findings) == 0 with input as plans(performance, [790, 790, 790, 790, 790, 790, 820, 880, 880, 880, 880, 820])
}

# A numerator above its denominator in the month with the fewest
# attendances: the smallest denominator is where a numerator first fits
# worst.
test_fail_above_smallest_denominator if {
	fs := i05.findings with input as plans(
		object.union(performance, {"cancer_62d": trajectory(twelve(85), [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 84, 100])}),
		twelve(790),
	)
	[f.path | some f in fs] == [["performance", "cancer_62d", "numerator", 10]]
}

# Occupied beds in decimals (an average over the month) just above the
# beds open.
test_fail_occupied_decimal_above_open if {
	fs := i05.findings with input as plans(performance, [790, 790, 790, 790, 790, 790, 820, 850, 880, 900.5, 880, 850])
	[f.path | some f in fs] == [["capacity", "beds_occupied", "months", 9]]
}
