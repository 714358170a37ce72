package triangulate.rules.a04_test

import data.triangulate.rules.a04

money := {"total": 1200, "months": [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100]}

provider(activity_from, income_from) := {
	"kind": "provider",
	"org": "RTK",
	"activity": {c: {} | some c in activity_from},
	"finance": {"income": {"patient_care": 1200 * count(income_from), "by_commissioner": {c: money | some c in income_from}}},
}

commissioner(code, contracts_with) := {
	"kind": "commissioner",
	"org": code,
	"contracts": {p: {"value": money, "activity": {}} | some p in contracts_with},
}

warning(org, path, related, message) := {
	"rule": "A04",
	"severity": "warning",
	"org": org,
	"orgs": ["RTK", "09N"],
	"path": path,
	"related": related,
	"month": 0,
	"message": message,
}

test_success_both_sides_name_each_other if {
	count(a04.findings) == 0 with input as {"plans": {
		"RTK": provider(["09N", "10C"], ["09N", "10C"]),
		"09N": commissioner("09N", ["RTK"]),
		"10C": commissioner("10C", ["RTK"]),
	}}
}

test_success_named_by_income_only if {
	count(a04.findings) == 0 with input as {"plans": {
		"RTK": provider([], ["09N"]),
		"09N": commissioner("09N", ["RTK"]),
	}}
}

test_fail_commissioner_has_no_contract if {
	a04.findings == {warning(
		"RTK", ["activity", "09N"], [{"org": "09N", "path": ["contracts"]}],
		"RTK plans activity and income from 09N, but 09N's plan has no contract with RTK",
	)} with input as {"plans": {
		"RTK": provider(["09N"], ["09N"]),
		"09N": commissioner("09N", []),
	}}
}

test_fail_commissioner_has_no_plan if {
	a04.findings == {warning(
		"RTK", ["activity", "09N"], [],
		"RTK plans activity from 09N, but 09N has no commissioner plan to agree it",
	)} with input as {"plans": {"RTK": provider(["09N"], [])}}
}

test_fail_income_without_contract if {
	a04.findings == {warning(
		"RTK", ["finance", "income", "by_commissioner", "09N"], [{"org": "09N", "path": ["contracts"]}],
		"RTK plans income from 09N, but 09N's plan has no contract with RTK",
	)} with input as {"plans": {
		"RTK": provider([], ["09N"]),
		"09N": commissioner("09N", []),
	}}
}

test_fail_provider_does_not_name_commissioner if {
	a04.findings == {warning(
		"09N", ["contracts", "RTK"], [{"org": "RTK", "path": ["activity"]}],
		"09N has a contract with RTK, but RTK's plan has neither activity nor income from 09N",
	)} with input as {"plans": {
		"RTK": provider([], []),
		"09N": commissioner("09N", ["RTK"]),
	}}
}

test_fail_provider_has_no_plan if {
	a04.findings == {warning(
		"09N", ["contracts", "RTK"], [],
		"09N has a contract with RTK, but RTK has no provider plan to agree it",
	)} with input as {"plans": {"09N": commissioner("09N", ["RTK"])}}
}

test_fail_once_per_one_sided_pair if {
	# 09N is named by RTK only, 10C names RTK only, 15M is agreed.
	a04.findings == {
		warning(
			"RTK", ["activity", "09N"], [{"org": "09N", "path": ["contracts"]}],
			"RTK plans activity and income from 09N, but 09N's plan has no contract with RTK",
		),
		{
			"rule": "A04",
			"severity": "warning",
			"org": "10C",
			"orgs": ["RTK", "10C"],
			"path": ["contracts", "RTK"],
			"related": [{"org": "RTK", "path": ["activity"]}],
			"month": 0,
			"message": "10C has a contract with RTK, but RTK's plan has neither activity nor income from 10C",
		},
	} with input as {"plans": {
		"RTK": provider(["09N", "15M"], ["09N", "15M"]),
		"09N": commissioner("09N", []),
		"10C": commissioner("10C", ["RTK"]),
		"15M": commissioner("15M", ["RTK"]),
	}}
}
