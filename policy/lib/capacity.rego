# G&A bed occupancy, shared by B01 (occupancy itself), B02 (A&E performance
# at that occupancy) and R03 (declared against derived occupied beds), so all
# judge the same number. A trust planning bedded spells has its occupancy
# derived from them; one planning none (mental health, community) has only
# the occupied beds it declares to go on.
package triangulate.lib

# Days of M1 (April) .. M12 (March) in a year whose February has 28 days.
_days_common := [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31]

# METADATA
# description: |
#   days_in_month(year, m) is the number of days of month m (1 = April) of the
#   financial year "YYYY/YY"; M11 is February of the second calendar year, so
#   days_in_month("2019/20", 11) is 29.
days_in_month(year, m) := _days_common[m - 1] + _leap_day(year, m)

_leap_day(year, m) := 1 if {
	m == 11
	_is_leap(to_number(substring(year, 0, 4)) + 1)
}

_leap_day(year, m) := 0 if {
	m == 11
	not _is_leap(to_number(substring(year, 0, 4)) + 1)
}

_leap_day(_, m) := 0 if m != 11

_is_leap(y) if {
	y % 4 == 0
	y % 100 != 0
}

_is_leap(y) if y % 400 == 0

# METADATA
# description: |
#   bed_days_needed(provider) lists, for M1 (April) .. M12 (March), the G&A
#   bed-days the provider's planned spells need: elective ordinary spells
#   (E.M.10b) and non-elective 1+ day spells (E.M.11b) from every commissioner,
#   each times its planned average length of stay. Day cases and zero-day stays
#   occupy no bed at midnight, so KH03 does not count them.
bed_days_needed(provider) := [need |
	some i, _ in month_names
	need := (ordinary[i] * provider.capacity.los_elective_ordinary) + (non_elective[i] * provider.capacity.los_non_elective)
] if {
	# Spells are added across commissioners before the lengths of stay
	# multiply them: Rego arithmetic is slow, builtin sums are not.
	ordinary := _monthly_total(provider.activity, "elective_ordinary")
	non_elective := _monthly_total(provider.activity, "non_elective_los")
}

# _monthly_total(activity, line) adds a line's months across commissioners; a
# commissioner that does not plan the line adds nothing.
_monthly_total(activity, line) := [total |
	flows := [a[line].months | some a in activity; a[line]]
	some i, _ in month_names
	total := sum([months[i] | some months in flows])
]

# METADATA
# description: |
#   plans_bedded_spells(provider) holds when the provider plans at least one
#   elective ordinary (E.M.10b) or non-elective 1+ day (E.M.11b) spell with any
#   commissioner in any month: the spells that occupy a G&A bed at midnight.
plans_bedded_spells(provider) if {
	some lines in provider.activity
	some line in _bedded_lines
	sum(lines[line].months) > 0
}

_bedded_lines := ["elective_ordinary", "non_elective_los"]

# METADATA
# description: |
#   derived_occupancy(provider) is the G&A occupancy the provider's planned
#   spells imply, keyed by month 1 (April) .. 12 (March). Each value holds
#   month, basis ("derived"), bed_days (needed by the spells), beds_core,
#   beds_escalation, days, bed_days_open and, when any bed is open,
#   pct = 100 * bed_days / bed_days_open. A month with no bed open has no pct:
#   use occupancy_above rather than reading pct.
derived_occupancy(provider) := {m: o |
	needed := bed_days_needed(provider)
	some i, _ in month_names
	m := i + 1
	core := provider.capacity.beds_core.months[i]
	escalation := provider.capacity.beds_escalation.months[i]
	days := days_in_month(provider.year, m)
	bed_days := needed[i]
	open := (core + escalation) * days
	o := object.union(
		{
			"month": m, "basis": "derived", "bed_days": bed_days, "beds_core": core,
			"beds_escalation": escalation, "days": days, "bed_days_open": open,
		},
		_occupancy_pct(bed_days, open),
	)
}

# METADATA
# description: |
#   declared_occupancy(provider) is the occupancy of the G&A beds the provider
#   declares occupied at midnight (capacity.beds_occupied), keyed by month
#   1 (April) .. 12 (March), in the shape of derived_occupancy with basis
#   "declared", beds_occupied, bed_days = beds_occupied * days and, when any
#   bed is open, pct = 100 * beds_occupied / beds open.
declared_occupancy(provider) := {m: o |
	some i, _ in month_names
	m := i + 1
	occupied := provider.capacity.beds_occupied.months[i]
	core := provider.capacity.beds_core.months[i]
	escalation := provider.capacity.beds_escalation.months[i]
	days := days_in_month(provider.year, m)
	o := object.union(
		{
			"month": m, "basis": "declared", "beds_occupied": occupied, "bed_days": occupied * days,
			"beds_core": core, "beds_escalation": escalation, "days": days,
			"bed_days_open": (core + escalation) * days,
		},
		_occupancy_pct(occupied, core + escalation),
	)
}

# METADATA
# description: |
#   occupancy(provider) is the provider's planned G&A occupancy:
#   derived_occupancy when it plans bedded spells, otherwise (a mental health
#   or community trust) declared_occupancy. Read o.basis to tell them apart.
occupancy(provider) := derived_occupancy(provider) if {
	plans_bedded_spells(provider)
} else := declared_occupancy(provider)

# _occupancy_pct(used, available) is used as a percentage of available, in
# bed-days or in beds; nothing when nothing is available.
_occupancy_pct(used, available) := {"pct": (used * 100) / available} if available > 0

_occupancy_pct(_, available) := {} if available == 0

# METADATA
# scope: document
# description: |
#   occupancy_above(o, limit) holds when month o of occupancy(provider) is
#   above limit percent; needing beds in a month with none open is above any
#   limit.
occupancy_above(o, limit) if o.pct > limit

occupancy_above(o, _) if {
	o.bed_days_open == 0
	o.bed_days > 0
}

# METADATA
# description: |
#   provider_occupancy is occupancy(provider) for every provider, keyed by ODS
#   code; as a rule it is evaluated once per query, not once per rule.
provider_occupancy := {code: occupancy(provider) | some code, provider in providers}

# METADATA
# description: |
#   year_days(year) lists the days of M1 (April) .. M12 (March) of the
#   financial year "YYYY/YY", days_in_month month by month. As a function of
#   the year alone it is worked out once per year, not once per provider.
year_days(year) := [days_in_month(year, i + 1) | some i, _ in month_names]

# METADATA
# description: |
#   bed_tenths(provider) is occupancy(provider) reduced to the two figures a
#   limit is tested on, month by month from M1 (April) (index 0) to M12
#   (March), in tenths of a bed-day: "used" holds the bed-days the spells need
#   (or, for a trust planning none, its declared occupied beds times the days)
#   and "open" the bed-days its core and escalation beds give, each times ten.
#   Tenths keep a length of stay given to one decimal in whole numbers, where
#   Rego's arithmetic is fast, and leave every ratio as it is: testing
#   bed_days_above on used[i] and open[i] is testing occupancy_above on month
#   i + 1 of occupancy(provider), without building a month's occupancy. Rules
#   build that only for a month they report. A month the plan does not give
#   is left out at the end of a list.
bed_tenths(provider) := {"used": used, "open": open} if {
	days := year_days(provider.year)
	used := _bed_tenths_used(provider, days)
	open := [(((core + escalation) * days[i]) * 10) |
		some i, core in provider.capacity.beds_core.months
		escalation := provider.capacity.beds_escalation.months[i]
	]
}

_bed_tenths_used(provider, _) := bed_tenths_needed(provider) if {
	plans_bedded_spells(provider)
}

_bed_tenths_used(provider, days) := [((occupied * days[i]) * 10) |
	some i, occupied in provider.capacity.beds_occupied.months
] if {
	not plans_bedded_spells(provider)
}

# METADATA
# description: |
#   bed_tenths_in_month(provider, i) is month i (0 = April .. 11 = March) of
#   bed_tenths(provider), {"used": used[i], "open": open[i]}, worked out for
#   that month alone: a rule that needs only a month or two of a provider's
#   year adds up only those. Undefined when the plan does not give the month.
bed_tenths_in_month(provider, i) := {"used": used, "open": ((core + escalation) * days) * 10} if {
	core := provider.capacity.beds_core.months[i]
	escalation := provider.capacity.beds_escalation.months[i]
	days := year_days(provider.year)[i]
	used := _bed_tenths_used_in_month(provider, i, days)
}

_bed_tenths_used_in_month(provider, i, _) := (ordinary * los_ordinary) + (non_elective * los_non_elective) if {
	plans_bedded_spells(provider)
	ordinary := _month_total(provider.activity, "elective_ordinary", i)
	non_elective := _month_total(provider.activity, "non_elective_los", i)
	los_ordinary := provider.capacity.los_elective_ordinary * 10
	los_non_elective := provider.capacity.los_non_elective * 10
}

_bed_tenths_used_in_month(provider, i, days) := (occupied * days) * 10 if {
	not plans_bedded_spells(provider)
	occupied := provider.capacity.beds_occupied.months[i]
}

# _month_total(activity, line, i) is _monthly_total(activity, line)[i]: the
# same months added in the same order.
_month_total(activity, line, i) := sum([a[line].months[i] | some a in activity; a[line]])

# METADATA
# description: |
#   bed_tenths_needed(provider) is bed_days_needed(provider) in tenths of a
#   bed-day: the lengths of stay times ten, so that one given to one decimal
#   multiplies in whole numbers.
bed_tenths_needed(provider) := [need |
	some i, _ in month_names
	need := (ordinary[i] * los_ordinary) + (non_elective[i] * los_non_elective)
] if {
	ordinary := _monthly_total(provider.activity, "elective_ordinary")
	non_elective := _monthly_total(provider.activity, "non_elective_los")
	los_ordinary := provider.capacity.los_elective_ordinary * 10
	los_non_elective := provider.capacity.los_non_elective * 10
}

# METADATA
# scope: document
# description: |
#   bed_days_above(used, open, limit) holds when used bed-days are above
#   limit percent of the open ones (both in the same unit, bed-days or
#   tenths), the test occupancy_above makes on a month's occupancy: needing
#   beds in a month with none open is above any limit.
bed_days_above(used, open, limit) if {
	open > 0
	used * 100 > limit * open
}

bed_days_above(used, open, _) if {
	open == 0
	used > 0
}

# METADATA
# description: |
#   provider_bed_tenths is bed_tenths(provider) for every provider, keyed by
#   ODS code; as a rule it is evaluated once per query, not once per rule.
provider_bed_tenths := {code: bed_tenths(provider) | some code, provider in providers}
