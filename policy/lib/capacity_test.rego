package triangulate.lib_test

import data.triangulate.lib

_twelve(x) := [x, x, x, x, x, x, x, x, x, x, x, x]

_flow(months) := {"total": sum(months), "months": months}

# Two commissioners, so bed-days must add across them; 100 core beds and 10
# escalation beds open in every month but June, which has none.
_capacity_provider := {
	"kind": "provider",
	"org": "RTK",
	"year": "2019/20",
	"activity": {
		"09N": {
			"elective_ordinary": _flow(_twelve(50)),
			"non_elective_los": _flow(_twelve(300)),
		},
		# Only non-elective: the missing ordinary line must count as zero.
		"09Y": {"non_elective_los": _flow(_twelve(100))},
	},
	"capacity": {
		"beds_core": {"months": [100, 100, 0, 100, 100, 100, 100, 100, 100, 100, 100, 100]},
		"beds_escalation": {"months": [10, 10, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10]},
		"beds_occupied": {"months": _twelve(90)},
		"los_elective_ordinary": 3,
		"los_non_elective": 7.5,
	},
}

test_days_in_month if {
	every m, want in [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29, 31] {
		lib.days_in_month("2019/20", m + 1) == want
	}
}

test_days_in_february if {
	lib.days_in_month("2018/19", 11) == 28 # February 2019
	lib.days_in_month("2019/20", 11) == 29 # February 2020
	lib.days_in_month("2099/00", 11) == 28 # 2100 is divisible by 100
	lib.days_in_month("1999/00", 11) == 29 # 2000 is divisible by 400
}

test_bed_days_needed_adds_commissioners if {
	# 50 x 3 + 300 x 7.5 + 100 x 7.5 every month
	lib.bed_days_needed(_capacity_provider) == _twelve(3150)
}

test_bed_days_needed_without_bedded_lines if {
	lib.bed_days_needed({
		"activity": {"09N": {"op_first": _flow(_twelve(500))}},
		"capacity": {"los_elective_ordinary": 3, "los_non_elective": 6},
	}) == _twelve(0)
}

test_occupancy_month if {
	lib.occupancy(_capacity_provider)[1] == {
		"month": 1, "basis": "derived", "bed_days": 3150, "beds_core": 100, "beds_escalation": 10,
		"days": 30, "bed_days_open": 3300, "pct": (3150 * 100) / 3300,
	}
}

test_occupancy_uses_leap_february if {
	lib.occupancy(_capacity_provider)[11].bed_days_open == 110 * 29
}

test_occupancy_without_beds_has_no_pct if {
	o := lib.occupancy(_capacity_provider)[3]
	o.bed_days_open == 0
	not o.pct
	lib.occupancy_above(o, 100)
}

test_occupancy_covers_twelve_months if {
	count(lib.occupancy(_capacity_provider)) == 12
}

test_occupancy_above if {
	lib.occupancy_above({"bed_days": 93, "bed_days_open": 100, "pct": 93}, 92)
	not lib.occupancy_above({"bed_days": 92, "bed_days_open": 100, "pct": 92}, 92)
	not lib.occupancy_above({"bed_days": 0, "bed_days_open": 0}, 92)
}

test_provider_occupancy_keyed_by_provider if {
	occupancy := lib.provider_occupancy with input as {"plans": {
		"RTK": _capacity_provider,
		"09N": {"kind": "commissioner", "org": "09N", "contracts": {}},
	}}
	object.keys(occupancy) == {"RTK"}
	occupancy.RTK == lib.occupancy(_capacity_provider)
}

# A mental health trust: outpatients only, so no G&A spells to derive
# occupancy from; 300 beds open (6 escalation from December) and the
# occupied beds it declares.
_declared_provider := {
	"kind": "provider",
	"org": "RXX",
	"year": "2019/20",
	"activity": {"09N": {
		"op_first": _flow(_twelve(300)),
		# A bedded line planned at zero is no spell.
		"non_elective_los": _flow(_twelve(0)),
	}},
	"capacity": {
		"beds_core": {"months": [300, 300, 0, 300, 300, 300, 300, 300, 294, 294, 294, 294]},
		"beds_escalation": {"months": [0, 0, 0, 0, 0, 0, 0, 0, 6, 6, 6, 6]},
		"beds_occupied": {"months": [270, 276, 0, 285, 288, 300, 300, 300, 300, 300, 300, 300]},
		"los_elective_ordinary": 28,
		"los_non_elective": 35,
	},
}

test_plans_bedded_spells if {
	lib.plans_bedded_spells(_capacity_provider)
	not lib.plans_bedded_spells(_declared_provider)

	# One ordinary spell in one month is enough.
	lib.plans_bedded_spells(json.patch(_declared_provider, [{
		"op": "add", "path": "/activity/09N/elective_ordinary",
		"value": _flow([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
	}]))
}

test_declared_occupancy_month if {
	lib.declared_occupancy(_declared_provider)[1] == {
		"month": 1, "basis": "declared", "beds_occupied": 270, "bed_days": 8100,
		"beds_core": 300, "beds_escalation": 0, "days": 30, "bed_days_open": 9000, "pct": 90,
	}
}

test_declared_occupancy_full_winter if {
	o := lib.declared_occupancy(_declared_provider)[11]
	o.pct == 100
	o.bed_days == 300 * 29
	not lib.occupancy_above(o, 100)
	lib.occupancy_above(o, 92)
}

test_declared_occupancy_without_beds_has_no_pct if {
	o := lib.declared_occupancy(_declared_provider)[3]
	o.bed_days_open == 0
	not o.pct
	not lib.occupancy_above(o, 100)
}

test_occupancy_declared_without_bedded_spells if {
	lib.occupancy(_declared_provider) == lib.declared_occupancy(_declared_provider)
	lib.occupancy(_capacity_provider) == lib.derived_occupancy(_capacity_provider)
}

test_declared_occupancy_covers_twelve_months if {
	count(lib.declared_occupancy(_declared_provider)) == 12
}

test_bed_tenths_needed_is_ten_times_bed_days_needed if {
	lib.bed_tenths_needed(_capacity_provider) == _twelve(31500)
	every provider in [_capacity_provider, _declared_provider] {
		lib.bed_tenths_needed(provider) == [(need * 10) | some need in lib.bed_days_needed(provider)]
	}
}

test_year_days if {
	lib.year_days("2019/20") == [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29, 31]
	lib.year_days("2018/19")[10] == 28
}

test_bed_tenths_derived if {
	tenths := lib.bed_tenths(_capacity_provider)
	tenths.used[0] == 31500
	tenths.open[0] == (110 * 30) * 10
	tenths.open[2] == 0
	tenths.open[10] == (110 * 29) * 10
	count(tenths.used) == 12
	count(tenths.open) == 12
}

test_bed_tenths_declared if {
	tenths := lib.bed_tenths(_declared_provider)
	tenths.used[0] == (270 * 30) * 10
	tenths.open[0] == (300 * 30) * 10
	tenths.used[2] == 0
	tenths.open[2] == 0
}

# A plan short of months gives only the months it has, at their own index.
test_bed_tenths_short_months if {
	short := json.patch(_declared_provider, [
		{"op": "replace", "path": "/capacity/beds_escalation/months", "value": [0, 0, 0]},
		{"op": "replace", "path": "/capacity/beds_occupied/months", "value": [270, 276]},
	])
	tenths := lib.bed_tenths(short)
	tenths.open == [(300 * 30) * 10, (300 * 31) * 10, 0]
	tenths.used == [(270 * 30) * 10, (276 * 31) * 10]
	not lib.bed_tenths_in_month(short, 2)
	lib.bed_tenths_in_month(short, 1) == {"used": (276 * 31) * 10, "open": (300 * 31) * 10}
}

# Month by month, bed_tenths_in_month is bed_tenths: derived and declared,
# a month without beds, lengths of stay in decimals and a commissioner that
# plans only one of the bedded lines.
test_bed_tenths_in_month_agrees_with_bed_tenths if {
	decimal := json.patch(_capacity_provider, [
		{"op": "replace", "path": "/capacity/los_elective_ordinary", "value": 3.4},
		{"op": "replace", "path": "/capacity/los_non_elective", "value": 5.75},
	])
	every provider in [_capacity_provider, _declared_provider, decimal] {
		tenths := lib.bed_tenths(provider)
		every i, used in tenths.used {
			lib.bed_tenths_in_month(provider, i) == {"used": used, "open": tenths.open[i]}
		}
		count(tenths.used) == 12
		not lib.bed_tenths_in_month(provider, 12)
	}
}

test_bed_tenths_in_month_without_year if {
	not lib.bed_tenths_in_month(object.remove(_capacity_provider, ["year"]), 0)
}

# bed_days_above on bed_tenths says what occupancy_above says on occupancy,
# month by month, at limits on either side of each month's occupancy and
# exactly at it (95.45% derived, 100% declared in winter), and in a month
# with no beds open.
test_bed_days_above_agrees_with_occupancy_above if {
	every provider in [_capacity_provider, _declared_provider] {
		every limit in [0, 90, 92, 95, 95.5, 100, 120] {
			every m, _ in lib.occupancy(provider) {
				_above_in_tenths(provider, m, limit) == _above_in_occupancy(provider, m, limit)
			}
		}
	}
}

_above_in_tenths(provider, m, limit) if {
	tenths := lib.bed_tenths(provider)
	lib.bed_days_above(tenths.used[m - 1], tenths.open[m - 1], limit)
} else := false

_above_in_occupancy(provider, m, limit) if {
	lib.occupancy_above(lib.occupancy(provider)[m], limit)
} else := false

test_bed_days_above if {
	lib.bed_days_above(93, 100, 92)
	not lib.bed_days_above(92, 100, 92)
	lib.bed_days_above(1, 0, 100)
	not lib.bed_days_above(0, 0, 0)
}

test_provider_bed_tenths_keyed_by_provider if {
	tenths := lib.provider_bed_tenths with input as {"plans": {
		"RTK": _capacity_provider,
		"RXX": _declared_provider,
		"09N": {"kind": "commissioner", "org": "09N", "contracts": {}},
	}}
	object.keys(tenths) == {"RTK", "RXX"}
	tenths.RTK == lib.bed_tenths(_capacity_provider)
}
