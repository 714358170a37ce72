package triangulate.rules.n04_test

import data.triangulate.rules.n04

_commissioner(spend, prior) := {"kind": "commissioner", "finance": {"surplus": 0, "mental_health": spend}, "prior_year": {"mental_health": prior}}

# 09N's allocation grows 8% (500,000 to 540,000): its mental health spend of
# 50,000 must reach 54,000. 09Y's grows 5%. The trust has no such line.
_plans(spend) := {
	"09N": _commissioner(spend, 50000),
	"09Y": _commissioner(63000, 60000),
	"RTK": {"kind": "provider", "finance": {"surplus": 0}},
}

_register(asks) := {
	"commissioners": {
		"09N": {"allocation": 540000, "allocation_prior_year": 500000, "required_surplus": 0},
		"09Y": {"allocation": 630000, "allocation_prior_year": 600000, "required_surplus": 0},
	},
	"national_asks": asks,
}

_input(plans, asks) := {"year": "2019/20", "plans": plans, "systems": {}, "organisations": {}, "register": _register(asks)}

_ask := {"mental_health_investment_standard": true}

_finding(code, message) := {
	"rule": "N04", "severity": "warning", "org": code, "orgs": [code], "month": 0,
	"scope": "national", "path": ["finance", "mental_health"],
	"related": [{"org": code, "doc": "register", "path": ["commissioners", code, "allocation"]}],
	"message": message,
}

test_success_faster_than_allocation if {
	count(n04.findings) == 0 with input as _input(_plans(55000), _ask)
}

test_success_exactly_allocation_growth if {
	count(n04.findings) == 0 with input as _input(_plans(54000), _ask)
}

test_success_ask_absent if {
	count(n04.findings) == 0 with input as _input(_plans(40000), {"provider_sector_surplus_min": 0})
}

test_success_ask_false if {
	count(n04.findings) == 0 with input as _input(_plans(40000), {"mental_health_investment_standard": false})
}

test_success_ccg_not_in_register if {
	plans := object.union(_plans(54000), {"99H": _commissioner(1000, 2000)})
	count(n04.findings) == 0 with input as _input(plans, _ask)
}

test_fail_one_below_allocation_growth if {
	n04.findings == {_finding("09N", "09N plans mental health spend of £53,999k, up 7.998% on £50,000k in the prior year, while its allocation grows 8.000% (£500,000k to £540,000k): the mental health investment standard needs at least £54,000k, £1k more")} with input as _input(_plans(53999), _ask)
}

test_fail_each_ccg_separately if {
	plans := object.union(_plans(49000), {"09Y": _commissioner(62000, 60000)})
	n04.findings == {
		_finding("09N", "09N plans mental health spend of £49,000k, down 2.0% on £50,000k in the prior year, while its allocation grows 8.0% (£500,000k to £540,000k): the mental health investment standard needs at least £54,000k, £5,000k more"),
		_finding("09Y", "09Y plans mental health spend of £62,000k, up 3.3% on £60,000k in the prior year, while its allocation grows 5.0% (£600,000k to £630,000k): the mental health investment standard needs at least £63,000k, £1,000k more"),
	} with input as _input(plans, _ask)
}

test_fail_flat_spend if {
	n04.findings == {_finding("09N", "09N plans mental health spend of £50,000k, unchanged on £50,000k in the prior year, while its allocation grows 8.0% (£500,000k to £540,000k): the mental health investment standard needs at least £54,000k, £4,000k more")} with input as _input(_plans(50000), _ask)
}
