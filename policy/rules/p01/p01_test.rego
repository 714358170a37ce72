package triangulate.rules.p01_test

import data.triangulate.rules.p01

twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

trajectory(numerator) := {"numerator": numerator, "denominator": twelve(1000)}

# Meets every standard: A&E 95.5%, RTT 92.5%, cancer 86%, diagnostics 0.8%.
performance := {
	"ae_4h": trajectory(twelve(955)),
	"rtt_18w": trajectory(twelve(925)),
	"cancer_62d": trajectory(twelve(860)),
	"diagnostics_6w": trajectory(twelve(8)),
}

plans(changes) := {"year": "2019/20", "plans": {"RTK": {
	"kind": "provider", "org": "RTK",
	"performance": object.union(performance, changes),
}}}

test_success_standards_met if {
	count(p01.findings) == 0 with input as plans({})
}

test_success_below_but_recovering if {
	count(p01.findings) == 0 with input as plans({"ae_4h": trajectory([880, 880, 885, 890, 895, 900, 900, 905, 910, 915, 920, 925])})
}

test_success_one_month_at_standard if {
	count(p01.findings) == 0 with input as plans({"rtt_18w": trajectory([900, 900, 900, 900, 900, 920, 900, 900, 900, 900, 900, 890])})
}

test_success_month_without_patients if {
	count(p01.findings) == 0 with input as plans({"cancer_62d": {
		"numerator": [800, 800, 800, 800, 800, 800, 0, 800, 800, 800, 800, 800],
		"denominator": [1000, 1000, 1000, 1000, 1000, 1000, 0, 1000, 1000, 1000, 1000, 1000],
	}})
}

test_fail_below_all_year_falling if {
	p01.findings == {{
		"rule": "P01", "severity": "warning", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["performance", "ae_4h", "numerator"],
		"message": "RTK plans A&E 4-hour performance below the 95.0% standard in every month, from 88.0% in M1 (April) to 87.5% in M12 (March): no recovery during the year",
	}} with input as plans({"ae_4h": trajectory([880, 890, 900, 910, 920, 920, 900, 880, 860, 850, 860, 875])})
}

test_fail_flat_below_standard if {
	p01.findings == {{
		"rule": "P01", "severity": "warning", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["performance", "cancer_62d", "numerator"],
		"message": "RTK plans cancer 62-day performance below the 85.0% standard in every month, from 84.9% in M1 (April) to 84.9% in M12 (March): no recovery during the year",
	}} with input as plans({"cancer_62d": trajectory(twelve(849))})
}

test_fail_diagnostics_above_maximum if {
	p01.findings == {{
		"rule": "P01", "severity": "warning", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["performance", "diagnostics_6w", "numerator"],
		"message": "RTK plans the share of diagnostic patients waiting over 6 weeks above the 1.0% maximum in every month, from 2.0% in M1 (April) to 2.5% in M12 (March): no recovery during the year",
	}} with input as plans({"diagnostics_6w": trajectory([20, 18, 16, 14, 12, 11, 15, 20, 25, 25, 25, 25])})
}

test_success_diagnostics_recovering if {
	count(p01.findings) == 0 with input as plans({"diagnostics_6w": trajectory([20, 18, 16, 14, 12, 11, 15, 20, 25, 25, 25, 19])})
}
