# METADATA
# title: No sustainability funding without an accepted control total
# description: |
#   Where the register makes a provider's sustainability funding conditional
#   on accepting the control total (conditions include
#   "accept_control_total"), a plan whose board has not accepted it
#   (control_total_decision.accepted false) while the register still offers
#   funding (sustainability_funding.amount above zero) is an error: the
#   register and the decision disagree about money the system is counting.
# custom:
#   id: C02
#   category: control_total
#   severity: error
#   reads: plan
#   rationale: >-
#     Sustainability funding (STF/PSF/FRF) is conditional on accepting the
#     control total, so funding left in the register for a trust that declined
#     it overstates the money in the system until the regulator withdraws it
#     or the board accepts (NHS Improvement STF/PSF conditions).
package triangulate.rules.c02

import data.triangulate.lib

findings contains f if {
	some code, plan in lib.providers
	plan.control_total_decision.accepted == false
	figures := lib.provider_figures(code)
	funding := figures.sustainability_funding
	funding.amount > 0
	"accept_control_total" in funding.conditions
	f := lib.finding({
		"rule": "C02",
		"severity": "error",
		"org": code,
		"path": ["control_total_decision", "accepted"],
		"related": [{"org": code, "doc": "register", "path": ["providers", code, "sustainability_funding", "amount"]}],
		"message": sprintf("%s's board has not accepted its control total of %s, but the %s register still offers it %s of sustainability funding, which only an accepted control total earns: the board accepts the control total, or the regulator withdraws the funding", [
			code, lib.fmt_gbp(figures.control_total), input.year, lib.fmt_gbp(funding.amount),
		]),
	})
}
