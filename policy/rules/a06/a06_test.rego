package triangulate.rules.a06_test

import data.triangulate.rules.a06

provider(statuses) := {
	"kind": "provider",
	"org": "RTK",
	"activity": {c: {} | some c, _ in statuses},
	"contract_status": statuses,
}

commissioner(code, status) := {
	"kind": "commissioner",
	"org": code,
	"contracts": {"RTK": {"value": {}, "activity": {}, "status": status}},
}

status(state, date) := {"state": state, "date": date}

warning(c_code, message) := {
	"rule": "A06",
	"severity": "warning",
	"org": "RTK",
	"orgs": ["RTK", c_code],
	"path": ["contract_status", c_code],
	"related": [{"org": c_code, "path": ["contracts", "RTK", "status"]}],
	"month": 0,
	"message": message,
}

test_success_same_state if {
	count(a06.findings) == 0 with input as {"plans": {
		"RTK": provider({"09N": status("signed", "2019-03-21")}),
		"09N": commissioner("09N", status("signed", "2019-03-21")),
	}}
}

test_success_same_state_different_dates if {
	count(a06.findings) == 0 with input as {"plans": {
		"RTK": provider({"09N": status("agreed", "2019-03-20")}),
		"09N": commissioner("09N", status("agreed", "2019-03-27")),
	}}
}

test_success_one_sided_contract_is_left_to_a04 if {
	count(a06.findings) == 0 with input as {"plans": {"RTK": provider({"09N": status("in_dispute", "2019-03-21")})}}
}

test_success_missing_status_is_left_to_the_schema if {
	count(a06.findings) == 0 with input as {"plans": {
		"RTK": {"kind": "provider", "org": "RTK", "activity": {"09N": {}}},
		"09N": commissioner("09N", status("signed", "2019-03-21")),
	}}
}

test_fail_provider_disputes_a_signed_contract if {
	a06.findings == {warning(
		"09N",
		"RTK records its contract with 09N as in dispute on 2019-03-25, but 09N records it as signed on 2019-03-21",
	)} with input as {"plans": {
		"RTK": provider({"09N": status("in_dispute", "2019-03-25")}),
		"09N": commissioner("09N", status("signed", "2019-03-21")),
	}}
}

test_fail_names_every_state_as_the_return_does if {
	a06.findings == {warning(
		"09N",
		"RTK records its contract with 09N as heads of terms on 2019-02-01, but 09N records it as referred to arbitration on 2019-03-01",
	)} with input as {"plans": {
		"RTK": provider({"09N": status("heads_of_terms", "2019-02-01")}),
		"09N": commissioner("09N", status("arbitration", "2019-03-01")),
	}}
}

test_fail_once_per_disagreeing_contract if {
	# 09N agrees, 10C and 15M do not.
	a06.findings == {
		warning(
			"10C",
			"RTK records its contract with 10C as not started on 2019-01-14, but 10C records it as agreed on 2019-03-20",
		),
		warning(
			"15M",
			"RTK records its contract with 15M as signed on 2019-03-21, but 15M records it as in dispute on 2019-03-22",
		),
	} with input as {"plans": {
		"RTK": provider({
			"09N": status("signed", "2019-03-21"),
			"10C": status("not_started", "2019-01-14"),
			"15M": status("signed", "2019-03-21"),
		}),
		"09N": commissioner("09N", status("signed", "2019-03-21")),
		"10C": commissioner("10C", status("agreed", "2019-03-20")),
		"15M": commissioner("15M", status("in_dispute", "2019-03-22")),
	}}
}
