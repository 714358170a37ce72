package triangulate.rules.c02_test

import data.triangulate.rules.c02

plans(accepted, amount, conditions) := {
	"year": "2019/20",
	"plans": {"RTK": {
		"kind": "provider", "org": "RTK",
		"finance": {"surplus": -2000},
		"control_total_decision": {"accepted": accepted, "date": "2019-03-28", "board_reference": "BD/19/07"},
	}},
	"register": {"providers": {"RTK": {
		"control_total": -1500,
		"sustainability_funding": {"amount": amount, "conditions": conditions},
		"agency_ceiling": 11000,
	}}},
}

test_success_accepted_with_funding if {
	count(c02.findings) == 0 with input as plans(true, 6000, ["accept_control_total", "meet_control_total"])
}

test_success_not_accepted_funding_withdrawn if {
	count(c02.findings) == 0 with input as plans(false, 0, ["accept_control_total"])
}

test_success_funding_not_conditional_on_acceptance if {
	count(c02.findings) == 0 with input as plans(false, 6000, ["meet_control_total"])
}

test_fail_not_accepted_with_funding if {
	c02.findings == {{
		"rule": "C02", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0,
		"path": ["control_total_decision", "accepted"],
		"related": [{"org": "RTK", "doc": "register", "path": ["providers", "RTK", "sustainability_funding", "amount"]}],
		"message": "RTK's board has not accepted its control total of £-1,500k, but the 2019/20 register still offers it £6,000k of sustainability funding, which only an accepted control total earns: the board accepts the control total, or the regulator withdraws the funding",
	}} with input as plans(false, 6000, ["accept_control_total", "meet_control_total"])
}
