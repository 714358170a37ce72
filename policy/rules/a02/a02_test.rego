package triangulate.rules.a02_test

import data.triangulate.rules.a02

months(n) := [n | some _ in numbers.range(1, 12)]

# A money flow of the given total, phased evenly enough for these tests.
money(total) := {"total": total, "months": array.concat([total - (11 * floor(total / 12))], months(floor(total / 12)))}

# RTK's income from 09N against 09N's value of its contract with RTK.
pair(income, contract_value) := {"plans": {
	"RTK": {"kind": "provider", "org": "RTK", "activity": {"09N": {}}, "finance": {"income": {
		"patient_care": income,
		"by_commissioner": {"09N": money(income)},
	}}},
	"09N": {"kind": "commissioner", "org": "09N", "contracts": {"RTK": {"value": money(contract_value), "activity": {}}}},
}}

finding(severity, message) := {
	"rule": "A02",
	"severity": severity,
	"org": "RTK",
	"orgs": ["RTK", "09N"],
	"path": ["finance", "income", "by_commissioner", "09N", "total"],
	"related": [{"org": "09N", "path": ["contracts", "RTK", "value", "total"]}],
	"month": 0,
	"message": message,
}

test_success_same_value if {
	count(a02.findings) == 0 with input as pair(312400, 312400)
}

test_success_exactly_at_pct_warning_limit if {
	count(a02.findings) == 0 with input as pair(101000, 100000)
}

test_success_exactly_at_floor_on_small_contract if {
	count(a02.findings) == 0 with input as pair(19500, 20000)
}

# The issue's case: 09N funds a contract RTK has dropped from its income.
test_fail_provider_dropped_the_contract if {
	doc := json.patch(pair(17500, 17500), [{"op": "replace", "path": "/plans/RTK/finance/income/by_commissioner", "value": {}}])
	a02.findings == {{
		"rule": "A02", "severity": "error", "org": "RTK", "orgs": ["RTK", "09N"], "month": 0,
		"path": ["finance", "income", "by_commissioner"],
		"related": [{"org": "09N", "path": ["contracts", "RTK", "value", "total"]}],
		"message": "RTK plans no income from 09N (no such line); 09N values its contract with RTK at £17,500k: £17,500k apart, more than 5% of the contract (£875k)",
	}} with input as doc
}

test_fail_commissioner_has_no_contract if {
	doc := json.patch(pair(312400, 250000), [{"op": "replace", "path": "/plans/09N/contracts", "value": {}}])
	a02.findings == {{
		"rule": "A02", "severity": "error", "org": "RTK", "orgs": ["RTK", "09N"], "month": 0,
		"path": ["finance", "income", "by_commissioner", "09N", "total"],
		"related": [{"org": "09N", "path": ["contracts"]}],
		"message": "RTK plans £312,400k of income from 09N; 09N has no contract with RTK (no such line): £312,400k apart, more than 5% of the contract (£0k)",
	}} with input as doc
}

test_success_other_side_has_no_plan_is_a04s_concern if {
	doc := json.patch(pair(312400, 250000), [{"op": "remove", "path": "/plans/09N"}])
	count(a02.findings) == 0 with input as doc
}

test_fail_warning_above_pct_limit if {
	a02.findings == {finding(
		"warning",
		"RTK plans £101,001k of income from 09N; 09N values its contract with RTK at £100,000k: £1,001k apart, tolerance £1,000k (the larger of £500k and 1% of the contract)",
	)} with input as pair(101001, 100000)
}

test_fail_warning_exactly_at_error_limit if {
	a02.findings == {finding(
		"warning",
		"RTK plans £95,000k of income from 09N; 09N values its contract with RTK at £100,000k: £5,000k apart, tolerance £1,000k (the larger of £500k and 1% of the contract)",
	)} with input as pair(95000, 100000)
}

test_fail_warning_above_floor_on_small_contract if {
	a02.findings == {finding(
		"warning",
		"RTK plans £20,501k of income from 09N; 09N values its contract with RTK at £20,000k: £501k apart, tolerance £500k (the larger of £500k and 1% of the contract)",
	)} with input as pair(20501, 20000)
}

test_fail_error_above_limit if {
	a02.findings == {finding(
		"error",
		"RTK plans £105,001k of income from 09N; 09N values its contract with RTK at £100,000k: £5,001k apart, more than 5% of the contract (£5,000k)",
	)} with input as pair(105001, 100000)
}

test_fail_error_on_small_contract_below_floor if {
	a02.findings == {finding(
		"error",
		"RTK plans £5,300k of income from 09N; 09N values its contract with RTK at £5,000k: £300k apart, more than 5% of the contract (£250k)",
	)} with input as pair(5300, 5000)
}

test_fail_error_contract_worth_nothing if {
	a02.findings == {finding(
		"error",
		"RTK plans £1,200k of income from 09N; 09N values its contract with RTK at £0k: £1,200k apart, more than 5% of the contract (£0k)",
	)} with input as pair(1200, 0)
}

test_fail_thresholds_from_policy_data if {
	a02.findings == {finding(
		"error",
		"RTK plans £9,600k of income from 09N; 09N values its contract with RTK at £10,000k: £400k apart, more than 3% of the contract (£300k)",
	)} with input as pair(9600, 10000)
		with data.triangulate.thresholds.alignment.contract_error_pct as 3
}
