# METADATA
# title: Contract value agrees between commissioner and provider
# description: |
#   For every contract either side names, the provider's income from the
#   commissioner (finance.income.by_commissioner total) is compared with the
#   commissioner's contract value, a side without the line counting £0: a gap above alignment.contract_error_pct (5%) of the
#   commissioner's value is an error, otherwise a gap above the larger of
#   alignment.contract_warning_gbp000 (£500k) and alignment.contract_warning_pct
#   (1%) of it is a warning.
# custom:
#   id: A02
#   category: alignment
#   severity: error
#   reads: pair
#   rationale: >-
#     A contract the two sides value differently leaves a hole in one of their
#     financial plans, the "insufficient read-across" between activity and
#     financial plans NHS Improvement found in 2018.
package triangulate.rules.a02

import data.triangulate.lib

findings contains f if {
	limits := lib.thresholds.alignment
	some [p_code, c_code] in _contracts
	income := _income(p_code, c_code)
	contract_value := _contract_value(p_code, c_code)
	income != contract_value

	gap := abs(income - contract_value)
	error_limit := (contract_value * limits.contract_error_pct) / 100
	warning_limit := max([limits.contract_warning_gbp000, (contract_value * limits.contract_warning_pct) / 100])
	severity := lib.severity_band(gap, warning_limit, error_limit)

	f := lib.finding({
		"rule": "A02",
		"severity": severity,
		"org": p_code,
		"orgs": [p_code, c_code],
		"path": _provider_path(p_code, c_code),
		"related": [{"org": c_code, "path": _commissioner_path(p_code, c_code)}],
		"message": sprintf("%s; %s: %s apart, %s", [
			_provider_says(p_code, c_code, income),
			_commissioner_says(p_code, c_code, contract_value),
			lib.fmt_gbp(gap), _tolerance(severity, limits, warning_limit, error_limit),
		]),
	})
}

# Every contract either side names, where both sides have a plan: a contract
# one side leaves out is £0 there, so money dropped from one plan (and the
# I&E restated to match) cannot slip through. A side with no plan at all is
# A04's concern.
_contracts contains [p_code, c_code] if {
	some p_code, provider in lib.providers
	some c_code, _ in provider.finance.income.by_commissioner
	lib.commissioners[c_code]
}

_contracts contains [p_code, c_code] if {
	some c_code, commissioner in lib.commissioners
	some p_code, _ in commissioner.contracts
	lib.providers[p_code]
}

_income(p_code, c_code) := object.get(lib.providers[p_code].finance.income.by_commissioner, [c_code, "total"], 0)

_contract_value(p_code, c_code) := object.get(lib.commissioners[c_code].contracts, [p_code, "value", "total"], 0)

_provider_path(p_code, c_code) := ["finance", "income", "by_commissioner", c_code, "total"] if {
	lib.providers[p_code].finance.income.by_commissioner[c_code]
} else := ["finance", "income", "by_commissioner"]

_commissioner_path(p_code, c_code) := ["contracts", p_code, "value", "total"] if {
	lib.commissioners[c_code].contracts[p_code]
} else := ["contracts"]

_provider_says(p_code, c_code, income) := sprintf("%s plans %s of income from %s", [p_code, lib.fmt_gbp(income), c_code]) if {
	lib.providers[p_code].finance.income.by_commissioner[c_code]
} else := sprintf("%s plans no income from %s (no such line)", [p_code, c_code])

_commissioner_says(p_code, c_code, value) := sprintf("%s values its contract with %s at %s", [c_code, p_code, lib.fmt_gbp(value)]) if {
	lib.commissioners[c_code].contracts[p_code]
} else := sprintf("%s has no contract with %s (no such line)", [c_code, p_code])

_tolerance("error", limits, _, error_limit) := sprintf("more than %s%% of the contract (%s)", [
	lib.fmt_limit(limits.contract_error_pct), lib.fmt_gbp(error_limit),
])

_tolerance("warning", limits, warning_limit, _) := sprintf("tolerance %s (the larger of %s and %s%% of the contract)", [
	lib.fmt_gbp(warning_limit), lib.fmt_gbp(limits.contract_warning_gbp000), lib.fmt_limit(limits.contract_warning_pct),
])
