package triangulate.rules.i06_test

import data.triangulate.rules.i06

schemes := [
	{"name": "Theatre productivity", "category": "productivity", "recurrent": true, "value": 5000},
	{"name": "Agency reduction", "category": "workforce", "recurrent": true, "value": 4500},
	{"name": "Procurement", "category": "procurement", "recurrent": true, "value": 3500},
	{"name": "Estates disposals", "category": "estates", "recurrent": false, "value": 3000},
	{"name": "Medicines optimisation", "category": "medicines", "recurrent": false, "value": 2000},
]

plans(total, recurrent, non_recurrent) := {"year": "2019/20", "plans": {"RTK": {
	"kind": "provider", "org": "RTK",
	"finance": {"cip": {"total": total, "recurrent": recurrent, "non_recurrent": non_recurrent, "schemes": schemes}},
}}}

test_success_cip_adds_up if {
	count(i06.findings) == 0 with input as plans(18000, 13000, 5000)
}

test_success_at_tolerance if {
	count(i06.findings) == 0 with input as plans(18001, 12999, 5001)
}

test_fail_total_above_schemes if {
	i06.findings == {
		{
			"rule": "I06", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
			"path": ["finance", "cip", "total"],
			"message": "RTK plans a CIP total of £20,000k, but its 5 schemes add up to £18,000k: £2,000k apart, tolerance £1k",
		},
		{
			"rule": "I06", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
			"path": ["finance", "cip", "non_recurrent"],
			"message": "RTK plans a CIP total of £20,000k, but recurrent £13,000k plus non-recurrent £5,000k make £18,000k: £2,000k apart, tolerance £1k",
		},
	} with input as plans(20000, 13000, 5000)
}

test_fail_split_only if {
	i06.findings == {{
		"rule": "I06", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "cip", "non_recurrent"],
		"message": "RTK plans a CIP total of £18,000k, but recurrent £13,000k plus non-recurrent £5,002k make £18,002k: £2k apart, tolerance £1k",
	}} with input as plans(18000, 13000, 5002)
}

test_fail_recurrent_not_schemes if {
	i06.findings == {{
		"rule": "I06", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "cip", "recurrent"],
		"message": "RTK plans recurrent CIP of £15,000k, but its recurrent schemes add up to £13,000k: £2,000k apart, tolerance £1k",
	}} with input as plans(18000, 15000, 3000)
}

# The same schemes phased by month: Theatre productivity's £5,000k over
# twelve months, the others evenly.
_phased := [
	object.union(schemes[0], {"identified": true, "months": [350, 400, 400, 400, 400, 400, 400, 450, 450, 450, 450, 450]}),
	object.union(schemes[1], {"identified": true, "months": [375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375]}),
	object.union(schemes[2], {"identified": true, "months": [291.75, 291.75, 291.75, 291.75, 291.75, 291.75, 291.75, 291.75, 291.75, 291.75, 291.75, 291.75]}),
	object.union(schemes[3], {"identified": false, "months": [250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250]}),
	object.union(schemes[4], {"identified": true, "months": [0, 0, 0, 0, 0, 0, 500, 500, 500, 500, 0, 0]}),
]

# phased(i, m, value) is the phased schemes with scheme i's month m set to value.
phased(i, m, value) := {"year": "2019/20", "plans": {"RTK": {
	"kind": "provider", "org": "RTK",
	"finance": {"cip": {
		"total": 18000, "recurrent": 13000, "non_recurrent": 5000,
		"schemes": json.patch(_phased, [{"op": "replace", "path": sprintf("/%d/months/%d", [i, m]), "value": value}]),
	}},
}}}

test_success_months_add_up_to_each_scheme if {
	# Procurement's months add up to £3,501k: within the £1k tolerance.
	count(i06.findings) == 0 with input as phased(0, 0, 350)
}

test_success_months_at_tolerance if {
	count(i06.findings) == 0 with input as phased(0, 0, 351)
}

test_fail_months_just_past_tolerance if {
	i06.findings == {{
		"rule": "I06", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "cip", "schemes", 0, "months"],
		"message": "RTK's CIP scheme 1 (\"Theatre productivity\") is worth £5,000k, but its months add up to £5,002k: £2k apart, tolerance £1k",
	}} with input as phased(0, 0, 352)
}

test_fail_months_short_of_value if {
	# Medicines optimisation's £2,000k phased at only £1,500k.
	i06.findings == {{
		"rule": "I06", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["finance", "cip", "schemes", 4, "months"],
		"message": "RTK's CIP scheme 5 (\"Medicines optimisation\") is worth £2,000k, but its months add up to £1,500k: £500k apart, tolerance £1k",
	}} with input as phased(4, 9, 0)
}
