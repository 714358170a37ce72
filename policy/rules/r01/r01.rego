# METADATA
# title: Income follows activity
# description: |
#   For each commissioner a trust plans income from, with income and priced
#   activity in the prior year: income growth (finance.income.by_commissioner
#   total against prior_year.income) minus the growth of its activity with that
#   commissioner valued at read_across.unit_prices_gbp (annual volume, the sum
#   of months, times the line's unit price; a line one year leaves out counts as
#   zero) must lie within read_across.tariff_uplift_pct (2.5%) plus or minus
#   read_across.income_activity_gap_points (3 points), bounds included.
# custom:
#   id: R01
#   category: read_across
#   severity: warning
#   reads: pair
#   rationale: >-
#     Patient-care income is activity times price, so income should grow by the
#     activity growth plus about the tariff uplift; NHSI (2018) found
#     insufficient read-across between activity plans and financial plans, and
#     income growing with activity flat is income no contract will pay.
package triangulate.rules.r01

import data.triangulate.lib

findings contains f if {
	limits := lib.thresholds.read_across
	band := {
		"low": limits.tariff_uplift_pct - limits.income_activity_gap_points,
		"high": limits.tariff_uplift_pct + limits.income_activity_gap_points,
	}
	some p_code, provider in lib.providers
	some c_code, income in provider.finance.income.by_commissioner
	prior_income := provider.prior_year.income[c_code]
	prior_income > 0
	prior_value := _prior_value(object.get(provider.prior_year.activity, c_code, {}), limits.unit_prices_gbp)
	prior_value > 0
	value := _plan_value(object.get(provider.activity, c_code, {}), limits.unit_prices_gbp)

	# The gap, income growth minus activity growth in points, is
	# 100 * (income / prior_income - value / prior_value): times
	# prior_income * prior_value it is a whole number, so the band is tested
	# without dividing, and the growths are worked out only for a finding.
	scale := prior_income * prior_value
	_outside_scaled(100 * ((income.total * prior_value) - (value * prior_income)), scale, band)
	income_growth := lib.growth_pct(income.total, prior_income)
	activity_growth := lib.growth_pct(value, prior_value)
	gap := income_growth - activity_growth
	f := lib.finding({
		"rule": "R01",
		"severity": "warning",
		"org": p_code,
		"orgs": [p_code, c_code],
		"path": ["finance", "income", "by_commissioner", c_code, "total"],
		"related": [{"org": p_code, "path": ["activity", c_code]}],
		"message": sprintf(
			"%s plans %s of income from %s, %s on %s in %s, but its activity with %s valued at national unit prices is %s (%s against %s): income growth minus activity growth is %s points, outside the tariff uplift of %s%% plus or minus %s points (%s to %s)",
			[
				p_code, lib.fmt_gbp(income.total), c_code, _signed_pct(income_growth), lib.fmt_gbp(prior_income), provider.prior_year.year,
				c_code, _signed_pct(activity_growth), lib.fmt_gbp(value / 1000), lib.fmt_gbp(prior_value / 1000),
				_fmt_gap(gap, band), lib.fmt_limit(limits.tariff_uplift_pct), lib.fmt_limit(limits.income_activity_gap_points),
				lib.fmt_limit(band.low), lib.fmt_limit(band.high),
			],
		),
	})
}

# Activity value in £ (unit prices are in £, not £000). Volumes are added
# with the builtin sum before the one multiplication per line: Rego
# arithmetic is slow.
# A line without a unit price, or left out, adds nothing.
_plan_value(lines, prices) := sum([v |
	some line, flow in lines
	price := prices[line]
	v := sum(flow.months) * price
])

_prior_value(annual, prices) := sum([v |
	some line, volume in annual
	price := prices[line]
	v := volume * price
])

# _outside_scaled(x, scale, band) holds when x / scale is outside the band
# (scale > 0).
_outside_scaled(x, scale, band) if x > band.high * scale

_outside_scaled(x, scale, band) if x < band.low * scale

# _fmt_gap prints a gap outside the band with its sign and enough decimals
# to show it outside: "+5.6", "-0.6".
_fmt_gap(x, band) := concat("", [_plus(x), lib.fmt_above(x, band.high)]) if x > band.high

_fmt_gap(x, band) := concat("", [_plus(x), lib.fmt_decimal(x, lib.above_decimals(0 - x, 0 - band.low))]) if x < band.low

_plus(x) := "+" if x > 0

_plus(x) := "" if x <= 0

_signed_pct(x) := sprintf("up %s%%", [lib.fmt_decimal(x, 1)]) if x >= 0

_signed_pct(x) := sprintf("down %s%%", [lib.fmt_decimal(0 - x, 1)]) if x < 0
