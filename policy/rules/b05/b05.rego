# METADATA
# title: Agency spend within the agency ceiling
# description: |
#   Planned agency staff spend (finance.expenditure.pay.agency) above the
#   agency ceiling the register sets the trust (providers[code].agency_ceiling).
# custom:
#   id: B05
#   category: believability
#   severity: warning
#   reads: plan
#   rationale: NHS Improvement sets each trust an agency ceiling to bring down premium staffing costs, and a plan that spends above it signals a workforce plan the trust does not expect to recruit to.
package triangulate.rules.b05

import data.triangulate.lib

findings contains f if {
	some code, provider in lib.providers
	agency := provider.finance.expenditure.pay.agency
	ceiling := lib.provider_figures(code).agency_ceiling
	agency > ceiling
	f := lib.finding({
		"rule": "B05",
		"severity": "warning",
		"org": code,
		"path": ["finance", "expenditure", "pay", "agency"],
		"related": [{"org": code, "doc": "register", "path": ["providers", code, "agency_ceiling"]}],
		"message": sprintf(
			"%s plans %s of agency staff spend against the agency ceiling of %s the %s register sets it: %s over",
			[code, lib.fmt_gbp(agency), lib.fmt_gbp(ceiling), input.year, lib.fmt_gbp(agency - ceiling)],
		),
	})
}
