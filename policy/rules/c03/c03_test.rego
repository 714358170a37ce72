package triangulate.rules.c03_test

import data.triangulate.rules.c03

provider(surplus) := {"kind": "provider", "finance": {"surplus": surplus, "control_total": surplus}}

commissioner(surplus) := {"kind": "commissioner", "finance": {"surplus": surplus, "required_surplus": surplus}}

plans(control_total) := {
	"year": "2019/20",
	"plans": {
		"RTK": provider(-2000),
		"RA2": provider(-3500),
		"09N": commissioner(2500),
	},
	"systems": {"QXU": {"kind": "system", "org": "QXU", "members": ["RTK", "RA2", "09N"], "control_total": control_total}},
}

test_success_members_meet_control_total if {
	count(c03.findings) == 0 with input as plans(-4000)
}

test_success_exactly_at_control_total if {
	count(c03.findings) == 0 with input as plans(-3000)
}

test_fail_members_short if {
	c03.findings == {{
		"rule": "C03", "severity": "error", "org": "QXU", "orgs": ["QXU", "RTK", "RA2", "09N"], "month": 0,
		"path": ["control_total"],
		"related": [
			{"org": "RTK", "path": ["finance", "surplus"]},
			{"org": "RA2", "path": ["finance", "surplus"]},
			{"org": "09N", "path": ["finance", "surplus"]},
		],
		"message": "QXU's members plan a combined surplus of £-3,000k (RTK £-2,000k, RA2 £-3,500k, 09N £2,500k): £1k short of the system control total of £-2,999k",
	}} with input as plans(-2999)
}

test_fail_member_without_plan if {
	i := object.union(plans(0), {"systems": {"QXU": {"kind": "system", "org": "QXU", "members": ["RTK", "RXX", "RA2"], "control_total": 0}}})
	c03.findings == {{
		"rule": "C03", "severity": "error", "org": "QXU", "orgs": ["QXU", "RTK", "RA2"], "month": 0,
		"path": ["control_total"],
		"related": [
			{"org": "RTK", "path": ["finance", "surplus"]},
			{"org": "RA2", "path": ["finance", "surplus"]},
		],
		"message": "QXU's members plan a combined surplus of £-5,500k (RTK £-2,000k, RA2 £-3,500k): £5,500k short of the system control total of £0k; no plan from RXX",
	}} with input as i
}
