# METADATA
# title: Contract value agrees between commissioner and provider
# description: |
#   For every contract, the provider's income from the commissioner
#   (finance.income.by_commissioner total) is compared with the commissioner's
#   contract value: a gap above alignment.contract_error_pct (5%) of the
#   commissioner's value is an error, otherwise a gap above the larger of
#   alignment.contract_warning_gbp000 (£500k) and alignment.contract_warning_pct
#   (1%) of it is a warning.
# custom:
#   id: A02
#   category: alignment
#   severity: error
#   rationale: >-
#     A contract the two sides value differently leaves a hole in one of their
#     financial plans, the "insufficient read-across" between activity and
#     financial plans NHS Improvement found in 2018.
package triangulate.rules.a02

import data.triangulate.lib

findings contains f if {
	limits := lib.thresholds.alignment
	some p_code, provider in lib.providers
	some c_code, income in provider.finance.income.by_commissioner
	contract_value := lib.commissioners[c_code].contracts[p_code].value.total
	income.total != contract_value

	gap := abs(income.total - contract_value)
	error_limit := (contract_value * limits.contract_error_pct) / 100
	warning_limit := max([limits.contract_warning_gbp000, (contract_value * limits.contract_warning_pct) / 100])
	severity := lib.severity_band(gap, warning_limit, error_limit)

	f := lib.finding({
		"rule": "A02",
		"severity": severity,
		"org": p_code,
		"orgs": [p_code, c_code],
		"path": ["finance", "income", "by_commissioner", c_code, "total"],
		"related": [{"org": c_code, "path": ["contracts", p_code, "value", "total"]}],
		"message": sprintf("%s plans %s of income from %s; %s values its contract with %s at %s: %s apart, %s", [
			p_code, lib.fmt_gbp(income.total), c_code,
			c_code, p_code, lib.fmt_gbp(contract_value),
			lib.fmt_gbp(gap), _tolerance(severity, limits, warning_limit, error_limit),
		]),
	})
}

_tolerance("error", limits, _, error_limit) := sprintf("more than %s%% of the contract (%s)", [
	lib.fmt_limit(limits.contract_error_pct), lib.fmt_gbp(error_limit),
])

_tolerance("warning", limits, warning_limit, _) := sprintf("tolerance %s (the larger of %s and %s%% of the contract)", [
	lib.fmt_gbp(warning_limit), lib.fmt_gbp(limits.contract_warning_gbp000), lib.fmt_limit(limits.contract_warning_pct),
])
