package triangulate.rules.i02_test

import data.triangulate.rules.i02

flow(months) := {"total": sum(months), "months": months}

daycase := [4300, 4400, 4350, 4450, 4300, 4250, 4500, 4600, 4700, 4650, 4300, 4500]

ordinary := [900, 920, 910, 930, 900, 890, 940, 960, 980, 970, 900, 940]

elective := [5200, 5320, 5260, 5380, 5200, 5140, 5440, 5560, 5680, 5620, 5200, 5440]

# Two months of elective spells swapped: the annual totals still agree.
elective_swapped := [5320, 5200, 5260, 5380, 5200, 5140, 5440, 5560, 5680, 5620, 5200, 5440]

type1 := [10500, 10800, 10600, 10900, 10700, 10300, 10400, 10200, 10600, 10500, 10100, 10900]

type23 := [2000, 2100, 2050, 2150, 2100, 2000, 2050, 2000, 2100, 2050, 1950, 2150]

ae_total := [12500, 12900, 12650, 13050, 12800, 12300, 12450, 12200, 12700, 12550, 12050, 13050]

lines := {
	"elective": flow(elective),
	"elective_daycase": flow(daycase),
	"elective_ordinary": flow(ordinary),
	"ae_total": flow(ae_total),
	"ae_type1": flow(type1),
	"ae_other": flow(type23),
}

plans(provider_lines, commissioner_lines) := {"year": "2019/20", "plans": {
	"RTK": {"kind": "provider", "org": "RTK", "activity": {"09N": provider_lines}},
	"09N": {"kind": "commissioner", "org": "09N", "contracts": {"RTK": {"activity": commissioner_lines}}},
}}

test_success_parts_add_up if {
	count(i02.findings) == 0 with input as plans(lines, lines)
}

test_success_part_missing_not_checked if {
	partial := object.remove(object.union(lines, {"elective": {"total": 1, "months": daycase}}), ["elective_ordinary"])
	count(i02.findings) == 0 with input as plans(partial, lines)
}

test_fail_provider_total if {
	wrong := object.union(lines, {"elective": {"total": 64000, "months": elective}})
	i02.findings == {{
		"rule": "I02", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 0, "related": [],
		"path": ["activity", "09N", "elective", "total"],
		"message": "RTK plans 64,000 elective spells (E.M.10) with 09N, but 53,300 day-case elective spells (E.M.10a) plus 11,140 ordinary elective spells (E.M.10b) make 64,440",
	}} with input as plans(wrong, lines)
}

test_fail_commissioner_total if {
	wrong := object.union(lines, {"ae_other": flow(array.concat(array.slice(type23, 0, 11), [2151]))})
	i02.findings == {{
		"rule": "I02", "severity": "error", "org": "09N", "orgs": ["09N"], "month": 0, "related": [],
		"path": ["contracts", "RTK", "activity", "ae_total", "total"],
		"message": "09N plans 151,200 A&E attendances (E.M.12+E.M.13) with RTK, but 126,500 type 1 A&E attendances (E.M.12) plus 24,701 type 2-3 A&E attendances (E.M.13) make 151,201",
	}} with input as plans(lines, wrong)
}

test_fail_first_month_mismatch if {
	wrong := object.union(lines, {"elective": flow(elective_swapped)})
	i02.findings == {{
		"rule": "I02", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 1, "related": [],
		"path": ["activity", "09N", "elective", "months", 0],
		"message": "RTK plans 5,320 elective spells (E.M.10) with 09N in M1 (April), but 4,300 day-case elective spells (E.M.10a) plus 900 ordinary elective spells (E.M.10b) make 5,200",
	}} with input as plans(wrong, lines)
}

# Both sides plan the same block whose elective spells do not add up: each
# side is told on its own plan.
test_fail_both_sides_same_block if {
	wrong := object.union(lines, {"elective": flow(elective_swapped)})
	i02.findings == {
		{
			"rule": "I02", "severity": "error", "org": "RTK", "orgs": ["RTK"], "month": 1, "related": [],
			"path": ["activity", "09N", "elective", "months", 0],
			"message": "RTK plans 5,320 elective spells (E.M.10) with 09N in M1 (April), but 4,300 day-case elective spells (E.M.10a) plus 900 ordinary elective spells (E.M.10b) make 5,200",
		},
		{
			"rule": "I02", "severity": "error", "org": "09N", "orgs": ["09N"], "month": 1, "related": [],
			"path": ["contracts", "RTK", "activity", "elective", "months", 0],
			"message": "09N plans 5,320 elective spells (E.M.10) with RTK in M1 (April), but 4,300 day-case elective spells (E.M.10a) plus 900 ordinary elective spells (E.M.10b) make 5,200",
		},
	} with input as plans(wrong, wrong)
}

# Two contracts of one provider, each planned alike on both sides: only the
# pair whose block fails is reported, on both sides, and only the sum that
# fails there.
test_fail_same_blocks_two_contracts if {
	wrong := object.union(lines, {"ae_total": {"total": sum(ae_total) + 1, "months": ae_total}})
	fs := i02.findings with input as {"year": "2019/20", "plans": {
		"RTK": {"kind": "provider", "org": "RTK", "activity": {"09N": lines, "08J": wrong}},
		"09N": {"kind": "commissioner", "org": "09N", "contracts": {"RTK": {"activity": lines}}},
		"08J": {"kind": "commissioner", "org": "08J", "contracts": {"RTK": {"activity": wrong}}},
	}}
	{[f.org, f.path] | some f in fs} == {
		["RTK", ["activity", "08J", "ae_total", "total"]],
		["08J", ["contracts", "RTK", "activity", "ae_total", "total"]],
	}
}

# A commissioner's block with no provider plan behind it is still checked.
test_fail_commissioner_without_provider_plan if {
	wrong := object.union(lines, {"elective": flow(elective_swapped)})
	fs := i02.findings with input as {"year": "2019/20", "plans": {"09N": {
		"kind": "commissioner", "org": "09N",
		"contracts": {"RTK": {"activity": wrong}},
	}}}
	{[f.org, f.path] | some f in fs} == {["09N", ["contracts", "RTK", "activity", "elective", "months", 0]]}
}
