package triangulate.rules.i01_test

import data.triangulate.rules.i01

non_elective := [4900, 5000, 4950, 5050, 4900, 4850, 5100, 5200, 5400, 5300, 4900, 5150]

clock_starts := [3700, 3800, 3750, 3850, 3700, 3650, 3900, 4000, 4100, 4050, 3700, 3900]

contract_months := [3750, 3750, 3750, 3750, 3750, 3750, 3750, 3750, 3750, 3750, 3750, 3750]

provider(ne_total, starts_total, income_total) := {
	"kind": "provider",
	"org": "RTK",
	"activity": {"09N": {"non_elective": {"total": ne_total, "months": non_elective}}},
	"rtt": {
		"clock_starts": {"total": starts_total, "months": clock_starts},
		"completed_admitted": {"total": 12, "months": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]},
		"completed_nonadmitted": {"total": 0, "months": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]},
		"waiting_list": {"months": [40000, 40100, 40200, 40300, 40400, 40500, 40600, 40700, 40800, 40900, 41000, 41100]},
	},
	"finance": {"income": {"by_commissioner": {"09N": {"total": income_total, "months": contract_months}}}},
}

commissioner(ne_total, value_total) := {
	"kind": "commissioner",
	"org": "09N",
	"contracts": {"RTK": {
		"value": {"total": value_total, "months": contract_months},
		"activity": {"non_elective": {"total": ne_total, "months": non_elective}},
	}},
}

plans(p, c) := {"year": "2019/20", "plans": {"RTK": p, "09N": c}}

test_success_totals_match if {
	count(i01.findings) == 0 with input as plans(provider(60700, 46100, 45000), commissioner(60700, 45000))
}

test_success_money_at_tolerance if {
	count(i01.findings) == 0 with input as plans(provider(60700, 46100, 45001), commissioner(60700, 44999))
}

test_fail_provider_activity_one_off if {
	i01.findings == {{
		"rule": "I01", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["activity", "09N", "non_elective", "total"],
		"message": "RTK plans a total of 60,701 non-elective spells (E.M.11) with 09N, but its months add up to 60,700: 1 apart",
	}} with input as plans(provider(60701, 46100, 45000), commissioner(60700, 45000))
}

test_fail_commissioner_activity if {
	i01.findings == {{
		"rule": "I01", "severity": "error", "org": "09N", "orgs": ["09N"], "month": 0, "related": [],
		"path": ["contracts", "RTK", "activity", "non_elective", "total"],
		"message": "09N plans a total of 58,000 non-elective spells (E.M.11) with RTK, but its months add up to 60,700: 2,700 apart",
	}} with input as plans(provider(60700, 46100, 45000), commissioner(58000, 45000))
}

test_fail_rtt_flow if {
	i01.findings == {{
		"rule": "I01", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["rtt", "clock_starts", "total"],
		"message": "RTK plans a total of 46,000 RTT clock starts (E.M.20), but its months add up to 46,100: 100 apart",
	}} with input as plans(provider(60700, 46000, 45000), commissioner(60700, 45000))
}

test_fail_provider_income_above_tolerance if {
	i01.findings == {{
		"rule": "I01", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "income", "by_commissioner", "09N", "total"],
		"message": "RTK plans a total patient-care income from 09N of £45,002k, but its months add up to £45,000k: £2k apart, tolerance £1k",
	}} with input as plans(provider(60700, 46100, 45002), commissioner(60700, 45000))
}

test_fail_commissioner_contract_value if {
	i01.findings == {{
		"rule": "I01", "severity": "error", "org": "09N", "orgs": ["09N"], "month": 0, "related": [],
		"path": ["contracts", "RTK", "value", "total"],
		"message": "09N plans a total contract value with RTK of £40,000k, but its months add up to £45,000k: £5,000k apart, tolerance £1k",
	}} with input as plans(provider(60700, 46100, 45000), commissioner(60700, 40000))
}
