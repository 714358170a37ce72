# METADATA
# title: Pay follows workforce
# description: |
#   A trust's pay bill (substantive, bank and agency, £000) against its average
#   planned WTE (mean of workforce.total): pay per WTE outside
#   read_across.pay_per_wte_min_gbp000 (£35k) to
#   read_across.pay_per_wte_max_gbp000 (£75k) is a warning; so is pay growth
#   over prior_year.pay minus WTE growth over prior_year.wte outside
#   read_across.pay_award_pct (2.5%) plus or minus
#   read_across.pay_wte_gap_points (3 points). Bounds included.
# custom:
#   id: R02
#   category: read_across
#   severity: warning
#   reads: plan
#   rationale: >-
#     Pay is staff times what they are paid: about £45-55k per WTE with on-costs
#     in an acute trust, growing with the WTE plus about the pay award. A pay bill
#     that does not read across to the workforce plan (NHSI 2018) is either the
#     wrong pay bill or the wrong workforce, e.g. pay moved to non-pay with the
#     staff unchanged.
package triangulate.rules.r02

import data.triangulate.lib

# Pay per WTE outside the band.
findings contains f if {
	limits := lib.thresholds.read_across
	some code, provider in lib.providers
	wte := _mean(provider.workforce.total)
	wte > 0
	pay := _pay(provider.finance.expenditure.pay)
	per_wte := pay / wte
	band := {"low": limits.pay_per_wte_min_gbp000, "high": limits.pay_per_wte_max_gbp000}
	_outside(per_wte, band)
	f := lib.finding({
		"rule": "R02",
		"severity": "warning",
		"org": code,
		"path": ["workforce", "total"],
		"related": [{"org": code, "path": ["finance", "expenditure", "pay"]}],
		"message": sprintf(
			"%s plans a pay bill of %s (substantive, bank and agency) for %s WTE on average: £%sk per WTE, outside £%sk to £%sk",
			[
				code, lib.fmt_gbp(pay), lib.fmt_int(wte), _fmt_outside(per_wte, band),
				lib.fmt_limit(band.low), lib.fmt_limit(band.high),
			],
		),
	})
}

# Pay growth does not follow WTE growth.
findings contains f if {
	limits := lib.thresholds.read_across
	some code, provider in lib.providers
	prior_pay := provider.prior_year.pay
	prior_pay > 0
	prior_wte := provider.prior_year.wte
	prior_wte > 0
	wte := _mean(provider.workforce.total)
	pay := _pay(provider.finance.expenditure.pay)
	pay_growth := lib.growth_pct(pay, prior_pay)
	wte_growth := lib.growth_pct(wte, prior_wte)
	gap := pay_growth - wte_growth
	band := {
		"low": limits.pay_award_pct - limits.pay_wte_gap_points,
		"high": limits.pay_award_pct + limits.pay_wte_gap_points,
	}
	_outside(gap, band)
	f := lib.finding({
		"rule": "R02",
		"severity": "warning",
		"org": code,
		"path": ["finance", "expenditure", "pay"],
		"related": [{"org": code, "path": ["workforce", "total"]}],
		"message": sprintf(
			"%s plans a pay bill of %s, %s on %s in %s, with %s WTE on average, %s on %s: pay growth minus WTE growth is %s points, outside the pay award of %s%% plus or minus %s points (%s to %s)",
			[
				code, lib.fmt_gbp(pay), _signed_pct(pay_growth), lib.fmt_gbp(prior_pay), provider.prior_year.year,
				lib.fmt_int(wte), _signed_pct(wte_growth), lib.fmt_int(prior_wte),
				_fmt_gap(gap, band), lib.fmt_limit(limits.pay_award_pct), lib.fmt_limit(limits.pay_wte_gap_points),
				lib.fmt_limit(band.low), lib.fmt_limit(band.high),
			],
		),
	})
}

_pay(pay) := (pay.substantive + pay.bank) + pay.agency

# WTE is a stock: the year's figure is the mean of the months.
_mean(months) := sum(months) / count(months)

_outside(x, band) if x > band.high

_outside(x, band) if x < band.low

# _fmt_outside prints x with enough decimals to show it outside the band:
# "75.1" above £75k, "34.9" below £35k.
_fmt_outside(x, band) := lib.fmt_above(x, band.high) if x > band.high

_fmt_outside(x, band) := lib.fmt_decimal(x, lib.above_decimals(0 - x, 0 - band.low)) if x < band.low

# A gap in points carries its sign: "+5.6", "-0.6".
_fmt_gap(x, band) := concat("", ["+", _fmt_outside(x, band)]) if x > 0

_fmt_gap(x, band) := _fmt_outside(x, band) if x <= 0

_signed_pct(x) := sprintf("up %s%%", [lib.fmt_decimal(x, 1)]) if x >= 0

_signed_pct(x) := sprintf("down %s%%", [lib.fmt_decimal(0 - x, 1)]) if x < 0
