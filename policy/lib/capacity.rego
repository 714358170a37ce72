# G&A bed occupancy implied by a provider's planned activity, shared by B01
# (occupancy itself) and B02 (A&E performance at that occupancy), so both
# rules judge the same number.
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
	some i in numbers.range(0, 11)
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
	some i in numbers.range(0, 11)
	total := sum([months[i] | some months in flows])
]

# METADATA
# description: |
#   occupancy(provider) is the provider's planned G&A occupancy, keyed by month
#   1 (April) .. 12 (March). Each value holds month, bed_days (needed),
#   beds_core, beds_escalation, days, bed_days_open and, when any bed is open,
#   pct = 100 * bed_days / bed_days_open. A month with no bed open has no pct:
#   use occupancy_above rather than reading pct.
occupancy(provider) := {m: o |
	needed := bed_days_needed(provider)
	some i in numbers.range(0, 11)
	m := i + 1
	core := provider.capacity.beds_core.months[i]
	escalation := provider.capacity.beds_escalation.months[i]
	days := days_in_month(provider.year, m)
	bed_days := needed[i]
	open := (core + escalation) * days
	o := object.union(
		{
			"month": m, "bed_days": bed_days, "beds_core": core, "beds_escalation": escalation,
			"days": days, "bed_days_open": open,
		},
		_occupancy_pct(bed_days, open),
	)
}

_occupancy_pct(bed_days, open) := {"pct": (bed_days * 100) / open} if open > 0

_occupancy_pct(_, open) := {} if open == 0

# METADATA
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
#   code. B01 and B02 both read it; as a rule it is evaluated once per query,
#   not once per rule.
provider_occupancy := {code: occupancy(provider) | some code, provider in providers}
