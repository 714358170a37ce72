# METADATA
# title: Emergency activity has a seasonal profile
# description: |
#   Non-elective spells and A&E attendances summed over commissioners month by
#   month: a spread (max - min) below flat_profile.max_spread_pct (2%) of the
#   monthly mean is reported as a flat profile.
# custom:
#   id: B08
#   category: believability
#   severity: info
#   reads: plan
#   rationale: Emergency demand peaks in winter, so a flat monthly profile suggests an annual figure divided by twelve rather than a plan for when beds and staff are needed.
package triangulate.rules.b08

import data.triangulate.lib

# Emergency lines, whose demand peaks in winter.
_lines := {"non_elective", "ae_total"}

findings contains f if {
	limit := lib.thresholds.flat_profile.max_spread_pct
	some code, provider in lib.providers
	some line in _lines
	label := lib.activity_line_label(line)
	flows := [a[line].months | some a in provider.activity; a[line]]
	count(flows) > 0
	monthly := [sum([months[i] | some months in flows]) | some i, _ in lib.month_names]
	total := sum(monthly)
	total > 0

	# The spread, (max - min) * 100 / mean with mean = total / 12, below the
	# limit, tested without dividing; it is worked out only for a finding.
	(max(monthly) - min(monthly)) * 1200 < limit * total
	mean := total / 12
	spread := ((max(monthly) - min(monthly)) * 100) / mean
	f := lib.finding({
		"rule": "B08",
		"severity": "info",
		"org": code,
		"path": ["activity", _first_commissioner(provider.activity, line), line, "months"],
		"message": sprintf(
			"%s plans between %s and %s %s a month, a spread of %s%% of the monthly mean of %s, below %s%%: a flat profile with no winter peak",
			[
				code, lib.fmt_int(min(monthly)), lib.fmt_int(max(monthly)), label, _fmt_below(spread, limit),
				lib.fmt_int(mean), lib.fmt_limit(limit),
			],
		),
	})
}

# The profile is the whole trust's, so the finding sits on the line of the
# first commissioner in code order, a stable place in the file.
_first_commissioner(activity, line) := min({c | some c, a in activity; a[line]})

# _fmt_below(x, limit) prints x, which is below limit, with enough decimals to
# read as below it (1.98 is "1.98", not "2.0"): x below limit is -x above
# -limit.
_fmt_below(x, limit) := lib.fmt_decimal(x, lib.above_decimals(0 - x, 0 - limit))
