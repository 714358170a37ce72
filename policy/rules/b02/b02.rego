# METADATA
# title: A&E performance fits the planned occupancy
# description: |
#   A month whose planned G&A occupancy is above occupancy.warning_pct (92%)
#   while the A&E 4-hour rate is planned at or above standards.ae_4h_pct (95%).
# custom:
#   id: B02
#   category: believability
#   severity: warning
#   reads: plan
#   rationale: Patients wait in A&E for a bed when G&A occupancy runs above 92%, so a trajectory meeting the 95% four-hour standard in such a month does not read across from the capacity plan (NHSI 2018 on read-across between activity, capacity and performance).
package triangulate.rules.b02

import data.triangulate.lib

findings contains f if {
	limit := lib.thresholds.occupancy.warning_pct
	standard := lib.thresholds.standards.ae_4h_pct

	# The months planned at or above the standard are found on the A&E
	# trajectory first (few are), and only their beds are added up. A
	# figure that is not a number is left alone here (the schema reports
	# it).
	some code, provider in lib.providers
	trajectory := provider.performance.ae_4h
	some i, attendances in trajectory.denominator
	is_number(attendances)
	attendances > 0
	seen := trajectory.numerator[i]
	is_number(seen)

	# The rate (seen * 100 / attendances) at or above the standard, tested
	# without dividing.
	seen * 100 >= standard * attendances

	# A month needing beds with none open is B01's error; there is no
	# occupancy to quote here.
	beds := lib.bed_tenths_in_month(provider, i)
	beds.open > 0
	lib.bed_days_above(beds.used, beds.open, limit)
	m := i + 1
	rate := (seen * 100) / attendances
	o := lib.occupancy(lib.providers[code])[m]
	f := lib.finding({
		"rule": "B02",
		"severity": "warning",
		"org": code,
		"path": ["performance", "ae_4h", "numerator", m - 1],
		"month": m,
		"message": sprintf(
			"%s plans to see %s%% of A&E attendances within 4 hours in %s (%s of %s) with G&A occupancy planned at %s%%, above %s%%: meeting the %s%% standard with beds that full is not credible",
			[
				code, lib.fmt_decimal(rate, 1), lib.month_label(m), lib.fmt_int(seen), lib.fmt_int(attendances),
				lib.fmt_above(o.pct, limit), lib.fmt_limit(limit), lib.fmt_limit(standard),
			],
		),
	})
}
