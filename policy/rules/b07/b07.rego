# METADATA
# title: Emergency demand grows in line with trend
# description: |
#   Planned growth in non-elective spells and A&E attendances (summed over
#   commissioners, against the prior year's outturn) more than
#   growth.prior_year_gap_points (2) percentage points below the growth seen in
#   the prior year (prior_year.growth_pct).
# custom:
#   id: B07
#   category: believability
#   severity: warning
#   reads: plan
#   rationale: Emergency demand is not planned away, and in 2015-16 non-elective activity ran 9% above what commissioners and providers had agreed, so growth planned well below the recent trend leaves the capacity, finance and performance plans short.
package triangulate.rules.b07

import data.triangulate.lib

# Emergency lines, whose demand follows the trend.
_lines := {"non_elective", "ae_total"}

findings contains f if {
	gap_limit := lib.thresholds.growth.prior_year_gap_points
	some code, provider in lib.providers
	some line in _lines
	label := lib.activity_line_label(line)
	trend := provider.prior_year.growth_pct[line]
	prior := sum([a[line] | some a in provider.prior_year.activity; a[line]])
	prior > 0
	planned := sum([sum(a[line].months) | some a in provider.activity; a[line]])
	growth := lib.growth_pct(planned, prior)
	gap := trend - growth
	gap > gap_limit

	# All three figures share the decimals that show the gap above its limit,
	# so they visibly add up.
	decimals := lib.above_decimals(gap, gap_limit)
	f := lib.finding({
		"rule": "B07",
		"severity": "warning",
		"org": code,
		"path": ["prior_year", "growth_pct", line],
		"message": sprintf(
			"%s plans growth of %s%% in %s (%s against %s in %s) after growth of %s%% in %s: %s points lower, more than %s",
			[
				code, lib.fmt_decimal(growth, decimals), label, lib.fmt_int(planned), lib.fmt_int(prior), provider.prior_year.year,
				lib.fmt_decimal(trend, decimals), provider.prior_year.year, lib.fmt_decimal(gap, decimals), lib.fmt_limit(gap_limit),
			],
		),
	})
}
