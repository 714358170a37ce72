package triangulate.rules.c02_test

import data.triangulate.rules.c02

plans(accepted, funding) := {"year": "2019/20", "plans": {"RTK": {
	"kind": "provider", "org": "RTK",
	"finance": {
		"income": {"patient_care": 470000, "other": 44000, "sustainability_funding": funding},
		"surplus": -2000, "control_total": -1500, "control_total_accepted": accepted,
	},
}}}

test_success_accepted_with_funding if {
	count(c02.findings) == 0 with input as plans(true, 6000)
}

test_success_not_accepted_without_funding if {
	count(c02.findings) == 0 with input as plans(false, 0)
}

test_fail_not_accepted_with_funding if {
	c02.findings == {{
		"rule": "C02", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "income", "sustainability_funding"],
		"message": "RTK has not accepted its control total of £-1,500k but plans £6,000k of sustainability funding, which only an accepted control total earns",
	}} with input as plans(false, 6000)
}
