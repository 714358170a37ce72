# METADATA
# title: Activity growth is staffed or made productive
# description: |
#   Planned growth in elective, non-elective, outpatient and A&E activity above
#   growth.activity_pct (2%) over the prior year's outturn, while the average
#   planned WTE is no higher than the prior year's and no CIP scheme is a
#   productivity scheme.
# custom:
#   id: B04
#   category: believability
#   severity: warning
#   rationale: More activity needs more staff or more output per member of staff, so growth planned with flat or falling WTE and no productivity scheme lacks the read-across between activity and workforce plans that NHSI found missing in 2018.
package triangulate.rules.b04

import data.triangulate.lib

# The lines whose sum measures a trust's clinical activity.
_lines := ["elective", "non_elective", "op_first", "op_followup", "ae_total"]

findings contains f if {
	some code, provider in lib.providers
	prior_wte := provider.prior_year.wte
	planned := _planned(provider.activity)
	prior := _prior(provider.prior_year.activity)
	prior > 0
	growth := lib.growth_pct(planned, prior)
	growth > lib.thresholds.growth.activity_pct
	wte := sum(provider.workforce.total) / count(provider.workforce.total)
	wte <= prior_wte
	not _has_productivity_scheme(provider.finance.cip.schemes)
	f := lib.finding({
		"rule": "B04",
		"severity": "warning",
		"org": code,
		"path": ["workforce", "total"],
		"message": sprintf(
			"%s plans %s%% more activity than in %s (%s elective and non-elective spells, outpatient and A&E attendances against %s), above %s%%, with %s WTE on average against %s in %s and no productivity scheme in its CIP",
			[
				code, lib.fmt_above(growth, lib.thresholds.growth.activity_pct), provider.prior_year.year, lib.fmt_int(planned), lib.fmt_int(prior),
				lib.fmt_limit(lib.thresholds.growth.activity_pct), lib.fmt_int(wte), lib.fmt_int(prior_wte), provider.prior_year.year,
			],
		),
	})
}

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

_has_productivity_scheme(schemes) if {
	some scheme in schemes
	scheme.category == "productivity"
}
