package triangulate.rules.b05_test

import data.triangulate.rules.b05

# A trust's finance with agency spend in £000 and its ceiling in the
# register; the commissioner beside it has no agency line and is never judged.
_findings(agency, ceiling) := fs if {
	fs := b05.findings with input as {
		"year": "2019/20",
		"plans": {
			"RTK": {
				"kind": "provider",
				"org": "RTK",
				"year": "2019/20",
				"finance": {"expenditure": {"pay": {"substantive": 305000, "bank": 12000, "agency": agency}}},
			},
			"09N": {"kind": "commissioner", "org": "09N", "year": "2019/20", "finance": {"surplus": 0}},
		},
		"register": {"providers": {"RTK": {"control_total": 0, "agency_ceiling": ceiling}}},
	}
}

_finding(message) := {
	"rule": "B05", "severity": "warning", "org": "RTK", "orgs": ["RTK"],
	"path": ["finance", "expenditure", "pay", "agency"], "month": 0,
	"related": [{"org": "RTK", "doc": "register", "path": ["providers", "RTK", "agency_ceiling"]}],
	"message": message,
}

test_success_below_ceiling if {
	count(_findings(10000, 11000)) == 0
}

test_success_exactly_at_ceiling if {
	count(_findings(11000, 11000)) == 0
}

test_fail_above_ceiling if {
	_findings(11500, 11000) == {_finding("RTK plans £11,500k of agency staff spend against the agency ceiling of £11,000k the 2019/20 register sets it: £500k over")}
}

test_fail_just_above_ceiling if {
	_findings(11001, 11000) == {_finding("RTK plans £11,001k of agency staff spend against the agency ceiling of £11,000k the 2019/20 register sets it: £1k over")}
}
