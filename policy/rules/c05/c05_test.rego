package triangulate.rules.c05_test

import data.triangulate.rules.c05

_register := {
	"providers": {"RTK": {
		"control_total": -7500,
		"sustainability_funding": {"amount": 6000, "conditions": ["accept_control_total"]},
		"agency_ceiling": 6000,
	}},
	"commissioners": {"09N": {"allocation": 540000, "allocation_prior_year": 511364, "required_surplus": 0}},
	"systems": {"QXU": {"control_total": -22500}},
}

_input := {
	"year": "2019/20",
	"plans": {
		"RTK": {"kind": "provider", "org": "RTK", "finance": {"surplus": -7500, "income": {"other": 24000}}},
		"09N": {"kind": "commissioner", "org": "09N", "finance": {"surplus": 0}},
	},
	"systems": {"QXU": {"kind": "system", "org": "QXU", "members": ["RTK", "09N"]}},
	"register": _register,
}

_with(patch) := json.patch(_input, patch)

_finding(org, path, related, message) := {
	"rule": "C05", "severity": "error", "org": org, "orgs": [org], "month": 0,
	"path": path, "related": related, "message": message,
}

test_success_no_figures_stated if {
	count(c05.findings) == 0 with input as _input
}

test_fail_provider_states_control_total if {
	c05.findings == {_finding(
		"RTK", ["finance", "control_total"],
		[{"org": "RTK", "doc": "register", "path": ["providers", "RTK", "control_total"]}],
		"RTK's plan states its own control total of £-12,000k; the control total is set by the regulator, and the 2019/20 register sets RTK's at £-7,500k: remove the line (a plan records only the board's decision)",
	)} with input as _with([{"op": "add", "path": "/plans/RTK/finance/control_total", "value": -12000}])
}

test_fail_provider_states_sustainability_funding if {
	c05.findings == {_finding(
		"RTK", ["finance", "income", "sustainability_funding"],
		[{"org": "RTK", "doc": "register", "path": ["providers", "RTK", "sustainability_funding", "amount"]}],
		"RTK's plan states its own sustainability funding of £9,000k; the sustainability funding is set by the regulator, and the 2019/20 register sets RTK's at £6,000k: remove the line (a plan records only the board's decision)",
	)} with input as _with([{"op": "add", "path": "/plans/RTK/finance/income/sustainability_funding", "value": 9000}])
}

test_fail_provider_states_agency_ceiling if {
	c05.findings == {_finding(
		"RTK", ["finance", "agency_ceiling"],
		[{"org": "RTK", "doc": "register", "path": ["providers", "RTK", "agency_ceiling"]}],
		"RTK's plan states its own agency ceiling of £8,000k; the agency ceiling is set by the regulator, and the 2019/20 register sets RTK's at £6,000k: remove the line (a plan records only the board's decision)",
	)} with input as _with([{"op": "add", "path": "/plans/RTK/finance/agency_ceiling", "value": 8000}])
}

test_fail_commissioner_states_allocation_and_required_surplus if {
	c05.findings == {
		_finding(
			"09N", ["finance", "allocation"],
			[{"org": "09N", "doc": "register", "path": ["commissioners", "09N", "allocation"]}],
			"09N's plan states its own allocation of £560,000k; the allocation is set by the regulator, and the 2019/20 register sets 09N's at £540,000k: remove the line (a plan records only the board's decision)",
		),
		_finding(
			"09N", ["finance", "required_surplus"],
			[{"org": "09N", "doc": "register", "path": ["commissioners", "09N", "required_surplus"]}],
			"09N's plan states its own required surplus of £-1,000k; the required surplus is set by the regulator, and the 2019/20 register sets 09N's at £0k: remove the line (a plan records only the board's decision)",
		),
	} with input as _with([
		{"op": "add", "path": "/plans/09N/finance/allocation", "value": 560000},
		{"op": "add", "path": "/plans/09N/finance/required_surplus", "value": -1000},
	])
}

test_fail_system_file_states_control_total if {
	c05.findings == {_finding(
		"QXU", ["control_total"],
		[{"org": "QXU", "doc": "register", "path": ["systems", "QXU", "control_total"]}],
		"QXU's plan states its own control total of £-30,000k; the control total is set by the regulator, and the 2019/20 register sets QXU's at £-22,500k: remove the line (a plan records only the board's decision)",
	)} with input as _with([{"op": "add", "path": "/systems/QXU/control_total", "value": -30000}])
}

test_fail_no_register_entry if {
	c05.findings == {_finding(
		"RTK", ["org"], [],
		"RTK has a provider plan for 2019/20 but no entry in the 2019/20 register (policy/register/2019-20.cue), so the figures it is judged against are unknown",
	)} with input as _with([{"op": "remove", "path": "/register/providers/RTK"}])
}

test_fail_no_register_at_all if {
	fs := c05.findings with input as object.remove(_input, ["register"])
	{f.org | some f in fs} == {"RTK", "09N", "QXU"}
	count(fs) == 3
}

test_fail_figure_stated_and_no_entry if {
	c05.findings == {
		_finding(
			"RTK", ["finance", "control_total"], [],
			"RTK's plan states its own control total of £-12,000k; the control total is set by the regulator, and the 2019/20 register has none for RTK: remove the line (a plan records only the board's decision)",
		),
		_finding(
			"RTK", ["org"], [],
			"RTK has a provider plan for 2019/20 but no entry in the 2019/20 register (policy/register/2019-20.cue), so the figures it is judged against are unknown",
		),
	} with input as _with([
		{"op": "remove", "path": "/register/providers/RTK"},
		{"op": "add", "path": "/plans/RTK/finance/control_total", "value": -12000},
	])
}
