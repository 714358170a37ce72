# METADATA
# title: Cost improvement plan is deliverable
# description: |
#   CIP (finance.cip.total) as a share of operating expenditure (pay and
#   non-pay): above cip.warning_pct (4%) a warning, above cip.error_pct (6%) an
#   error; and a non-recurrent share of the CIP above
#   cip.non_recurrent_share_pct (25%) a warning.
# custom:
#   id: B06
#   category: believability
#   severity: error
#   reads: plan
#   rationale: Trusts delivered CIPs of 3.7% of expenditure in 2017/18 and plans of 6% in 2011/12 were judged not credible, while non-recurrent savings leave the same gap to close the following year.
package triangulate.rules.b06

import data.triangulate.lib

findings contains f if {
	some code, provider in lib.providers
	cip := provider.finance.cip.total
	opex := _operating_expenditure(provider.finance.expenditure)
	opex > 0
	share := (cip * 100) / opex
	share > lib.thresholds.cip.warning_pct
	band := _band(share, lib.thresholds.cip)
	f := lib.finding({
		"rule": "B06",
		"severity": band.severity,
		"org": code,
		"path": ["finance", "cip", "total"],
		"message": sprintf(
			"%s plans CIP savings of %s, %s%% of its %s operating expenditure (pay and non-pay), above %s%%",
			[code, lib.fmt_gbp(cip), lib.fmt_above(share, band.limit), lib.fmt_gbp(opex), lib.fmt_limit(band.limit)],
		),
	})
}

findings contains f if {
	some code, provider in lib.providers
	cip := provider.finance.cip
	cip.total > 0
	share := (cip.non_recurrent * 100) / cip.total
	share > lib.thresholds.cip.non_recurrent_share_pct
	f := lib.finding({
		"rule": "B06",
		"severity": "warning",
		"org": code,
		"path": ["finance", "cip", "non_recurrent"],
		"message": sprintf(
			"%s plans %s of its %s CIP as non-recurrent savings, %s%%, above %s%%: the gap they cover returns next year",
			[
				code, lib.fmt_gbp(cip.non_recurrent), lib.fmt_gbp(cip.total), lib.fmt_above(share, lib.thresholds.cip.non_recurrent_share_pct),
				lib.fmt_limit(lib.thresholds.cip.non_recurrent_share_pct),
			],
		),
	})
}

# Depreciation and financing are not run costs a CIP can cut.
_operating_expenditure(expenditure) := ((expenditure.pay.substantive + expenditure.pay.bank) + expenditure.pay.agency) + expenditure.non_pay

_band(share, limits) := {"severity": "error", "limit": limits.error_pct} if {
	share > limits.error_pct
} else := {"severity": "warning", "limit": limits.warning_pct}
