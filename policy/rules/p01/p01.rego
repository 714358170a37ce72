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

	# A month with no patients counted has no rate, and so no shortfall.
	rates := [((100 * numerator) / denominator) |
		some i, numerator in trajectory.numerator
		denominator := trajectory.denominator[i]
		denominator > 0
	]
	count(rates) == 12
	every rate in rates {
		_short(standard.higher_is_better, rate, limit)
	}
	not _better(standard.higher_is_better, rates[11], rates[0])
	f := lib.finding({
		"rule": "P01",
		"severity": "warning",
		"org": code,
		"path": ["performance", name, "numerator"],
		"message": sprintf("%s plans %s %s in every month, from %s in %s to %s in %s: no recovery during the year", [
			code, standard.label, _miss(standard.higher_is_better, limit),
			_fmt_pct(rates[0]), lib.month_label(1), _fmt_pct(rates[11]), lib.month_label(12),
		]),
	})
}

_short(true, rate, limit) if rate < limit

_short(false, rate, limit) if rate > limit

_better(true, later, earlier) if later > earlier

_better(false, later, earlier) if later < earlier

_miss(true, limit) := sprintf("below the %s standard", [_fmt_pct(limit)])

_miss(false, limit) := sprintf("above the %s maximum", [_fmt_pct(limit)])

# A rate with one decimal. sprintf's %f cannot print a whole number (OPA
# passes it as an integer), and a standard such as 95 is one.
_fmt_pct(x) := sprintf("%d.%d%%", [floor(tenths / 10), tenths % 10]) if tenths := round(x * 10)
