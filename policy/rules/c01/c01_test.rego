package triangulate.rules.c01_test

import data.triangulate.rules.c01

plans(surplus, control_total) := {
	"year": "2019/20",
	"plans": {"RTK": {
		"kind": "provider", "org": "RTK",
		"finance": {"income": {"patient_care": 470000, "other": 44000}, "surplus": surplus},
		"control_total_decision": {"accepted": true},
	}},
	"register": {"providers": {"RTK": {
		"control_total": control_total,
		"sustainability_funding": {"amount": 6000, "conditions": ["accept_control_total"]},
		"agency_ceiling": 11000,
	}}},
}

_finding(message) := {
	"rule": "C01", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0,
	"path": ["finance", "surplus"],
	"related": [{"org": "RTK", "doc": "register", "path": ["providers", "RTK", "control_total"]}],
	"message": message,
}

test_success_above_control_total if {
	count(c01.findings) == 0 with input as plans(-1500, -2000)
}

test_success_exactly_at_control_total if {
	count(c01.findings) == 0 with input as plans(-2000, -2000)
}

test_fail_one_short if {
	c01.findings == {_finding("RTK plans a surplus of £-2,001k before sustainability funding: £1k short of the control total of £-2,000k the 2019/20 register sets it")} with input as plans(-2001, -2000)
}

# The issue's case: the plan lowered its own control total to -12,000 and
# planned 4,500 more deficit; the register still says -7,500.
test_fail_plan_lowered_its_own_control_total if {
	i := json.patch(plans(-12000, -7500), [{"op": "add", "path": "/plans/RTK/finance/control_total", "value": -12000}])
	c01.findings == {_finding("RTK plans a surplus of £-12,000k before sustainability funding: £4,500k short of the control total of £-7,500k the 2019/20 register sets it")} with input as i
}

test_success_no_register_entry_is_c05s_concern if {
	count(c01.findings) == 0 with input as json.patch(plans(-9000, -2000), [{"op": "remove", "path": "/register/providers/RTK"}])
}
