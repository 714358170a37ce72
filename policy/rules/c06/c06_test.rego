package triangulate.rules.c06_test

import data.triangulate.rules.c06

_organisations := {
	"QXU": {"type": "system"},
	"QYY": {"type": "system"},
	"RTK": {"type": "trust", "system": "QXU"},
	"RA2": {"type": "trust", "system": "QXU"},
	"09N": {"type": "ccg", "system": "QXU"},
	"RXX": {"type": "trust", "system": "QYY"},
}

_trust(control_total) := {
	"control_total": control_total,
	"sustainability_funding": {"amount": 1000, "conditions": ["accept_control_total", "meet_control_total"]},
	"agency_ceiling": 1000,
}

# Members sum to -7,500 + -4,000 + 1,000 = -10,500; RXX, in another system,
# is not counted.
_register := {
	"providers": {"RTK": _trust(-7500), "RA2": _trust(-4000), "RXX": _trust(-2000)},
	"commissioners": {"09N": {"allocation": 540000, "allocation_prior_year": 511364, "required_surplus": 1000}},
	"systems": {"QXU": {"control_total": -10500}},
}

_input(register) := {"year": "2019/20", "plans": {}, "systems": {}, "organisations": _organisations, "register": register}

_with_system_total(control_total) := object.union(_register, {"systems": {"QXU": {"control_total": control_total}}})

_related := [
	{"org": "09N", "doc": "register", "path": ["commissioners", "09N", "required_surplus"]},
	{"org": "RA2", "doc": "register", "path": ["providers", "RA2", "control_total"]},
	{"org": "RTK", "doc": "register", "path": ["providers", "RTK", "control_total"]},
]

_finding(related, message) := {
	"rule": "C06", "severity": "error", "org": "QXU", "orgs": ["QXU"], "month": 0,
	"doc": "register", "scope": "system", "path": ["systems", "QXU", "control_total"],
	"related": related, "message": message,
}

test_success_equals_members_sum if {
	count(c06.findings) == 0 with input as _input(_register)
}

test_success_no_register if {
	count(c06.findings) == 0 with input as object.remove(_input(_register), ["register"])
}

test_fail_one_below_members_sum if {
	c06.findings == {_finding(_related, "QXU's control total in the register is £-10,501k, but its members' control totals and required surpluses sum to £-10,500k (09N £1,000k, RA2 £-4,000k, RTK £-7,500k): £1k apart")} with input as _input(_with_system_total(-10501))
}

test_fail_one_above_members_sum if {
	c06.findings == {_finding(_related, "QXU's control total in the register is £-10,499k, but its members' control totals and required surpluses sum to £-10,500k (09N £1,000k, RA2 £-4,000k, RTK £-7,500k): £1k apart")} with input as _input(_with_system_total(-10499))
}

# A member rebased without moving the system's figure.
test_fail_member_rebased if {
	r := object.union(_register, {"providers": {"RTK": _trust(-9000)}})
	c06.findings == {_finding(_related, "QXU's control total in the register is £-10,500k, but its members' control totals and required surpluses sum to £-12,000k (09N £1,000k, RA2 £-4,000k, RTK £-9,000k): £1,500k apart")} with input as _input(r)
}

test_fail_member_missing_from_register if {
	r := object.union(object.remove(_register, ["providers"]), {"providers": {"RTK": _trust(-7500)}})
	c06.findings == {_finding(
		[_related[0], _related[2]],
		"QXU's control total in the register is £-10,500k, but its members' control totals and required surpluses sum to £-6,500k (09N £1,000k, RTK £-7,500k): £4,000k apart; no figure in the register for RA2, counted as £0k",
	)} with input as _input(r)
}

test_success_missing_member_zero_in_system_total if {
	r := object.union(object.remove(_register, ["providers"]), {"providers": {"RTK": _trust(-7500)}, "systems": {"QXU": {"control_total": -6500}}})
	count(c06.findings) == 0 with input as _input(r)
}
