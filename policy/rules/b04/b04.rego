# METADATA
# title: Activity growth is staffed or made productive
# description: |
#   Planned growth in elective, non-elective, outpatient and A&E activity above
#   growth.activity_pct (2%) over the prior year's outturn, while the average
#   planned WTE is no higher than the prior year's, must be covered by the CIP's
#   productivity schemes: their value must be at least the gap between activity
#   growth and WTE growth (in points) times the pay bill (substantive, bank and
#   agency). A trust with no productivity scheme, or too small a one, gets a
#   warning.
# custom:
#   id: B04
#   category: believability
#   severity: warning
#   reads: plan
#   rationale: More activity needs more staff or more output per member of staff, so growth planned with flat or falling WTE needs productivity schemes worth the staff time the extra activity would otherwise cost; without them the plan lacks the read-across between activity and workforce plans that NHSI found missing in 2018.
package triangulate.rules.b04

import data.triangulate.lib

# The lines whose sum measures a trust's clinical activity.
_lines := ["elective", "non_elective", "op_first", "op_followup", "ae_total"]

findings contains f if {
	some code, provider in lib.providers

	# A trust planning more staff than last year has no gap to cover: that
	# is settled before any activity is added up.
	not _staff_grows(provider)
	prior_wte := provider.prior_year.wte
	planned := _planned(provider.activity)
	prior := _prior(provider.prior_year.activity)
	prior > 0
	growth := lib.growth_pct(planned, prior)
	growth > lib.thresholds.growth.activity_pct
	wte := sum(provider.workforce.total) / count(provider.workforce.total)
	wte <= prior_wte

	# The staff time the extra activity needs, at this year's pay: growth
	# minus WTE growth (WTE growth is 0 or less here) times the pay bill.
	pay := _pay(provider.finance.expenditure.pay)
	gap := growth - _wte_growth(wte, prior_wte)
	required := (gap * pay) / 100
	productivity := sum([scheme.value |
		some scheme in provider.finance.cip.schemes
		scheme.category == "productivity"
	])
	productivity < required
	f := lib.finding({
		"rule": "B04",
		"severity": "warning",
		"org": code,
		"path": ["workforce", "total"],
		"message": concat("", [
			sprintf(
				"%s plans %s%% more activity than in %s (%s elective and non-elective spells, outpatient and A&E attendances against %s), above %s%%, with %s WTE on average against %s in %s",
				[
					code, lib.fmt_above(growth, lib.thresholds.growth.activity_pct), provider.prior_year.year, lib.fmt_int(planned), lib.fmt_int(prior),
					lib.fmt_limit(lib.thresholds.growth.activity_pct), lib.fmt_int(wte), lib.fmt_int(prior_wte), provider.prior_year.year,
				],
			),
			_cover(productivity, {
				# The gap as precise as the growth, so 2.02% growth with flat
				# WTE reads as a 2.02-point gap.
				"gap": lib.fmt_decimal(gap, lib.above_decimals(growth, lib.thresholds.growth.activity_pct)),
				"required": required, "pay": pay,
			}),
		]),
	})
}

_cover(productivity, need) := sprintf(
	" and no productivity savings in its CIP: the %s-point gap between activity and WTE growth on its %s pay bill needs %s of productivity",
	[need.gap, lib.fmt_gbp(need.pay), lib.fmt_gbp(need.required)],
) if productivity == 0

_cover(productivity, need) := sprintf(
	": its productivity schemes come to %s, short of the %s that the %s-point gap between activity and WTE growth is worth on its %s pay bill",
	[lib.fmt_gbp(productivity), lib.fmt_gbp(need.required), need.gap, lib.fmt_gbp(need.pay)],
) if productivity != 0

# _staff_grows(provider) holds when the provider's average planned WTE is
# above its prior year's, so that the rule cannot fire. It reads
# well-formed figures only, so it cannot fail an evaluation: anything else
# is left to the rule itself.
_staff_grows(provider) if {
	total := provider.workforce.total
	is_array(total)
	count(total) > 0
	every x in total {
		is_number(x)
	}
	is_number(provider.prior_year.wte)
	sum(total) / count(total) > provider.prior_year.wte
}

_pay(pay) := (pay.substantive + pay.bank) + pay.agency

_wte_growth(wte, prior) := lib.growth_pct(wte, prior) if prior != 0

_wte_growth(_, 0) := 0

# Annual values are month sums (I01 checks the declared totals separately).
_planned(activity) := sum([sum(block[line].months) |
	some block in activity
	some line in _lines
	block[line]
])

_prior(activity) := sum([block[line] |
	some block in activity
	some line in _lines
	block[line]
])
