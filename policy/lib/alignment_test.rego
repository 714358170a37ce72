package triangulate.lib_test

import data.triangulate.lib

test_activity_line_label if {
	lib.activity_line_label("non_elective") == "non-elective spells (E.M.11)"
	lib.activity_line_label("ae_total") == "A&E attendances (E.M.12+E.M.13)"
	lib.activity_line_label("unknown_line") == "unknown_line"
}

test_activity_line_labels_cover_the_template if {
	count(lib.activity_line_labels) == 14
}

test_contract_pairs_need_both_sides if {
	pairs := lib.contract_pairs with input as {"plans": {
		"RTK": {"kind": "provider", "activity": {"09N": {}, "09Y": {}, "99X": {}}},
		"RA2": {"kind": "provider", "activity": {"09N": {}}},
		"09N": {"kind": "commissioner", "contracts": {"RTK": {}, "RA2": {}}},
		"09Y": {"kind": "commissioner", "contracts": {"RA2": {}}},
	}}
	pairs == {["RTK", "09N"], ["RA2", "09N"]}
}

test_contract_pairs_ignore_other_kinds if {
	pairs := lib.contract_pairs with input as {"plans": {
		"RTK": {"kind": "provider", "activity": {"RA2": {}}},
		"RA2": {"kind": "provider", "activity": {}, "contracts": {"RTK": {}}},
	}}
	pairs == set()
}

test_activity_lines_named if {
	lib.activity_lines_named({"elective": {}, "op_first": {}}, {"elective": {}, "diagnostics": {}}) == {"elective", "op_first", "diagnostics"}
	lib.activity_lines_named({}, {}) == set()
}

test_line_annual if {
	lines := {"elective": {"total": 99, "months": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}}
	lib.line_annual(lines, "elective") == 78
	lib.line_annual(lines, "non_elective") == 0
}

test_severity_band if {
	lib.severity_band(5.01, 1, 5) == "error"
	lib.severity_band(5, 1, 5) == "warning"
	lib.severity_band(1.01, 1, 5) == "warning"
	not lib.severity_band(1, 1, 5)
	not lib.severity_band(0, 1, 5)
}

test_severity_band_warning_limit_above_error_limit if {
	# A small contract's £500k warning floor can exceed its 5% error limit.
	lib.severity_band(300, 500, 250) == "error"
	not lib.severity_band(200, 500, 250)
}

test_fmt_decimal if {
	lib.fmt_decimal(5, 1) == "5.0"
	lib.fmt_decimal(5.04, 1) == "5.0"
	lib.fmt_decimal(5.04, 2) == "5.04"
	lib.fmt_decimal(0.004, 2) == "0.00"
	lib.fmt_decimal(0.0005, 3) == "0.001"
	lib.fmt_decimal(123.456, 1) == "123.5"
	lib.fmt_decimal(-1.25, 2) == "-1.25"
	lib.fmt_decimal(-0.04, 1) == "0.0"
	lib.fmt_decimal((600 * 100) / 12000, 1) == "5.0"
}

test_fmt_above if {
	lib.fmt_above(5.7, 5) == "5.7"
	lib.fmt_above(5.04, 5) == "5.04"
	lib.fmt_above(5.001, 5) == "5.001"
	lib.fmt_above(5.0001, 5) == "5.000"
	lib.fmt_above(6, 5) == "6.0"
}

test_above_decimals if {
	lib.above_decimals(1.2, 1) == 1
	lib.above_decimals(1.01, 1) == 2
	lib.above_decimals(1.00001, 1) == 3
}

test_fmt_limit if {
	lib.fmt_limit(1) == "1"
	lib.fmt_limit(0.5) == "0.5"
}
