package triangulate.main_test

import data.triangulate.main

test_findings_union_every_rule if {
	fs := main.findings with data.triangulate.rules as {
		"x01": {"findings": {{"rule": "X01"}}},
		"x02": {"findings": {{"rule": "X02"}, {"rule": "X03"}}},
	}
	fs == {{"rule": "X01"}, {"rule": "X02"}, {"rule": "X03"}}
}
