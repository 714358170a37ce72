# METADATA
# title: Income by commissioner adds up to patient-care income
# description: |
#   A provider's patient-care income by commissioner
#   (finance.income.by_commissioner totals) must add up to the patient-care
#   income in its I&E (finance.income.patient_care) within
#   alignment.income_match_pct (0.5%) of the latter; otherwise it is an error.
# custom:
#   id: A05
#   category: alignment
#   severity: error
#   reads: plan
#   rationale: >-
#     Contract income is checked against commissioners line by line, so income
#     in the I&E that no commissioner line carries is income no commissioner has
#     agreed to pay.
package triangulate.rules.a05

import data.triangulate.lib

findings contains f if {
	limit := lib.thresholds.alignment.income_match_pct
	some p_code, provider in lib.providers
	income := provider.finance.income
	by_commissioner := sum([flow.total | some flow in income.by_commissioner])
	by_commissioner != income.patient_care

	gap := abs(by_commissioner - income.patient_care)
	tolerance := (abs(income.patient_care) * limit) / 100
	gap > tolerance

	f := lib.finding({
		"rule": "A05",
		"severity": "error",
		"org": p_code,
		"path": ["finance", "income", "patient_care"],
		"message": sprintf(
			"%s's income by commissioner adds up to %s, but its I&E shows %s of patient-care income: %s apart, more than %s%% of it (%s)",
			[
				p_code, lib.fmt_gbp(by_commissioner), lib.fmt_gbp(income.patient_care),
				lib.fmt_gbp(gap), lib.fmt_limit(limit), lib.fmt_gbp(tolerance),
			],
		),
	})
}
