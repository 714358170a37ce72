package triangulate.rules.b04_test

import data.triangulate.rules.b04

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

_flow(months) := {"total": sum(months), "months": months}

# RTK plans 78,000 spells and attendances a year plus 12 x ae_09y A&E
# attendances from 09Y, against 77,000 in 2018/19: ae_09y = 45 is exactly
# 2% growth. GP referrals are not activity delivered and never count. Its
# pay bill is £325,000k, so each point of activity growth over WTE growth
# needs £3,250k of productivity schemes.
_input(ae_09y, wte, prior_wte, schemes) := {"year": "2019/20", "plans": {"RTK": {
	"kind": "provider",
	"org": "RTK",
	"year": "2019/20",
	"activity": {
		"09N": {
			"gp_referrals": _flow(_twelve(5000)),
			"elective": _flow(_twelve(500)),
			"non_elective": _flow(_twelve(400)),
			"op_first": _flow(_twelve(1500)),
			"op_followup": _flow(_twelve(3000)),
			"ae_total": _flow(_twelve(1000)),
		},
		"09Y": {
			"non_elective": _flow(_twelve(100)),
			"ae_total": _flow(_twelve(ae_09y)),
		},
	},
	"workforce": {"total": wte},
	"finance": {
		"expenditure": {"pay": {"substantive": 300000, "bank": 15000, "agency": 10000}},
		"cip": {"schemes": schemes},
	},
	"prior_year": object.union(
		{"year": "2018/19", "growth_pct": {}, "activity": {
			"09N": {
				"gp_referrals": 9999, "elective": 6000, "non_elective": 4700,
				"op_first": 17500, "op_followup": 35000, "ae_total": 11500,
			},
			"09Y": {"non_elective": 1200, "ae_total": 1100},
		}},
		prior_wte,
	),
}}}

_flat_wte := _twelve(6500)

_falling_wte := [6520, 6510, 6500, 6490, 6480, 6470, 6460, 6450, 6440, 6430, 6420, 6410]

_workforce_schemes := [{"name": "Rostering", "category": "workforce", "recurrent": true, "value": 2000}]

_findings(case) := fs if {
	fs := b04.findings with input as case
}

_finding(message) := {
	"rule": "B04", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["workforce", "total"], "month": 0, "related": [], "message": message,
}

test_success_growth_exactly_at_threshold if {
	count(_findings(_input(45, _flat_wte, {"wte": 6500}, _workforce_schemes))) == 0
}

test_success_growth_with_more_staff if {
	# 6 more WTE in March lifts the average half a WTE above last year's.
	more := array.concat(array.slice(_flat_wte, 0, 11), [6506])
	count(_findings(_input(100, more, {"wte": 6500}, _workforce_schemes))) == 0
}

test_success_growth_covered_by_productivity_schemes if {
	# 2.9% growth with flat WTE needs £9,286k of productivity schemes.
	schemes := array.concat(_workforce_schemes, [
		{"name": "Theatre utilisation", "category": "productivity", "recurrent": true, "value": 5000},
		{"name": "Length of stay", "category": "productivity", "recurrent": true, "value": 4300},
	])
	count(_findings(_input(100, _flat_wte, {"wte": 6500}, schemes))) == 0
}

test_success_without_prior_wte if {
	count(_findings(_input(100, _flat_wte, {}, _workforce_schemes))) == 0
}

test_fail_growth_just_above_threshold_with_flat_wte if {
	_findings(_input(46, _flat_wte, {"wte": 6500}, _workforce_schemes)) == {_finding("RTK plans 2.02% more activity than in 2018/19 (78,552 elective and non-elective spells, outpatient and A&E attendances against 77,000), above 2%, with 6,500 WTE on average against 6,500 in 2018/19 and no productivity savings in its CIP: the 2.02-point gap between activity and WTE growth on its £325,000k pay bill needs £6,551k of productivity")}
}

test_fail_growth_with_falling_wte if {
	# 78,000 + 1,200 = 79,200 against 77,000 is 2.9% growth, and 6,465 WTE
	# against 6,500 is 0.5% fewer: a 3.4-point gap.
	_findings(_input(100, _falling_wte, {"wte": 6500}, [])) == {_finding("RTK plans 2.9% more activity than in 2018/19 (79,200 elective and non-elective spells, outpatient and A&E attendances against 77,000), above 2%, with 6,465 WTE on average against 6,500 in 2018/19 and no productivity savings in its CIP: the 3.4-point gap between activity and WTE growth on its £325,000k pay bill needs £11,036k of productivity")}
}

test_fail_falling_wte_widens_the_gap if {
	# The £9,300k that covers 2.9% growth with flat WTE falls short once WTE
	# falls too.
	schemes := [{"name": "Theatre utilisation", "category": "productivity", "recurrent": true, "value": 9300}]
	_findings(_input(100, _falling_wte, {"wte": 6500}, schemes)) == {_finding("RTK plans 2.9% more activity than in 2018/19 (79,200 elective and non-elective spells, outpatient and A&E attendances against 77,000), above 2%, with 6,465 WTE on average against 6,500 in 2018/19: its productivity schemes come to £9,300k, short of the £11,036k that the 3.4-point gap between activity and WTE growth is worth on its £325,000k pay bill")}
}

test_fail_any_productivity_scheme_no_longer_excuses_growth if {
	# A £1,500k productivity scheme is far short of the £9,286k 2.9% growth
	# with flat WTE needs.
	schemes := array.concat(_workforce_schemes, [{"name": "Theatre utilisation", "category": "productivity", "recurrent": true, "value": 1500}])
	_findings(_input(100, _flat_wte, {"wte": 6500}, schemes)) == {_finding("RTK plans 2.9% more activity than in 2018/19 (79,200 elective and non-elective spells, outpatient and A&E attendances against 77,000), above 2%, with 6,500 WTE on average against 6,500 in 2018/19: its productivity schemes come to £1,500k, short of the £9,286k that the 2.9-point gap between activity and WTE growth is worth on its £325,000k pay bill")}
}

# _four_pct is 78,000 against 75,000 once 2,000 fewer follow-ups are taken
# out of 2018/19: exactly 4% growth, which with flat WTE needs exactly
# £13,000k of productivity schemes.
_four_pct(schemes) := json.patch(_input(0, _flat_wte, {"wte": 6500}, schemes), [{
	"op": "replace", "path": "/plans/RTK/prior_year/activity/09N/op_followup", "value": 33000,
}])

_productivity(a, b) := [
	{"name": "Theatre utilisation", "category": "productivity", "recurrent": true, "value": a},
	{"name": "Rostering", "category": "workforce", "recurrent": true, "value": 20000},
	{"name": "Outpatient redesign", "category": "productivity", "recurrent": false, "value": b},
]

test_success_productivity_exactly_covers_the_gap if {
	count(_findings(_four_pct(_productivity(8000, 5000)))) == 0
}

test_fail_productivity_just_short_of_the_gap if {
	_findings(_four_pct(_productivity(8000, 4999))) == {_finding("RTK plans 4.0% more activity than in 2018/19 (78,000 elective and non-elective spells, outpatient and A&E attendances against 75,000), above 2%, with 6,500 WTE on average against 6,500 in 2018/19: its productivity schemes come to £12,999k, short of the £13,000k that the 4.0-point gap between activity and WTE growth is worth on its £325,000k pay bill")}
}

test_fail_whole_percent_growth if {
	_findings(_four_pct([])) == {_finding("RTK plans 4.0% more activity than in 2018/19 (78,000 elective and non-elective spells, outpatient and A&E attendances against 75,000), above 2%, with 6,500 WTE on average against 6,500 in 2018/19 and no productivity savings in its CIP: the 4.0-point gap between activity and WTE growth on its £325,000k pay bill needs £13,000k of productivity")}
}

# The average WTE exactly at last year's, in decimals, is flat: the rule
# goes on to the activity.
test_fail_flat_decimal_wte if {
	fs := _findings(_input(46, _twelve(6500.5), {"wte": 6500.5}, _workforce_schemes))
	[f.org | some f in fs] == ["RTK"]
}

# One more WTE in March puts the average a twelfth of a WTE above last
# year's: growing staff, nothing to cover.
test_success_wte_a_twelfth_above if {
	more := array.concat(array.slice(_flat_wte, 0, 11), [6501])
	count(_findings(_input(100, more, {"wte": 6500}, []))) == 0
}
