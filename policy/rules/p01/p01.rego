# METADATA
# title: Trajectories below standard all year recover
# description: |
#   A performance trajectory that misses its constitutional standard in every
#   month (A&E 4 hours standards.ae_4h_pct, RTT 18 weeks rtt_18w_pct, cancer 62
#   days cancer_62d_pct; diagnostics over 6 weeks above
#   diagnostics_6w_max_pct) must end the year better than it starts: an M12
#   rate no better than M1 is a warning.
# custom:
#   id: P01
#   category: performance
#   severity: warning
#   reads: plan
#   rationale: >-
#     Planning guidance expects organisations that miss a constitutional
#     standard to plan a recovery towards it; a year-long shortfall with no
#     improvement is a plan to keep failing patients.
package triangulate.rules.p01

import data.triangulate.lib

# Each trajectory's standard (a threshold key) and direction: for most the
# rate of patients seen in time must reach the standard; for diagnostics the
# rate of patients waiting over 6 weeks must stay below its maximum.
_standards := {
	"ae_4h": {"key": "ae_4h_pct", "higher_is_better": true, "label": "A&E 4-hour performance"},
	"rtt_18w": {"key": "rtt_18w_pct", "higher_is_better": true, "label": "RTT 18-week performance"},
	"cancer_62d": {"key": "cancer_62d_pct", "higher_is_better": true, "label": "cancer 62-day performance"},
	"diagnostics_6w": {
		"key": "diagnostics_6w_max_pct", "higher_is_better": false,
		"label": "the share of diagnostic patients waiting over 6 weeks",
	},
}

findings contains f if {
	some code, plan in lib.providers
	some name, trajectory in plan.performance
	standard := _standards[name]
	limit := lib.thresholds.standards[standard.key]

	count(trajectory.numerator) == 12

	# A rate is 100 * numerator / denominator. The tests compare in whole
	# numbers, so no rate is divided out until there is a finding to print;
	# most trajectories improve, so that is tested first.
	not _better(
		standard.higher_is_better,
		trajectory.numerator[11] * trajectory.denominator[0],
		trajectory.numerator[0] * trajectory.denominator[11],
	)
	_short_all_year(standard.higher_is_better, trajectory, limit)
	f := lib.finding({
		"rule": "P01",
		"severity": "warning",
		"org": code,
		"path": ["performance", name, "numerator"],
		"message": sprintf("%s plans %s %s in every month, from %s in %s to %s in %s: no recovery during the year", [
			code, standard.label, _miss(standard.higher_is_better, limit),
			_fmt_pct(_rate(trajectory, 0)), lib.month_label(1), _fmt_pct(_rate(trajectory, 11)), lib.month_label(12),
		]),
	})
}

# _short_all_year(higher_is_better, trajectory, limit) holds when the rate
# misses the standard in every month: below limit, or above it where lower
# is better. A month with no patients counted has no rate, and so no
# shortfall. 100 * numerator is compared with limit * denominator, the rate
# and the limit both times the denominator.
_short_all_year(true, trajectory, limit) if {
	every i, numerator in trajectory.numerator {
		trajectory.denominator[i] > 0
		100 * numerator < limit * trajectory.denominator[i]
	}
}

_short_all_year(false, trajectory, limit) if {
	every i, numerator in trajectory.numerator {
		trajectory.denominator[i] > 0
		100 * numerator > limit * trajectory.denominator[i]
	}
}

# _better(higher_is_better, later, earlier) holds when the later rate is
# better; both are scaled by the two months' denominators.
_better(true, later, earlier) if later > earlier

_better(false, later, earlier) if later < earlier

# _rate(trajectory, i) is month i's rate in percent.
_rate(trajectory, i) := (100 * trajectory.numerator[i]) / trajectory.denominator[i]

_miss(true, limit) := sprintf("below the %s standard", [_fmt_pct(limit)])

_miss(false, limit) := sprintf("above the %s maximum", [_fmt_pct(limit)])

# A rate with one decimal. sprintf's %f cannot print a whole number (OPA
# passes it as an integer), and a standard such as 95 is one.
_fmt_pct(x) := sprintf("%d.%d%%", [floor(tenths / 10), tenths % 10]) if tenths := round(x * 10)
