package triangulate.rules.b07_test

import data.triangulate.rules.b07

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

_flow(months) := {"total": sum(months), "months": months}

# RTK had 60,000 non-elective spells and 150,000 A&E attendances in 2018/19,
# from two commissioners; 09N's monthly plan varies, 09Y's is 1,000 spells and
# 2,500 attendances a month.
_findings(non_elective_09n, ae_09n, trend) := fs if {
	fs := b07.findings with input as {"year": "2019/20", "plans": {"RTK": {
		"kind": "provider",
		"org": "RTK",
		"year": "2019/20",
		"activity": {
			"09N": {
				"non_elective": _flow(_twelve(non_elective_09n)),
				"ae_total": _flow(_twelve(ae_09n)),
			},
			"09Y": {
				"non_elective": _flow(_twelve(1000)),
				"ae_total": _flow(_twelve(2500)),
			},
		},
		"prior_year": {
			"year": "2018/19",
			"activity": {
				"09N": {"non_elective": 48000, "ae_total": 120000},
				"09Y": {"non_elective": 12000, "ae_total": 30000},
			},
			"growth_pct": trend,
		},
	}}}
}

_finding(line, message) := {
	"rule": "B07", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["prior_year", "growth_pct", line], "month": 0, "related": [], "message": message,
}

test_success_growth_in_line_with_trend if {
	# 61,800 spells and 154,500 attendances: 3% growth after 4% last year.
	count(_findings(4150, 10375, {"non_elective": 4, "ae_total": 4})) == 0
}

test_success_exactly_at_threshold if {
	# 61,200 and 153,000 are 2% growth, exactly 2 points below 4%.
	count(_findings(4100, 10250, {"non_elective": 4, "ae_total": 4})) == 0
}

test_success_without_prior_growth if {
	count(_findings(4000, 10000, {})) == 0
}

test_fail_non_elective_flat_after_growth if {
	_findings(4000, 10375, {"non_elective": 4, "ae_total": 4}) == {_finding(
		"non_elective",
		"RTK plans growth of 0.0% in non-elective spells (E.M.11) (60,000 against 60,000 in 2018/19) after growth of 4.0% in 2018/19: 4.0 points lower, more than 2",
	)}
}

test_fail_ae_just_below_threshold if {
	# 152,988 attendances: 1.99% growth, 2.01 points below 4%.
	_findings(4150, 10249, {"non_elective": 4, "ae_total": 4}) == {_finding(
		"ae_total",
		"RTK plans growth of 1.99% in A&E attendances (E.M.12+E.M.13) (152,988 against 150,000 in 2018/19) after growth of 4.00% in 2018/19: 2.01 points lower, more than 2",
	)}
}

test_fail_both_lines_falling if {
	# 58,800 spells and 147,000 attendances: -2% after 1.5% and 0.5%.
	_findings(3900, 9750, {"non_elective": 1.5, "ae_total": 0.5}) == {
		_finding(
			"non_elective",
			"RTK plans growth of -2.0% in non-elective spells (E.M.11) (58,800 against 60,000 in 2018/19) after growth of 1.5% in 2018/19: 3.5 points lower, more than 2",
		),
		_finding(
			"ae_total",
			"RTK plans growth of -2.0% in A&E attendances (E.M.12+E.M.13) (147,000 against 150,000 in 2018/19) after growth of 0.5% in 2018/19: 2.5 points lower, more than 2",
		),
	}
}
