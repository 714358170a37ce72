package triangulate.rules.c04_test

import data.triangulate.rules.c04

plans(surplus, required) := {
	"year": "2019/20",
	"plans": {
		"09N": {
			"kind": "commissioner", "org": "09N",
			"finance": {"other_spend": 148000, "qipp": 9000, "surplus": surplus, "mental_health": 60000},
		},
		# A provider below its control total is not this rule's concern.
		"RTK": {"kind": "provider", "org": "RTK", "finance": {"surplus": -5000}},
	},
	"register": {
		"commissioners": {"09N": {"allocation": 600000, "allocation_prior_year": 570000, "required_surplus": required}},
		"providers": {"RTK": {"control_total": -1500}},
	},
}

test_success_required_surplus_met if {
	count(c04.findings) == 0 with input as plans(2500, 2000)
}

test_success_exactly_required if {
	count(c04.findings) == 0 with input as plans(2000, 2000)
}

test_fail_below_required if {
	c04.findings == {{
		"rule": "C04", "severity": "warning", "org": "09N", "orgs": ["09N"], "month": 0,
		"path": ["finance", "surplus"],
		"related": [{"org": "09N", "doc": "register", "path": ["commissioners", "09N", "required_surplus"]}],
		"message": "09N plans a surplus of £-500k: £2,500k short of the required surplus of £2,000k the 2019/20 register sets it",
	}} with input as plans(-500, 2000)
}

test_success_no_register_entry_is_c05s_concern if {
	count(c04.findings) == 0 with input as json.patch(plans(-500, 2000), [{"op": "remove", "path": "/register/commissioners/09N"}])
}
