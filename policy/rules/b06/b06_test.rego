package triangulate.rules.b06_test

import data.triangulate.rules.b06

# £500,000k of pay and non-pay; depreciation and financing lie outside it.
_findings(total, non_recurrent) := fs if {
	fs := b06.findings with input as {"year": "2019/20", "plans": {"RTK": {
		"kind": "provider",
		"org": "RTK",
		"year": "2019/20",
		"finance": {
			"expenditure": {
				"pay": {"substantive": 300000, "bank": 12000, "agency": 10000},
				"non_pay": 178000,
				"depreciation": 15000,
				"financing": 5000,
			},
			"cip": {"total": total, "recurrent": total - non_recurrent, "non_recurrent": non_recurrent, "schemes": []},
		},
	}}}
}

_total_finding(severity, message) := {
	"rule": "B06", "severity": severity, "org": "RTK", "orgs": ["RTK"],
	"path": ["finance", "cip", "total"], "month": 0, "related": [], "message": message,
}

_non_recurrent_finding(message) := {
	"rule": "B06", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["finance", "cip", "non_recurrent"], "month": 0, "related": [], "message": message,
}

test_success_realistic_cip if {
	# £18,000k is 3.6%; £3,000k non-recurrent is 16.7% of it.
	count(_findings(18000, 3000)) == 0
}

test_success_exactly_at_both_thresholds if {
	# £20,000k is exactly 4%; £5,000k exactly 25% of it.
	count(_findings(20000, 5000)) == 0
}

test_success_no_cip if {
	count(_findings(0, 0)) == 0
}

test_fail_warning_above_4 if {
	_findings(22500, 0) == {_total_finding(
		"warning",
		"RTK plans CIP savings of £22,500k, 4.5% of its £500,000k operating expenditure (pay and non-pay), above 4%",
	)}
}

test_fail_warning_exactly_at_error_threshold if {
	_findings(30000, 0) == {_total_finding(
		"warning",
		"RTK plans CIP savings of £30,000k, 6.0% of its £500,000k operating expenditure (pay and non-pay), above 4%",
	)}
}

test_fail_error_above_6 if {
	_findings(32500, 0) == {_total_finding(
		"error",
		"RTK plans CIP savings of £32,500k, 6.5% of its £500,000k operating expenditure (pay and non-pay), above 6%",
	)}
}

test_fail_non_recurrent_share if {
	_findings(18000, 5400) == {_non_recurrent_finding("RTK plans £5,400k of its £18,000k CIP as non-recurrent savings, 30.0%, above 25%: the gap they cover returns next year")}
}

test_fail_both_findings if {
	_findings(35000, 14000) == {
		_total_finding(
			"error",
			"RTK plans CIP savings of £35,000k, 7.0% of its £500,000k operating expenditure (pay and non-pay), above 6%",
		),
		_non_recurrent_finding("RTK plans £14,000k of its £35,000k CIP as non-recurrent savings, 40.0%, above 25%: the gap they cover returns next year"),
	}
}
