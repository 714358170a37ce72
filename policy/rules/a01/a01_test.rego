package triangulate.rules.a01_test

import data.triangulate.rules.a01

# Twelve equal months of n, with extra added to April.
months(n, extra) := array.concat([n + extra], [n | some _ in numbers.range(2, 12)])

flow(n, extra) := {"total": (n * 12) + extra, "months": months(n, extra)}

# One acute trust (RTK) and one CCG (09N) with a contract between them.
pair(provider_activity, commissioner_activity) := {"plans": {
	"RTK": {"kind": "provider", "org": "RTK", "activity": {"09N": provider_activity}},
	"09N": {"kind": "commissioner", "org": "09N", "contracts": {"RTK": {
		"value": {"total": 120000, "months": months(10000, 0)},
		"activity": commissioner_activity,
	}}},
}}

agreed := {
	"non_elective": flow(5100, 0),
	"elective": flow(5250, 0),
	"ae_total": flow(12500, 0),
}

ne_finding(severity, message) := {
	"rule": "A01",
	"severity": severity,
	"org": "RTK",
	"orgs": ["RTK", "09N"],
	"path": ["activity", "09N", "non_elective", "total"],
	"related": [{"org": "09N", "path": ["contracts", "RTK", "activity", "non_elective", "total"]}],
	"month": 0,
	"message": message,
}

test_success_identical_contract if {
	count(a01.findings) == 0 with input as pair(agreed, agreed)
}

test_success_exactly_at_warning_limit if {
	provider := object.union(agreed, {"non_elective": flow(1010, 0)})
	commissioner := object.union(agreed, {"non_elective": flow(1000, 0)})
	count(a01.findings) == 0 with input as pair(provider, commissioner)
}

test_success_different_phasing_same_volume if {
	provider := object.union(agreed, {"non_elective": {"total": 61200, "months": array.concat([5000, 5200], [5100 | some _ in numbers.range(3, 12)])}})
	count(a01.findings) == 0 with input as pair(provider, agreed)
}

test_success_line_left_out_where_other_side_plans_none if {
	provider := object.union(agreed, {"diagnostics": flow(0, 0)})
	count(a01.findings) == 0 with input as pair(provider, agreed)
}

test_success_no_contract_in_commissioner_plan if {
	doc := pair(agreed, agreed)
	no_contract := json.patch(doc, [{"op": "replace", "path": "/plans/09N/contracts", "value": {}}])
	provider := object.union(agreed, {"non_elective": flow(9000, 0)})
	count(a01.findings) == 0 with input as json.patch(no_contract, [{"op": "replace", "path": "/plans/RTK/activity/09N", "value": provider}])
}

test_fail_warning_just_above_limit if {
	provider := object.union(agreed, {"non_elective": flow(1000, 121)})
	commissioner := object.union(agreed, {"non_elective": flow(1000, 0)})
	a01.findings == {ne_finding(
		"warning",
		"RTK plans 12,121 non-elective spells (E.M.11) from 09N; 09N plans 12,000 with RTK: 1.01% apart, tolerance 1%",
	)} with input as pair(provider, commissioner)
}

test_fail_warning_exactly_at_error_limit if {
	provider := object.union(agreed, {"non_elective": flow(1050, 0)})
	commissioner := object.union(agreed, {"non_elective": flow(1000, 0)})
	a01.findings == {ne_finding(
		"warning",
		"RTK plans 12,600 non-elective spells (E.M.11) from 09N; 09N plans 12,000 with RTK: 5.0% apart, tolerance 1%",
	)} with input as pair(provider, commissioner)
}

test_fail_error_above_limit if {
	provider := object.union(agreed, {"non_elective": flow(5100, 0)})
	commissioner := object.union(agreed, {"non_elective": flow(4825, 0)})
	a01.findings == {ne_finding(
		"error",
		"RTK plans 61,200 non-elective spells (E.M.11) from 09N; 09N plans 57,900 with RTK: 5.7% apart, tolerance 5%",
	)} with input as pair(provider, commissioner)
}

test_fail_error_just_above_limit if {
	provider := object.union(agreed, {"non_elective": flow(1050, 1)})
	commissioner := object.union(agreed, {"non_elective": flow(1000, 0)})
	a01.findings == {ne_finding(
		"error",
		"RTK plans 12,601 non-elective spells (E.M.11) from 09N; 09N plans 12,000 with RTK: 5.01% apart, tolerance 5%",
	)} with input as pair(provider, commissioner)
}

test_fail_error_commissioner_plans_zero if {
	provider := object.union(agreed, {"diagnostics": flow(100, 0)})
	commissioner := object.union(agreed, {"diagnostics": flow(0, 0)})
	a01.findings == {{
		"rule": "A01",
		"severity": "error",
		"org": "RTK",
		"orgs": ["RTK", "09N"],
		"path": ["activity", "09N", "diagnostics", "total"],
		"related": [{"org": "09N", "path": ["contracts", "RTK", "activity", "diagnostics", "total"]}],
		"month": 0,
		"message": "RTK plans 1,200 diagnostic tests (E.B.26) from 09N; 09N plans none with RTK",
	}} with input as pair(provider, commissioner)
}

test_fail_error_line_missing_from_contract if {
	provider := object.union(agreed, {"diagnostics": flow(100, 0)})
	a01.findings == {{
		"rule": "A01",
		"severity": "error",
		"org": "RTK",
		"orgs": ["RTK", "09N"],
		"path": ["activity", "09N", "diagnostics", "total"],
		"related": [{"org": "09N", "path": ["contracts", "RTK", "activity"]}],
		"month": 0,
		"message": "RTK plans 1,200 diagnostic tests (E.B.26) from 09N; 09N plans none with RTK (no such line)",
	}} with input as pair(provider, agreed)
}

test_fail_error_line_missing_from_provider if {
	commissioner := object.union(agreed, {"op_followup": flow(2000, 0)})
	a01.findings == {{
		"rule": "A01",
		"severity": "error",
		"org": "RTK",
		"orgs": ["RTK", "09N"],
		"path": ["activity", "09N"],
		"related": [{"org": "09N", "path": ["contracts", "RTK", "activity", "op_followup", "total"]}],
		"month": 0,
		"message": "RTK plans no follow-up outpatient attendances (E.M.9) from 09N (no such line); 09N plans 24,000 with RTK",
	}} with input as pair(agreed, commissioner)
}

test_fail_one_finding_per_line_and_pair if {
	provider := object.union(agreed, {"non_elective": flow(5100, 0), "ae_total": flow(12500, 2000)})
	commissioner := object.union(agreed, {"non_elective": flow(4825, 0)})
	second_ccg := json.patch(pair(provider, commissioner), [
		{"op": "add", "path": "/plans/RTK/activity/10C", "value": agreed},
		{"op": "add", "path": "/plans/10C", "value": {"kind": "commissioner", "org": "10C", "contracts": {"RTK": {
			"value": {"total": 1200, "months": months(100, 0)},
			"activity": agreed,
		}}}},
	])
	a01.findings == {
		ne_finding(
			"error",
			"RTK plans 61,200 non-elective spells (E.M.11) from 09N; 09N plans 57,900 with RTK: 5.7% apart, tolerance 5%",
		),
		{
			"rule": "A01",
			"severity": "warning",
			"org": "RTK",
			"orgs": ["RTK", "09N"],
			"path": ["activity", "09N", "ae_total", "total"],
			"related": [{"org": "09N", "path": ["contracts", "RTK", "activity", "ae_total", "total"]}],
			"month": 0,
			"message": "RTK plans 152,000 A&E attendances (E.M.12+E.M.13) from 09N; 09N plans 150,000 with RTK: 1.3% apart, tolerance 1%",
		},
	} with input as second_ccg
}

test_fail_thresholds_from_policy_data if {
	provider := object.union(agreed, {"non_elective": flow(1020, 0)})
	commissioner := object.union(agreed, {"non_elective": flow(1000, 0)})
	a01.findings == {ne_finding(
		"error",
		"RTK plans 12,240 non-elective spells (E.M.11) from 09N; 09N plans 12,000 with RTK: 2.0% apart, tolerance 1.5%",
	)} with input as pair(provider, commissioner)
		with data.triangulate.thresholds.alignment.activity_warning_pct as 0.5
		with data.triangulate.thresholds.alignment.activity_error_pct as 1.5
}

# A 20% gap on a line of 120 a year is 24 spells: below the floor of 50.
test_fail_info_below_materiality_floor if {
	provider := object.union(agreed, {"non_elective": flow(12, 0)})
	commissioner := object.union(agreed, {"non_elective": flow(10, 0)})
	a01.findings == {ne_finding(
		"info",
		"RTK plans 144 non-elective spells (E.M.11) from 09N; 09N plans 120 with RTK: 20.0% apart, tolerance 5%; a difference of 24 a year is below the materiality floor of 50, so it is shown only",
	)} with input as pair(provider, commissioner)
}

test_fail_error_exactly_at_materiality_floor if {
	provider := object.union(agreed, {"non_elective": flow(15, 2)})
	commissioner := object.union(agreed, {"non_elective": flow(11, 0)})
	a01.findings == {ne_finding(
		"error",
		"RTK plans 182 non-elective spells (E.M.11) from 09N; 09N plans 132 with RTK: 37.9% apart, tolerance 5%",
	)} with input as pair(provider, commissioner)
}
