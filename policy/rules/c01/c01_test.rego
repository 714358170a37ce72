package triangulate.rules.c01_test

import data.triangulate.rules.c01

plans(surplus, funding, control_total) := {"year": "2019/20", "plans": {"RTK": {
	"kind": "provider", "org": "RTK",
	"finance": {
		"income": {"patient_care": 470000, "other": 44000, "sustainability_funding": funding},
		"surplus": surplus, "control_total": control_total, "control_total_accepted": true,
	},
}}}

test_success_above_control_total if {
	count(c01.findings) == 0 with input as plans(4500, 6000, -2000)
}

test_success_exactly_at_control_total if {
	count(c01.findings) == 0 with input as plans(4000, 6000, -2000)
}

test_fail_only_met_with_funding if {
	c01.findings == {{
		"rule": "C01", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "surplus"],
		"message": "RTK plans a surplus of £3,000k, or £-3,000k before £6,000k of sustainability funding: £1,000k short of its control total of £-2,000k",
	}} with input as plans(3000, 6000, -2000)
}

test_fail_without_funding if {
	c01.findings == {{
		"rule": "C01", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "surplus"],
		"message": "RTK plans a surplus of £-2,001k, or £-2,001k before £0k of sustainability funding: £1k short of its control total of £-2,000k",
	}} with input as plans(-2001, 0, -2000)
}
