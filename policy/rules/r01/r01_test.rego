package triangulate.rules.r01_test

import data.triangulate.rules.r01

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

_flow(months) := {"total": sum(months), "months": months}

# RTK's activity with 09Y was 12,000 first outpatient attendances (£160
# each) and 4,800 diagnostic tests (£100) in 2018/19: £2,400k at unit
# prices, against £2,400k of income. Referrals are not priced and never
# count. 99H's contract is steady and in line throughout.
_input(income_09y, op_first_month, diagnostics_month) := {"year": "2019/20", "plans": {
	"RTK": {
		"kind": "provider",
		"org": "RTK",
		"year": "2019/20",
		"activity": {
			"09Y": {
				"gp_referrals": _flow(_twelve(3000)),
				"op_first": _flow(_twelve(op_first_month)),
				"diagnostics": _flow(_twelve(diagnostics_month)),
			},
			"99H": {"op_first": _flow(_twelve(102))},
		},
		"finance": {"income": {"by_commissioner": {
			"09Y": {"total": income_09y, "months": _twelve(income_09y / 12)},
			"99H": {"total": 200, "months": _twelve(200 / 12)},
		}}},
		"prior_year": {
			"year": "2018/19",
			"activity": {
				"09Y": {"gp_referrals": 30000, "op_first": 12000, "diagnostics": 4800},
				"99H": {"op_first": 1200},
			},
			"income": {"09Y": 2400, "99H": 192},
		},
	},
	"09Y": {"kind": "commissioner", "org": "09Y", "year": "2019/20", "contracts": {}},
}}

_findings(case) := fs if {
	fs := r01.findings with input as case
}

_finding(message) := {
	"rule": "R01", "severity": "warning", "org": "RTK", "orgs": ["RTK", "09Y"],
	"path": ["finance", "income", "by_commissioner", "09Y", "total"], "month": 0,
	"related": [{"org": "RTK", "path": ["activity", "09Y"]}],
	"message": message,
}

test_success_income_follows_activity if {
	# Activity up 2% (12,240 first attendances, 4,896 tests), income up 4.5%.
	count(_findings(_input(2508, 1020, 408))) == 0
}

test_success_exactly_at_upper_bound if {
	# Activity flat, income up 5.5%: a gap of exactly 2.5 + 3 points.
	count(_findings(_input(2532, 1000, 400))) == 0
}

test_success_exactly_at_lower_bound if {
	# Activity flat, income down 0.5%: a gap of exactly 2.5 - 3 points.
	count(_findings(_input(2388, 1000, 400))) == 0
}

test_fail_just_above_upper_bound if {
	_findings(_input(2533, 1000, 400)) == {_finding("RTK plans £2,533k of income from 09Y, up 5.5% on £2,400k in 2018/19, but its activity with 09Y valued at national unit prices is up 0.0% (£2,400k against £2,400k): income growth minus activity growth is +5.54 points, outside the tariff uplift of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_fail_just_below_lower_bound if {
	_findings(_input(2387, 1000, 400)) == {_finding("RTK plans £2,387k of income from 09Y, down 0.5% on £2,400k in 2018/19, but its activity with 09Y valued at national unit prices is up 0.0% (£2,400k against £2,400k): income growth minus activity growth is -0.54 points, outside the tariff uplift of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_fail_income_up_8_pct_with_activity_unchanged if {
	_findings(_input(2592, 1000, 400)) == {_finding("RTK plans £2,592k of income from 09Y, up 8.0% on £2,400k in 2018/19, but its activity with 09Y valued at national unit prices is up 0.0% (£2,400k against £2,400k): income growth minus activity growth is +8.0 points, outside the tariff uplift of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_fail_activity_up_8_pct_with_income_flat if {
	# 13,200 first attendances: £2,592k of activity.
	_findings(_input(2400, 1100, 400)) == {_finding("RTK plans £2,400k of income from 09Y, up 0.0% on £2,400k in 2018/19, but its activity with 09Y valued at national unit prices is up 8.0% (£2,592k against £2,400k): income growth minus activity growth is -8.0 points, outside the tariff uplift of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_fail_line_left_out_counts_as_zero if {
	# Diagnostics dropped from the plan: activity down to £1,920k.
	case := json.remove(_input(2460, 1000, 400), ["plans/RTK/activity/09Y/diagnostics"])
	_findings(case) == {_finding("RTK plans £2,460k of income from 09Y, up 2.5% on £2,400k in 2018/19, but its activity with 09Y valued at national unit prices is down 20.0% (£1,920k against £2,400k): income growth minus activity growth is +22.5 points, outside the tariff uplift of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_success_without_prior_income if {
	case := json.remove(_input(2592, 1000, 400), ["plans/RTK/prior_year/income/09Y"])
	count(_findings(case)) == 0
}

test_success_with_zero_prior_income if {
	case := json.patch(_input(2592, 1000, 400), [{"op": "replace", "path": "/plans/RTK/prior_year/income/09Y", "value": 0}])
	count(_findings(case)) == 0
}

test_success_without_priced_prior_activity if {
	# Only referrals in 2018/19: no priced activity to grow from.
	case := json.patch(_input(2592, 1000, 400), [{
		"op": "replace", "path": "/plans/RTK/prior_year/activity/09Y",
		"value": {"gp_referrals": 30000},
	}])
	count(_findings(case)) == 0
}

test_fail_each_commissioner_on_its_own if {
	# 99H's income up 25% on flat activity is its own finding; 09Y's is fine.
	case := json.patch(_input(2508, 1020, 408), [{"op": "replace", "path": "/plans/RTK/prior_year/income/99H", "value": 160}])
	_findings(case) == {{
		"rule": "R01", "severity": "warning", "org": "RTK", "orgs": ["RTK", "99H"],
		"path": ["finance", "income", "by_commissioner", "99H", "total"], "month": 0,
		"related": [{"org": "RTK", "path": ["activity", "99H"]}],
		"message": "RTK plans £200k of income from 99H, up 25.0% on £160k in 2018/19, but its activity with 99H valued at national unit prices is up 2.0% (£196k against £192k): income growth minus activity growth is +23.0 points, outside the tariff uplift of 2.5% plus or minus 3 points (-0.5 to 5.5)",
	}}
}
