package triangulate.rules.a05_test

import data.triangulate.rules.a05

money(total) := {"total": total, "months": array.concat([total - (11 * floor(total / 12))], [floor(total / 12) | some _ in numbers.range(2, 12)])}

# RTK shows patient_care in its I&E and the given income by commissioner.
provider(patient_care, by_commissioner) := {"plans": {"RTK": {
	"kind": "provider",
	"org": "RTK",
	"activity": {},
	"finance": {"income": {
		"patient_care": patient_care,
		"by_commissioner": {c: money(v) | some c, v in by_commissioner},
		"other": 50000,
		"sustainability_funding": 0,
	}},
}}}

error(message) := {
	"rule": "A05",
	"severity": "error",
	"org": "RTK",
	"orgs": ["RTK"],
	"path": ["finance", "income", "patient_care"],
	"related": [],
	"month": 0,
	"message": message,
}

test_success_income_adds_up if {
	count(a05.findings) == 0 with input as provider(470000, {"09N": 312400, "09Y": 120600, "10C": 37000})
}

test_success_exactly_at_limit if {
	count(a05.findings) == 0 with input as provider(470000, {"09N": 312400, "09Y": 120600, "10C": 34650})
}

test_success_commissioner_plans_ignored if {
	doc := json.patch(provider(470000, {"09N": 470000}), [{"op": "add", "path": "/plans/09N", "value": {
		"kind": "commissioner", "org": "09N", "contracts": {},
		"finance": {"income": {"patient_care": 1, "by_commissioner": {}}},
	}}])
	count(a05.findings) == 0 with input as doc
}

test_fail_just_below_limit if {
	a05.findings == {error("RTK's income by commissioner adds up to £467,649k, but its I&E shows £470,000k of patient-care income: £2,351k apart, more than 0.5% of it (£2,350k)")} with input as provider(470000, {"09N": 312400, "09Y": 120600, "10C": 34649})
}

test_fail_more_than_i_and_e if {
	a05.findings == {error("RTK's income by commissioner adds up to £475,000k, but its I&E shows £470,000k of patient-care income: £5,000k apart, more than 0.5% of it (£2,350k)")} with input as provider(470000, {"09N": 312400, "09Y": 120600, "10C": 42000})
}

test_fail_no_income_by_commissioner if {
	a05.findings == {error("RTK's income by commissioner adds up to £0k, but its I&E shows £470,000k of patient-care income: £470,000k apart, more than 0.5% of it (£2,350k)")} with input as provider(470000, {})
}

test_fail_thresholds_from_policy_data if {
	a05.findings == {error("RTK's income by commissioner adds up to £469,000k, but its I&E shows £470,000k of patient-care income: £1,000k apart, more than 0.1% of it (£470k)")} with input as provider(470000, {"09N": 312400, "09Y": 120600, "10C": 36000})
		with data.triangulate.thresholds.alignment.income_match_pct as 0.1
}
