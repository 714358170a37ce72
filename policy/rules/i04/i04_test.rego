package triangulate.rules.i04_test

import data.triangulate.rules.i04

twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

group(substantive, bank, agency) := {"substantive": twelve(substantive), "bank": twelve(bank), "agency": twelve(agency)}

# 6,500 WTE: medical 910, nursing 2,080, STT 910, support 1,625, infrastructure 975.
groups := {
	"medical": group(840, 40, 30),
	"nursing_midwifery": group(1880, 130, 70),
	"scientific_technical": group(860.5, 35, 14.5),
	"support_clinical": group(1530, 65, 30),
	"infrastructure": group(940, 25, 10),
}

plans(total) := {"year": "2019/20", "plans": {"RTK": {
	"kind": "provider", "org": "RTK",
	"workforce": {"total": total, "groups": groups},
}}}

test_success_groups_add_up if {
	count(i04.findings) == 0 with input as plans(twelve(6500))
}

test_success_within_tolerance if {
	count(i04.findings) == 0 with input as plans([6500.5, 6499.5, 6500, 6500, 6500, 6500, 6500, 6500, 6500, 6500, 6500, 6500.5])
}

test_fail_one_month if {
	i04.findings == {{
		"rule": "I04", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 10, "related": [],
		"path": ["workforce", "total", 9],
		"message": "RTK plans 6,500.6 WTE in M10 (January), but its staff groups (substantive, bank and agency) add up to 6,500.0: 0.6 apart, tolerance 0.5",
	}} with input as plans([6500, 6500, 6500, 6500, 6500, 6500, 6500, 6500, 6500, 6500.6, 6500, 6500])
}

test_fail_first_of_several_months if {
	i04.findings == {{
		"rule": "I04", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 4, "related": [],
		"path": ["workforce", "total", 3],
		"message": "RTK plans 6,580.0 WTE in M4 (July), but its staff groups (substantive, bank and agency) add up to 6,500.0: 80.0 apart, tolerance 0.5 (3 months do not add up)",
	}} with input as plans([6500, 6500, 6500, 6580, 6500, 6580, 6500, 6500, 6500, 6500, 6500, 6420])
}

# A group without agency staff adds nothing for them; one month of bank
# staff in a group that plans only that month counts in that month alone.
test_fail_group_without_agency if {
	fewer := object.union(object.remove(groups, ["medical"]), {
		"medical": {"substantive": twelve(840), "bank": twelve(40)},
		"extra": {"bank": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30]},
	})
	fs := i04.findings with input as {"year": "2019/20", "plans": {"RTK": {
		"kind": "provider", "org": "RTK",
		"workforce": {"total": twelve(6470), "groups": fewer},
	}}}
	[[f.month, f.message] | some f in fs] == [[12, "RTK plans 6,470.0 WTE in M12 (March), but its staff groups (substantive, bank and agency) add up to 6,500.0: 30.0 apart, tolerance 0.5"]]
}
