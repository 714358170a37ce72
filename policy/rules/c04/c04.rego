# METADATA
# title: Commissioner surplus meets its required surplus
# description: |
#   A commissioner's planned surplus (finance.surplus) below the surplus it is
#   required to deliver (finance.required_surplus) is a warning to explain.
# custom:
#   id: C04
#   category: control_total
#   severity: warning
#   rationale: >-
#     Commissioners' required surpluses balance provider deficits within the
#     system control total, so a shortfall must be covered elsewhere in the
#     system or explained.
package triangulate.rules.c04

import data.triangulate.lib

findings contains f if {
	some code, plan in lib.commissioners
	finance := plan.finance
	finance.surplus < finance.required_surplus
	f := lib.finding({
		"rule": "C04",
		"severity": "warning",
		"org": code,
		"path": ["finance", "surplus"],
		"message": sprintf("%s plans a surplus of %s: %s short of its required surplus of %s", [
			code, lib.fmt_gbp(finance.surplus), lib.fmt_gbp(finance.required_surplus - finance.surplus),
			lib.fmt_gbp(finance.required_surplus),
		]),
	})
}
