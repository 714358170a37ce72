# METADATA
# title: No sustainability funding without an accepted control total
# description: |
#   A provider that has not accepted its control total
#   (finance.control_total_accepted false) must plan no sustainability funding
#   (finance.income.sustainability_funding zero).
# custom:
#   id: C02
#   category: control_total
#   severity: error
#   rationale: >-
#     Sustainability funding (STF/PSF/FRF) is conditional on accepting the
#     control total, so a plan that declines the control total yet counts the
#     funding overstates its income (NHS Improvement STF/PSF conditions).
package triangulate.rules.c02

import data.triangulate.lib

findings contains f if {
	some code, plan in lib.providers
	finance := plan.finance
	finance.control_total_accepted == false
	finance.income.sustainability_funding > 0
	f := lib.finding({
		"rule": "C02",
		"severity": "error",
		"org": code,
		"path": ["finance", "income", "sustainability_funding"],
		"message": sprintf("%s has not accepted its control total of %s but plans %s of sustainability funding, which only an accepted control total earns", [
			code, lib.fmt_gbp(finance.control_total), lib.fmt_gbp(finance.income.sustainability_funding),
		]),
	})
}
