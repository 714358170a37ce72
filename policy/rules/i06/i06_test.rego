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
