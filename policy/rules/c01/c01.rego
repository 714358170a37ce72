# METADATA
# title: Surplus before sustainability funding meets the control total
# description: |
#   A provider's planned surplus less its sustainability funding (STF/PSF/FRF)
#   must be at least its control total: the funding is earned by meeting the
#   control total, so it cannot be what meets it.
# custom:
#   id: C01
#   category: control_total
#   severity: error
#   rationale: >-
#     Sustainability funding is paid only to organisations that deliver their
#     control total, so a plan that reaches the control total only by counting
#     that funding has not met it (NHS Improvement STF/PSF conditions).
package triangulate.rules.c01

import data.triangulate.lib

findings contains f if {
	some code, plan in lib.providers
	finance := plan.finance
	underlying := finance.surplus - finance.income.sustainability_funding
	underlying < finance.control_total
	f := lib.finding({
		"rule": "C01",
		"severity": "error",
		"org": code,
		"path": ["finance", "surplus"],
		"message": sprintf("%s plans a surplus of %s, or %s before %s of sustainability funding: %s short of its control total of %s", [
			code, lib.fmt_gbp(finance.surplus), lib.fmt_gbp(underlying),
			lib.fmt_gbp(finance.income.sustainability_funding),
			lib.fmt_gbp(finance.control_total - underlying), lib.fmt_gbp(finance.control_total),
		]),
	})
}
