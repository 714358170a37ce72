package triangulate.rules.i03_test

import data.triangulate.rules.i03

# Income £520,000k and expenditure £522,000k: a £2,000k deficit.
provider(surplus) := {"kind": "provider", "org": "RTK", "finance": {
	"income": {"patient_care": 470000, "other": 50000, "by_commissioner": {}},
	"expenditure": {
		"pay": {"substantive": 310000, "bank": 12000, "agency": 10000},
		"non_pay": 170000, "depreciation": 15000, "financing": 5000,
	},
	"surplus": surplus,
}}

# Allocation £600,000k less contracts £450,000k and other spend £148,000k.
commissioner(surplus) := {
	"kind": "commissioner", "org": "09N", "contracts": {
		"RTK": {"value": {"total": 300000, "months": []}, "activity": {}},
		"RA2": {"value": {"total": 150000, "months": []}, "activity": {}},
	},
	"finance": {"other_spend": 148000, "qipp": 9000, "surplus": surplus, "mental_health": 60000},
}

plans(p, c) := {"year": "2019/20", "plans": {"RTK": p, "09N": c}, "register": {
	"commissioners": {"09N": {"allocation": 600000, "allocation_prior_year": 570000, "required_surplus": 2000}},
	"providers": {"RTK": {"control_total": -2000}},
}}

test_success_surplus_adds_up if {
	count(i03.findings) == 0 with input as plans(provider(-2000), commissioner(2000))
}

test_success_at_tolerance if {
	count(i03.findings) == 0 with input as plans(provider(-2001), commissioner(2001))
}

test_fail_provider_surplus if {
	i03.findings == {{
		"rule": "I03", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "surplus"],
		"message": "RTK plans a surplus of £-1,500k, but income of £520,000k less expenditure of £522,000k gives £-2,000k: £500k apart, tolerance £1k",
	}} with input as plans(provider(-1500), commissioner(2000))
}

test_fail_provider_just_above_tolerance if {
	i03.findings == {{
		"rule": "I03", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "surplus"],
		"message": "RTK plans a surplus of £-1,998k, but income of £520,000k less expenditure of £522,000k gives £-2,000k: £2k apart, tolerance £1k",
	}} with input as plans(provider(-1998), commissioner(2000))
}

test_fail_commissioner_surplus if {
	i03.findings == {{
		"rule": "I03", "severity": "error", "org": "09N", "orgs": ["09N"], "month": 0, "related": [],
		"path": ["finance", "surplus"],
		"message": "09N plans a surplus of £5,000k, but the allocation of £600,000k in the register less contracts of £450,000k and other spend of £148,000k gives £2,000k: £3,000k apart, tolerance £1k",
	}} with input as plans(provider(-2000), commissioner(5000))
}

# Sustainability funding is not income in the plan's I&E any more: a plan
# that adds it to its surplus is out by exactly that amount.
test_fail_provider_counts_sustainability_funding if {
	i03.findings == {{
		"rule": "I03", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "surplus"],
		"message": "RTK plans a surplus of £4,000k, but income of £520,000k less expenditure of £522,000k gives £-2,000k: £6,000k apart, tolerance £1k",
	}} with input as plans(provider(4000), commissioner(2000))
}

test_success_commissioner_without_register_entry_is_c05s_concern if {
	count(i03.findings) == 0 with input as json.patch(plans(provider(-2000), commissioner(9999)), [{"op": "remove", "path": "/register/commissioners"}])
}
