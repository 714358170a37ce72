# METADATA
# title: CIP total equals its schemes and its recurrent split
# description: |
#   A provider's cost improvement programme total must equal the sum of its
#   schemes and the sum of its recurrent and non-recurrent parts, the
#   recurrent part must equal the sum of the schemes marked recurrent, and
#   each scheme's monthly phasing must add up to its value, each within
#   consistency.money_tolerance_gbp000 (£1k).
# custom:
#   id: I06
#   category: consistency
#   severity: error
#   reads: plan
#   rationale: >-
#     CIP is judged for scale and for its non-recurrent share (B06), so the
#     total and the split must be the ones the listed schemes deliver; savings
#     without a scheme behind them are the unsupported CIP regulators reject.
#     A scheme's months are the savings in-year monitoring holds it to, so
#     they must add up to the scheme's value.
package triangulate.rules.i06

import data.triangulate.lib

# The schemes do not add up to the total.
findings contains f if {
	some code, plan in lib.providers
	cip := plan.finance.cip
	schemes := sum([scheme.value | some scheme in cip.schemes])
	_apart(cip.total, schemes)
	f := _finding(code, "total", abs(cip.total - schemes), sprintf("%s plans a CIP total of %s, but its %d schemes add up to %s", [
		code, lib.fmt_gbp(cip.total), count(cip.schemes), lib.fmt_gbp(schemes),
	]))
}

# The recurrent and non-recurrent parts do not add up to the total. The
# non-recurrent part is the one named: the recurrent part is checked against
# its schemes below, so when that passes this is the figure left to fix.
findings contains f if {
	some code, plan in lib.providers
	cip := plan.finance.cip
	parts := cip.recurrent + cip.non_recurrent
	_apart(cip.total, parts)
	f := _finding(code, "non_recurrent", abs(cip.total - parts), sprintf("%s plans a CIP total of %s, but recurrent %s plus non-recurrent %s make %s", [
		code, lib.fmt_gbp(cip.total), lib.fmt_gbp(cip.recurrent), lib.fmt_gbp(cip.non_recurrent), lib.fmt_gbp(parts),
	]))
}

# The recurrent part is not what the recurrent schemes deliver.
findings contains f if {
	some code, plan in lib.providers
	cip := plan.finance.cip
	recurrent := sum([scheme.value | some scheme in cip.schemes; scheme.recurrent])
	_apart(cip.recurrent, recurrent)
	f := _finding(code, "recurrent", abs(cip.recurrent - recurrent), sprintf("%s plans recurrent CIP of %s, but its recurrent schemes add up to %s", [
		code, lib.fmt_gbp(cip.recurrent), lib.fmt_gbp(recurrent),
	]))
}

# A scheme's months do not add up to its value: the phasing is what
# in-year monitoring holds the trust to.
findings contains f if {
	some code, plan in lib.providers
	some i, scheme in plan.finance.cip.schemes
	phased := sum(scheme.months)
	_apart(scheme.value, phased)
	f := _finding_at(code, ["finance", "cip", "schemes", i, "months"], abs(scheme.value - phased), sprintf("%s's CIP scheme %d (%q) is worth %s, but its months add up to %s", [
		code, i + 1, scheme.name, lib.fmt_gbp(scheme.value), lib.fmt_gbp(phased),
	]))
}

_apart(a, b) if abs(a - b) > lib.thresholds.consistency.money_tolerance_gbp000

_finding(org, field, gap, message) := _finding_at(org, ["finance", "cip", field], gap, message)

_finding_at(org, path, gap, message) := lib.finding({
	"rule": "I06",
	"severity": "error",
	"org": org,
	"path": path,
	"message": sprintf("%s: %s apart, tolerance %s", [message, lib.fmt_gbp(gap), lib.fmt_gbp(lib.thresholds.consistency.money_tolerance_gbp000)]),
})
