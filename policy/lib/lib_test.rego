package triangulate.lib_test

import data.triangulate.lib

test_fmt_int if {
	lib.fmt_int(0) == "0"
	lib.fmt_int(7) == "7"
	lib.fmt_int(999) == "999"
	lib.fmt_int(1000) == "1,000"
	lib.fmt_int(61200) == "61,200"
	lib.fmt_int(123456) == "123,456"
	lib.fmt_int(1234567.4) == "1,234,567"
	lib.fmt_int(-1500) == "-1,500"
}

test_fmt_pct if {
	lib.fmt_pct(5.678) == "5.7%"
	lib.fmt_pct(100) == "100.0%"
	lib.fmt_pct((600 * 100) / 12000) == "5.0%"
}

test_fmt_gbp if {
	lib.fmt_gbp(-1500) == "£-1,500k"
}

test_pct_diff if {
	lib.pct_diff(105, 100) == 5
	lib.pct_diff(0, 0) == 0
	lib.pct_diff(3, 0) == 100
}

test_month_label if {
	lib.month_label(9) == "M9 (December)"
}

test_finding_defaults if {
	lib.finding({"rule": "X", "severity": "error", "org": "RTE", "path": ["a"], "message": "m"}) == {
		"rule": "X", "severity": "error", "org": "RTE", "path": ["a"], "message": "m",
		"orgs": ["RTE"], "related": [], "month": 0,
	}
}

test_finding_keeps_given if {
	f := lib.finding({"rule": "X", "severity": "error", "org": "RTE", "orgs": ["RTE", "15M"], "path": [], "message": "m", "month": 3})
	f.orgs == ["RTE", "15M"]
	f.month == 3
}

test_system_members if {
	orgs := {
		"QXU": {"type": "system", "system": "QXU"},
		"RTK": {"type": "provider", "system": "QXU"},
		"09N": {"type": "commissioner", "system": "QXU"},
		"RA2": {"type": "provider", "system": "QXX"},
	}
	lib.system_members("QXU") == {"RTK", "09N"} with input.organisations as orgs
	lib.system_members("QXX") == {"RA2"} with input.organisations as orgs
	lib.system_members("QYY") == set() with input.organisations as orgs
}
