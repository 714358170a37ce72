# METADATA
# title: CCG mental health spend grows at least as fast as its allocation
# description: |
#   When the register's national asks set mental_health_investment_standard,
#   each CCG's planned mental health spend (finance.mental_health) must grow
#   over the prior year (prior_year.mental_health) at least as fast as its
#   allocation grows in the register (allocation over allocation_prior_year).
#   One warning per CCG below it, at its mental health line.
# custom:
#   id: N04
#   category: national
#   severity: warning
#   reads: all
#   plan_fields:
#     - finance.mental_health
#     - prior_year.mental_health
#   rationale: >-
#     The mental health investment standard in the NHS Operational Planning
#     and Contracting Guidance 2019/20 requires every CCG to increase its
#     mental health spend at least in line with its overall allocation growth,
#     to deliver the Five Year Forward View for Mental Health.
package triangulate.rules.n04

import data.triangulate.lib

findings contains f if {
	lib.register.national_asks.mental_health_investment_standard == true
	some code, plan in lib.commissioners
	spend := plan.finance.mental_health
	spend_prior := plan.prior_year.mental_health
	figures := lib.commissioner_figures(code)
	spend_prior > 0
	figures.allocation_prior_year > 0

	# spend / spend_prior < allocation / allocation_prior_year, without division.
	spend * figures.allocation_prior_year < figures.allocation * spend_prior
	needed := ceil((spend_prior * figures.allocation) / figures.allocation_prior_year)
	spend_growth := lib.growth_pct(spend, spend_prior)
	allocation_growth := lib.growth_pct(figures.allocation, figures.allocation_prior_year)
	d := _decimals(spend_growth, allocation_growth)
	f := lib.finding({
		"rule": "N04",
		"severity": "warning",
		"org": code,
		"scope": "national",
		"path": ["finance", "mental_health"],
		"related": [{"org": code, "doc": "register", "path": ["commissioners", code, "allocation"]}],
		"message": sprintf("%s plans mental health spend of %s, %s on %s in the prior year, while its allocation grows %s%% (%s to %s): the mental health investment standard needs at least %s, %s more", [
			code, lib.fmt_gbp(spend), _change_text(spend_growth, d), lib.fmt_gbp(spend_prior),
			lib.fmt_decimal(allocation_growth, d),
			lib.fmt_gbp(figures.allocation_prior_year), lib.fmt_gbp(figures.allocation),
			lib.fmt_gbp(needed), lib.fmt_gbp(needed - spend),
		]),
	})
}

# The fewest decimals (1 to 3) that print the spend growth below the
# allocation growth, so a message never reads "8.0% ... grows 8.0%".
_decimals(low, high) := array.concat(precise, [3])[0] if {
	precise := [d | some d in [1, 2, 3]; to_number(lib.fmt_decimal(low, d)) < to_number(lib.fmt_decimal(high, d))]
}

_change_text(pct, d) := sprintf("up %s%%", [lib.fmt_decimal(pct, d)]) if pct > 0

_change_text(pct, _) := "unchanged" if pct == 0

_change_text(pct, d) := sprintf("down %s%%", [lib.fmt_decimal(abs(pct), d)]) if pct < 0
