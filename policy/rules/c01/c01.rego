# METADATA
# title: Surplus before sustainability funding meets the control total
# description: |
#   A provider's planned surplus (finance.surplus, which is before
#   sustainability funding) must be at least the control total the regulator
#   set for it in the year's register (providers[code].control_total): the
#   funding is earned by meeting the control total, so it cannot be what
#   meets it. A provider with no register entry is C05's concern.
# custom:
#   id: C01
#   category: control_total
#   severity: error
#   reads: plan
#   rationale: >-
#     Sustainability funding is paid only to organisations that deliver their
#     control total, so a plan that reaches the control total only by counting
#     that funding has not met it (NHS Improvement STF/PSF conditions); the
#     control total is the regulator's figure, never the plan's own.
package triangulate.rules.c01

import data.triangulate.lib

findings contains f if {
	some code, plan in lib.providers
	control_total := lib.provider_figures(code).control_total
	plan.finance.surplus < control_total
	f := lib.finding({
		"rule": "C01",
		"severity": "error",
		"org": code,
		"path": ["finance", "surplus"],
		"related": [{"org": code, "doc": "register", "path": ["providers", code, "control_total"]}],
		"message": sprintf("%s plans a surplus of %s before sustainability funding: %s short of the control total of %s the %s register sets it", [
			code, lib.fmt_gbp(plan.finance.surplus), lib.fmt_gbp(control_total - plan.finance.surplus),
			lib.fmt_gbp(control_total), input.year,
		]),
	})
}
