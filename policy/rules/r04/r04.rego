# METADATA
# title: Unidentified CIP is a minor share
# description: |
#   The value of a trust's CIP schemes marked identified: false (targets
#   without a named plan behind them) above read_across.unidentified_cip_share_pct
#   (25%) of its CIP total is a warning. The finding sits on the largest
#   unidentified scheme.
# custom:
#   id: R04
#   category: read_across
#   severity: warning
#   reads: plan
#   rationale: >-
#     Savings without an identified scheme are the CIP least likely to be
#     delivered (CIP delivery ran at 3.7% in 2017/18 against larger plans); an
#     unidentified share above 25% (assumption, policy data) is a risk the
#     financial plan does not read across to any operational change.
package triangulate.rules.r04

import data.triangulate.lib

findings contains f if {
	limit := lib.thresholds.read_across.unidentified_cip_share_pct
	some code, provider in lib.providers
	cip := provider.finance.cip
	cip.total > 0
	unidentified := {i: scheme.value | some i, scheme in cip.schemes; scheme.identified == false}
	count(unidentified) > 0
	value := sum([v | some v in unidentified])
	value * 100 > limit * cip.total
	largest := max([v | some v in unidentified])
	first := min([i | some i, v in unidentified; v == largest])
	f := lib.finding({
		"rule": "R04",
		"severity": "warning",
		"org": code,
		"path": ["finance", "cip", "schemes", first, "identified"],
		"message": sprintf(
			"%s plans %s of its %s CIP in %d unidentified %s: %s%% of the total, above %s%%",
			[
				code, lib.fmt_gbp(value), lib.fmt_gbp(cip.total), count(unidentified), _schemes(count(unidentified)),
				lib.fmt_above((value * 100) / cip.total, limit), lib.fmt_limit(limit),
			],
		),
	})
}

_schemes(1) := "scheme"

_schemes(n) := "schemes" if n != 1
