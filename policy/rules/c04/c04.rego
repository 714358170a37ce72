# METADATA
# title: Commissioner surplus meets its required surplus
# description: |
#   A commissioner's planned surplus (finance.surplus) below the surplus the
#   register requires of it (commissioners[code].required_surplus) is a
#   warning to explain.
# custom:
#   id: C04
#   category: control_total
#   severity: warning
#   reads: plan
#   rationale: >-
#     Commissioners' required surpluses balance provider deficits within the
#     system control total, so a shortfall must be covered elsewhere in the
#     system or explained.
package triangulate.rules.c04

import data.triangulate.lib

findings contains f if {
	some code, plan in lib.commissioners
	required := lib.commissioner_figures(code).required_surplus
	plan.finance.surplus < required
	f := lib.finding({
		"rule": "C04",
		"severity": "warning",
		"org": code,
		"path": ["finance", "surplus"],
		"related": [{"org": code, "doc": "register", "path": ["commissioners", code, "required_surplus"]}],
		"message": sprintf("%s plans a surplus of %s: %s short of the required surplus of %s the %s register sets it", [
			code, lib.fmt_gbp(plan.finance.surplus), lib.fmt_gbp(required - plan.finance.surplus),
			lib.fmt_gbp(required), input.year,
		]),
	})
}
