# METADATA
# title: Both sides record the same contract status
# description: |
#   For every contract both sides plan, the provider's status
#   (contract_status[commissioner]) and the commissioner's
#   (contracts[provider].status) must record the same state; two different
#   states get a warning naming both states, their dates and both
#   organisations. The dates may differ: the side that moved last dates it.
# custom:
#   id: A06
#   category: alignment
#   severity: warning
#   reads: pair
#   rationale: >-
#     From 29 January 2016 both sides of every contract sent the national
#     bodies a weekly return on its status, and the regulators read the two
#     returns side by side: a contract one side calls signed and the other
#     still disputes is not agreed, whatever the figures say.
package triangulate.rules.a06

import data.triangulate.lib

findings contains f if {
	some [p_code, c_code] in lib.contract_pairs
	provider_side := lib.providers[p_code].contract_status[c_code]
	commissioner_side := lib.commissioners[c_code].contracts[p_code].status
	provider_side.state != commissioner_side.state

	f := lib.finding({
		"rule": "A06",
		"severity": "warning",
		"org": p_code,
		"orgs": [p_code, c_code],
		"path": ["contract_status", c_code],
		"related": [{"org": c_code, "path": ["contracts", p_code, "status"]}],
		"message": sprintf(
			"%s records its contract with %s as %s on %s, but %s records it as %s on %s",
			[
				p_code, c_code, _state_label(provider_side.state), provider_side.date,
				c_code, _state_label(commissioner_side.state), commissioner_side.date,
			],
		),
	})
}

# States as the weekly contract-status return names them.
_state_labels := {
	"not_started": "not started",
	"heads_of_terms": "heads of terms",
	"agreed": "agreed",
	"signed": "signed",
	"in_dispute": "in dispute",
	"arbitration": "referred to arbitration",
}

_state_label(state) := object.get(_state_labels, state, state)
