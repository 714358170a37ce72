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
