package triangulate.rules.r02_test

import data.triangulate.rules.r02

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

# RTK's pay bill is `pay` (£000: £15,000k bank, £10,000k agency, the rest
# substantive) for `wte` WTE a month; in 2018/19 it paid `prior_pay` for
# 6,500 WTE on average.
_input(pay, wte, prior_pay) := {"year": "2019/20", "plans": {
	"RTK": {
		"kind": "provider",
		"org": "RTK",
		"year": "2019/20",
		"workforce": {"total": wte},
		"finance": {"expenditure": {
			"pay": {"substantive": pay - 25000, "bank": 15000, "agency": 10000},
			"non_pay": 150000,
		}},
		"prior_year": {"year": "2018/19", "pay": prior_pay, "wte": 6500},
	},
	"09N": {"kind": "commissioner", "org": "09N", "year": "2019/20", "finance": {"surplus": 0}},
}}

_flat := _twelve(6500)

_findings(case) := fs if {
	fs := r02.findings with input as case
}

_per_wte(message) := {
	"rule": "R02", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["workforce", "total"], "month": 0,
	"related": [{"org": "RTK", "path": ["finance", "expenditure", "pay"]}],
	"message": message,
}

_growth(message) := {
	"rule": "R02", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["finance", "expenditure", "pay"], "month": 0,
	"related": [{"org": "RTK", "path": ["workforce", "total"]}],
	"message": message,
}

test_success_pay_follows_workforce if {
	# £50k per WTE; pay up 2.5% with WTE flat.
	count(_findings(_input(328000, _flat, 320000))) == 0
}

test_success_pay_per_wte_exactly_at_maximum if {
	# £75k per WTE; pay up 2.6%.
	count(_findings(_input(487500, _flat, 475000))) == 0
}

test_fail_pay_per_wte_just_above_maximum if {
	_findings(_input(487565, _flat, 475000)) == {_per_wte("RTK plans a pay bill of £487,565k (substantive, bank and agency) for 6,500 WTE on average: £75.01k per WTE, outside £35k to £75k")}
}

test_success_pay_per_wte_exactly_at_minimum if {
	# £35k per WTE; pay up 2.5%.
	count(_findings(_input(227500, _flat, 222000))) == 0
}

test_fail_pay_per_wte_just_below_minimum if {
	_findings(_input(227435, _flat, 222000)) == {_per_wte("RTK plans a pay bill of £227,435k (substantive, bank and agency) for 6,500 WTE on average: £34.99k per WTE, outside £35k to £75k")}
}

test_success_growth_gap_exactly_at_upper_bound if {
	# Pay up 5.5% with WTE flat: exactly 2.5 + 3 points.
	count(_findings(_input(337600, _flat, 320000))) == 0
}

test_fail_growth_gap_just_above_upper_bound if {
	_findings(_input(337632, _flat, 320000)) == {_growth("RTK plans a pay bill of £337,632k, up 5.5% on £320,000k in 2018/19, with 6,500 WTE on average, up 0.0% on 6,500: pay growth minus WTE growth is +5.51 points, outside the pay award of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_success_growth_gap_exactly_at_lower_bound if {
	# Pay down 0.5% with WTE flat: exactly 2.5 - 3 points.
	count(_findings(_input(318400, _flat, 320000))) == 0
}

test_fail_growth_gap_just_below_lower_bound if {
	_findings(_input(318368, _flat, 320000)) == {_growth("RTK plans a pay bill of £318,368k, down 0.5% on £320,000k in 2018/19, with 6,500 WTE on average, up 0.0% on 6,500: pay growth minus WTE growth is -0.51 points, outside the pay award of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_fail_pay_moved_to_non_pay_with_wte_unchanged if {
	# The issue's case: £20m of the £328,000k moved to non-pay.
	_findings(_input(308000, _flat, 320000)) == {_growth("RTK plans a pay bill of £308,000k, down 3.8% on £320,000k in 2018/19, with 6,500 WTE on average, up 0.0% on 6,500: pay growth minus WTE growth is -3.8 points, outside the pay award of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_success_pay_grows_with_wte if {
	# WTE up 2% through the year on average (6,630), pay up 4.5%.
	count(_findings(_input(334400, _twelve(6630), 320000))) == 0
}

test_fail_wte_grows_without_pay if {
	# 6,630 WTE (up 2%) paid the same £320,000k: -2 points.
	_findings(_input(320000, _twelve(6630), 320000)) == {_growth("RTK plans a pay bill of £320,000k, up 0.0% on £320,000k in 2018/19, with 6,630 WTE on average, up 2.0% on 6,500: pay growth minus WTE growth is -2.0 points, outside the pay award of 2.5% plus or minus 3 points (-0.5 to 5.5)")}
}

test_fail_both_findings if {
	# £80k per WTE and pay up 60%: two findings on two lines.
	_findings(_input(520000, _flat, 325000)) == {
		_per_wte("RTK plans a pay bill of £520,000k (substantive, bank and agency) for 6,500 WTE on average: £80.0k per WTE, outside £35k to £75k"),
		_growth("RTK plans a pay bill of £520,000k, up 60.0% on £325,000k in 2018/19, with 6,500 WTE on average, up 0.0% on 6,500: pay growth minus WTE growth is +60.0 points, outside the pay award of 2.5% plus or minus 3 points (-0.5 to 5.5)"),
	}
}

test_success_without_prior_wte if {
	case := json.remove(_input(308000, _flat, 320000), ["plans/RTK/prior_year/wte"])
	count(_findings(case)) == 0
}

test_success_without_prior_pay if {
	case := json.patch(_input(308000, _flat, 320000), [{"op": "replace", "path": "/plans/RTK/prior_year/pay", "value": 0}])
	count(_findings(case)) == 0
}

test_success_without_wte if {
	# No WTE planned (and none the year before): no pay per WTE and no WTE
	# growth to judge.
	case := json.remove(_input(328000, _twelve(0), 320000), ["plans/RTK/prior_year/wte"])
	count(_findings(case)) == 0
}
