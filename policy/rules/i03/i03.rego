# METADATA
# title: Surplus equals income less expenditure
# description: |
#   A provider's planned surplus must equal patient-care and other income less
#   pay (substantive, bank, agency), non-pay, depreciation and financing (the
#   surplus is before sustainability funding, which the register sets); a
#   commissioner's must equal the allocation the register gives it less its
#   contract values and other spend. Differences up to
#   consistency.money_tolerance_gbp000 (£1k) are rounding.
# custom:
#   id: I03
#   category: consistency
#   severity: error
#   reads: plan
#   rationale: >-
#     The surplus is the figure judged against the control total, so it must be
#     the one the plan's own income and expenditure produce, or the control
#     total check judges a number nothing in the plan supports.
package triangulate.rules.i03

import data.triangulate.lib

findings contains f if {
	some code, plan in lib.providers
	finance := plan.finance
	income := finance.income.patient_care + finance.income.other
	expenditure := sum([
		finance.expenditure.pay.substantive,
		finance.expenditure.pay.bank,
		finance.expenditure.pay.agency,
		finance.expenditure.non_pay,
		finance.expenditure.depreciation,
		finance.expenditure.financing,
	])
	derived := income - expenditure
	_apart(finance.surplus, derived)
	f := _finding(code, finance.surplus, derived, sprintf("income of %s less expenditure of %s", [
		lib.fmt_gbp(income), lib.fmt_gbp(expenditure),
	]))
}

findings contains f if {
	some code, plan in lib.commissioners
	finance := plan.finance
	allocation := lib.commissioner_figures(code).allocation
	contracts := sum([contract.value.total | some contract in plan.contracts])
	derived := (allocation - contracts) - finance.other_spend
	_apart(finance.surplus, derived)
	f := _finding(code, finance.surplus, derived, sprintf(
		"the allocation of %s in the register less contracts of %s and other spend of %s",
		[lib.fmt_gbp(allocation), lib.fmt_gbp(contracts), lib.fmt_gbp(finance.other_spend)],
	))
}

_apart(surplus, derived) if abs(surplus - derived) > lib.thresholds.consistency.money_tolerance_gbp000

_finding(org, surplus, derived, how) := lib.finding({
	"rule": "I03",
	"severity": "error",
	"org": org,
	"path": ["finance", "surplus"],
	"message": sprintf("%s plans a surplus of %s, but %s gives %s: %s apart, tolerance %s", [
		org, lib.fmt_gbp(surplus), how, lib.fmt_gbp(derived), lib.fmt_gbp(abs(surplus - derived)),
		lib.fmt_gbp(lib.thresholds.consistency.money_tolerance_gbp000),
	]),
})
