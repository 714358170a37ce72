package triangulate.rules.c03_test

import data.triangulate.rules.c03

# Reference list: QXU holds RTK, RA2 and 09N; RXX belongs to another system.
_organisations := {
	"QXU": {"type": "system"},
	"QYY": {"type": "system"},
	"RTK": {"type": "trust", "system": "QXU"},
	"RA2": {"type": "trust", "system": "QXU"},
	"09N": {"type": "ccg", "system": "QXU"},
	"RXX": {"type": "trust", "system": "QYY"},
}

_provider(surplus) := {"kind": "provider", "finance": {"surplus": surplus}, "control_total_decision": {"accepted": true}}

_commissioner(surplus) := {"kind": "commissioner", "finance": {"surplus": surplus}}

_plans := {
	"RTK": _provider(-2000),
	"RA2": _provider(-3500),
	"09N": _commissioner(2500),
	"RXX": _provider(-9000),
}

# The register offers RTK and RA2 sustainability funding their plans earn:
# C03 must not count it, because the control total is set before it.
_register(control_total) := {
	"providers": {
		"RTK": {"control_total": -2000, "sustainability_funding": {"amount": 4000, "conditions": ["accept_control_total", "meet_control_total"]}, "agency_ceiling": 1},
		"RA2": {"control_total": -3500, "sustainability_funding": {"amount": 3000, "conditions": ["accept_control_total", "meet_control_total"]}, "agency_ceiling": 1},
	},
	"systems": {"QXU": {"control_total": control_total}},
}

_input(plans, control_total) := {
	"year": "2019/20",
	"plans": plans,
	# The system file's own member list does not decide the sum.
	"systems": {"QXU": {"kind": "system", "org": "QXU", "members": ["RTK"]}},
	"organisations": _organisations,
	"register": _register(control_total),
}

_finding(orgs, message) := {
	"rule": "C03", "severity": "error", "org": "QXU", "doc": "register", "scope": "system",
	"orgs": array.concat(["QXU"], orgs), "month": 0,
	"path": ["systems", "QXU", "control_total"],
	"related": [{"org": m, "path": ["finance", "surplus"]} | some m in orgs],
	"message": message,
}

test_success_members_meet_control_total if {
	count(c03.findings) == 0 with input as _input(_plans, -4000)
}

test_success_exactly_at_control_total if {
	count(c03.findings) == 0 with input as _input(_plans, -3000)
}

test_success_no_register if {
	i := object.remove(_input(_plans, 0), ["register"])
	count(c03.findings) == 0 with input as i
}

test_fail_one_short if {
	c03.findings == {_finding(
		["09N", "RA2", "RTK"],
		"QXU's members plan a combined surplus of £-3,000k before sustainability funding (09N £2,500k, RA2 £-3,500k, RTK £-2,000k): £1k short of the system control total of £-2,999k in the register",
	)} with input as _input(_plans, -2999)
}

# The issue's case: £7m of sustainability funding the members earn would have
# covered a £1m shortfall when it was (wrongly) added to their surpluses.
test_fail_short_before_sustainability_funding if {
	c03.findings == {_finding(
		["09N", "RA2", "RTK"],
		"QXU's members plan a combined surplus of £-3,000k before sustainability funding (09N £2,500k, RA2 £-3,500k, RTK £-2,000k): £1,000k short of the system control total of £-2,000k in the register",
	)} with input as _input(_plans, -2000)
}

test_fail_member_without_plan if {
	c03.findings == {_finding(
		["09N", "RTK"],
		"QXU's members plan a combined surplus of £500k before sustainability funding (09N £2,500k, RTK £-2,000k): £500k short of the system control total of £1,000k in the register; no plan from RA2",
	)} with input as _input(object.remove(_plans, ["RA2"]), 1000)
}
